"""The contraindication check: whether a patient may have a session of a modality at a time.

Every path that books or treats runs it (sessions.booking, sessions.appointments at check-in and
completion, sessions.notes at signing, sessions.courses). An acute phase on any active diagnosis
always blocks; the clinic's rules (ContraindicationRule) block or warn for the patient's active
health flags.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.formats import date_format

from clinic.models import Modality
from patients.models import ContraindicationRule, Diagnosis, HealthFlag, Patient, Phase, PhaseRecord, RuleEffect
from patients.selectors import diagnoses_with_current_phase_by_patient, health_flags_active_by_patient


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
    day = date_format(timezone.localtime(record.effective_from), "j F Y")
    return (
        f"Acute phase of {diagnosis.icd10_code} {diagnosis.title} recorded on {day} by {_recorder_name(record)}; "
        "massage is refused until a subacute or remission phase is recorded."
    )


def _acute_blocks(diagnoses: list[Diagnosis]) -> list[str]:
    return [
        acute_phase_reason(diagnosis, diagnosis.current_phase)
        for diagnosis in diagnoses
        if diagnosis.current_phase is not None and diagnosis.current_phase.phase == Phase.ACUTE
    ]


@dataclass
class PatientContraindications:
    """What speaks against treating one patient at one moment, whatever the modality: the acute
    blocks, and each active rule paired with each active health flag of its kind."""

    acute_blocks: list[str]
    rule_hits: list[tuple[ContraindicationRule, HealthFlag]]

    def check(self, modality: Modality) -> ContraindicationResult:
        """The result for a session of `modality`: the acute blocks, and the rules that concern it."""
        result = ContraindicationResult(blocks=list(self.acute_blocks))
        for rule, flag in self.rule_hits:
            if rule.applies_to(modality):
                _add(result, rule, f"{flag}: {rule.message}")
        return result


def contraindications_by_patient(*, patient_ids: Iterable[int], at: dt.datetime) -> dict[int, PatientContraindications]:
    """{patient id: PatientContraindications at `at`} for many patients: for the pages that list
    sessions (My day) and ask of each whether it may be treated. At most four queries however
    many patients; a patient with nothing against them is in the dict all the same."""
    patient_ids = set(patient_ids)
    diagnoses = diagnoses_with_current_phase_by_patient(patient_ids=patient_ids, at=at)
    flags = health_flags_active_by_patient(patient_ids=patient_ids, on=timezone.localdate(at))
    kinds = {flag.kind for patient_flags in flags.values() for flag in patient_flags}
    rules = []
    if kinds:
        rules = list(ContraindicationRule.objects.filter(active=True, flag_kind__in=kinds).select_related("modality"))
    return {
        patient_id: PatientContraindications(
            acute_blocks=_acute_blocks(diagnoses.get(patient_id, [])),
            rule_hits=[
                (rule, flag) for rule in rules for flag in flags.get(patient_id, []) if flag.kind == rule.flag_kind
            ],
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
    found = contraindications_by_patient(patient_ids=[patient.pk], at=at)[patient.pk]
    result = ContraindicationResult(blocks=list(found.acute_blocks))
    for rule, flag in found.rule_hits:
        scope = ""
        if rule.modality is not None:
            scope = f" (for {rule.modality})"
        elif rule.oil_modalities_only:
            scope = " (for modalities that use oil)"
        _add(result, rule, f"{flag}: {rule.message}{scope}")
    return result
