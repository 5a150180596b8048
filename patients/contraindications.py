"""The contraindication check: whether a patient may have a session of a modality at a time.

Every path that books or treats runs it (sessions.booking, sessions.appointments at check-in and
completion, sessions.notes at signing, sessions.courses). An acute phase on any active diagnosis
always blocks; the clinic's rules (ContraindicationRule) block or warn for the patient's active
health flags, and for a consent the modality needs that the patient has not signed in its current
version (a rule with the condition "no current consent"; patients.consent).
"""

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from clinic.models import Modality
from clinic.setup_cache import copies, setup_cached
from patients.against_treatment import against_treatment_read
from patients.consent import ConsentState, MissingConsent, consents_missing_given, consents_missing_of, current_topics
from patients.models import (
    ContraindicationRule,
    Diagnosis,
    HealthFlag,
    Patient,
    Phase,
    PhaseRecord,
    RuleCondition,
    RuleEffect,
)


@dataclass
class ContraindicationResult:
    """Blocking reasons refuse a booking; warnings let it through once someone confirms them."""

    blocks: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return not self.blocks


def _recorder_name(record: PhaseRecord) -> str:
    user = record.recorded_by
    return user.get_full_name() or user.get_username()


def acute_phase_reason(diagnosis: Diagnosis, record: PhaseRecord) -> str:
    day = date_format(timezone.localtime(record.effective_from), gettext("j F Y"))
    return gettext(
        "Acute phase of %(code)s %(title)s recorded on %(day)s by %(recorder)s; "
        "massage is refused until a subacute or remission phase is recorded."
    ) % {"code": diagnosis.icd10_code, "title": diagnosis.title, "day": day, "recorder": _recorder_name(record)}


def _acute_blocks(diagnoses: list[Diagnosis]) -> list[str]:
    return [
        acute_phase_reason(diagnosis, diagnosis.current_phase)
        for diagnosis in diagnoses
        if diagnosis.current_phase is not None and diagnosis.current_phase.phase == Phase.ACUTE
    ]


@dataclass
class PatientContraindications:
    """What speaks against treating one patient at one moment, whatever the modality: the acute
    blocks, each active rule paired with each active health flag of its kind, and each active
    consent rule paired with each consent the patient has not signed in its current version."""

    acute_blocks: list[str]
    rule_hits: list[tuple[ContraindicationRule, HealthFlag]]
    consent_hits: list[tuple[ContraindicationRule, MissingConsent]] = field(default_factory=list)

    def _concerning(self, modality: Modality) -> Iterator[tuple[ContraindicationRule, HealthFlag | MissingConsent]]:
        """Each rule that concerns a session of `modality`, with what it found: a flag rule for the
        modality, and a consent rule when the missing consent covers the modality too."""
        for rule, flag in self.rule_hits:
            if rule.applies_to(modality):
                yield rule, flag
        for rule, missing in self.consent_hits:
            if rule.applies_to(modality) and missing.covers(modality):
                yield rule, missing

    def check(self, modality: Modality) -> ContraindicationResult:
        """The result for a session of `modality`: the acute blocks, and the rules that concern it."""
        result = ContraindicationResult(blocks=list(self.acute_blocks))
        for rule, what in self._concerning(modality):
            _add(result, rule, f"{what}: {rule.message}")
        return result

    def allows(self, modality: Modality) -> bool:
        """check(modality).allowed, without writing its reasons: a page that only shows or hides a
        button for hundreds of sessions (the day board) would translate hundreds of sentences."""
        return not self.acute_blocks and all(rule.effect != RuleEffect.BLOCK for rule, _ in self._concerning(modality))


def _flag_rules(rules: list[ContraindicationRule], flags: Iterable[HealthFlag]) -> list[ContraindicationRule]:
    """Those of the active `rules` that may concern patients with `flags`."""
    kinds = {flag.kind for flag in flags}
    return [rule for rule in rules if rule.condition == RuleCondition.HEALTH_FLAG and rule.flag_kind in kinds]


def _consent_rules(rules: list[ContraindicationRule]) -> list[ContraindicationRule]:
    """Those of the active `rules` that ask for a consent."""
    return [rule for rule in rules if rule.condition == RuleCondition.NO_CONSENT]


def active_rules() -> list[ContraindicationRule]:
    """The clinic's active rules with their modality, kept by the set-up cache (clinic/setup_cache.py)."""

    def build(using: str) -> list[ContraindicationRule]:
        return list(ContraindicationRule.objects.using(using).filter(active=True).select_related("modality"))

    return copies(setup_cached("active rules", build, model=ContraindicationRule))


def _found(
    *,
    diagnoses: list[Diagnosis],
    flags: list[HealthFlag],
    flag_rules: list[ContraindicationRule],
    consent_rules: list[ContraindicationRule],
    missing: list[MissingConsent],
) -> PatientContraindications:
    return PatientContraindications(
        acute_blocks=_acute_blocks(diagnoses),
        rule_hits=[(rule, flag) for rule in flag_rules for flag in flags if flag.kind == rule.flag_kind],
        consent_hits=[(rule, gap) for rule in consent_rules for gap in missing],
    )


def contraindications_by_patient(*, patient_ids: Iterable[int], at: dt.datetime) -> dict[int, PatientContraindications]:
    """{patient id: PatientContraindications at `at`} for many patients: for the pages that list
    sessions (My day) and ask of each whether it may be treated, and for the one patient of a
    booking. One query however many patients (patients.against_treatment), and one more to name
    who recorded an acute phase; a patient with nothing against them is in the dict all the same."""
    patient_ids = set(patient_ids)
    rules = active_rules()
    # The signatures are read only while a consent rule is active, of the topics that have a version.
    consent_rules = _consent_rules(rules)
    topics = current_topics() if consent_rules else {}
    read = against_treatment_read(patient_ids=patient_ids, at=at, topic_ids=list(topics))
    flag_rules = _flag_rules(rules, (flag for patient_flags in read.flags.values() for flag in patient_flags))
    missing = consents_missing_given(patient_ids=patient_ids, signed=read.signed, topics=topics)
    return {
        patient_id: _found(
            diagnoses=read.acute.get(patient_id, []),
            flags=read.flags.get(patient_id, []),
            flag_rules=flag_rules,
            consent_rules=consent_rules,
            missing=missing[patient_id],
        )
        for patient_id in patient_ids
    }


def _add(result: ContraindicationResult, rule: ContraindicationRule, message: str) -> None:
    target = result.blocks if rule.effect == RuleEffect.BLOCK else result.warnings
    if message not in target:
        target.append(message)


def contraindications_check(*, patient: Patient, modality: Modality, at: dt.datetime) -> ContraindicationResult:
    """Everything that speaks against giving `patient` a session of `modality` at `at`.

    An acute phase on any active diagnosis always blocks: the clinic's rules cannot turn it off.
    """
    return contraindications_by_patient(patient_ids=[patient.pk], at=at)[patient.pk].check(modality)


def patient_booking_status(*, patient: Patient, at: dt.datetime | None = None) -> ContraindicationResult:
    """Whether the patient can be booked now, whatever the modality: the acute-phase block, and
    every matching rule, naming the modalities it concerns when it does not concern all."""
    at = at or timezone.now()
    return _booking_status(contraindications_by_patient(patient_ids=[patient.pk], at=at)[patient.pk])


def patient_booking_status_of_record(
    *, diagnoses: list[Diagnosis], flags: list[HealthFlag], consents: list[ConsentState], at: dt.datetime
) -> ContraindicationResult:
    """patient_booking_status for a page that has read the patient's record already (the chart),
    from those rows instead of reading them again: `diagnoses` every diagnosis of the patient with
    `current_phase` at `at` (patients.selectors.diagnoses_with_history), `flags` every health flag
    of the patient **ordered by kind and substance** (the order the check reads them in: its
    warnings come in that order), and `consents` the patient's consent_states. One query (the
    clinic's rules); the same result as patient_booking_status."""
    on = timezone.localdate(at)
    active_flags = [flag for flag in flags if flag.is_active_on(on)]
    rules = active_rules()
    flag_rules, consent_rules = _flag_rules(rules, active_flags), _consent_rules(rules)
    # The check's order (Diagnosis.Meta: newest diagnosis first), the first entered first on one day.
    active = sorted((diagnosis for diagnosis in diagnoses if diagnosis.active), key=lambda diagnosis: diagnosis.pk)
    active.sort(key=lambda diagnosis: diagnosis.diagnosed_on, reverse=True)
    found = _found(
        diagnoses=active,
        flags=active_flags,
        flag_rules=flag_rules,
        consent_rules=consent_rules,
        missing=consents_missing_of(consents) if consent_rules else [],
    )
    return _booking_status(found)


def _booking_status(found: PatientContraindications) -> ContraindicationResult:
    result = ContraindicationResult(blocks=list(found.acute_blocks))
    for rule, flag in found.rule_hits:
        _add(result, rule, _with_scope(rule, flag))
    for rule, gap in found.consent_hits:
        if rule.modality is None or gap.covers(rule.modality):
            _add(result, rule, _with_scope(rule, gap))
    return result


def _with_scope(rule: ContraindicationRule, what) -> str:
    """The reason `what` (a health flag, a missing consent) gives under this rule, naming the
    modalities the rule concerns when not all."""
    values = {"what": what, "message": rule.message, "modality": rule.modality}
    if rule.modality is not None:
        # Translators: a health flag or a missing consent, the clinic's message for it, the modality it concerns.
        return gettext("%(what)s: %(message)s (for %(modality)s)") % values
    if rule.oil_modalities_only:
        return gettext("%(what)s: %(message)s (for modalities that use oil)") % values
    return f"{what}: {rule.message}"
