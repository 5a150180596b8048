"""The contraindication check: whether a patient may have a session of a modality at a time.

Every path that books or treats runs it (sessions.booking, sessions.appointments,
sessions.courses). An acute phase on any active diagnosis always blocks; the clinic's rules
(ContraindicationRule) block or warn for the patient's active health flags.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.formats import date_format

from clinic.models import Modality
from patients.models import ContraindicationRule, Diagnosis, HealthFlag, Patient, Phase, PhaseRecord, RuleEffect
from patients.selectors import diagnoses_with_current_phase, health_flags_active


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


def _acute_blocks(*, patient: Patient, at: dt.datetime) -> list[str]:
    return [
        acute_phase_reason(diagnosis, diagnosis.current_phase)
        for diagnosis in diagnoses_with_current_phase(patient=patient, at=at)
        if diagnosis.current_phase is not None and diagnosis.current_phase.phase == Phase.ACUTE
    ]


def _rule_hits(*, patient: Patient, at: dt.datetime) -> list[tuple[ContraindicationRule, HealthFlag]]:
    """Each active rule paired with each active health flag of its kind."""
    flags = list(health_flags_active(patient=patient, on=timezone.localdate(at)))
    if not flags:
        return []
    rules = ContraindicationRule.objects.filter(active=True, flag_kind__in={f.kind for f in flags}).select_related(
        "modality"
    )
    return [(rule, flag) for rule in rules for flag in flags if flag.kind == rule.flag_kind]


def _add(result: ContraindicationResult, rule: ContraindicationRule, message: str) -> None:
    target = result.blocks if rule.effect == RuleEffect.BLOCK else result.warnings
    if message not in target:
        target.append(message)


def contraindications_check(*, patient: Patient, modality: Modality, at: dt.datetime) -> ContraindicationResult:
    """Everything that speaks against giving `patient` a session of `modality` at `at`.

    An acute phase on any active diagnosis always blocks: the clinic's rules cannot turn it off.
    """
    result = ContraindicationResult(blocks=_acute_blocks(patient=patient, at=at))
    for rule, flag in _rule_hits(patient=patient, at=at):
        if rule.applies_to(modality):
            _add(result, rule, f"{flag}: {rule.message}")
    return result


def patient_booking_status(*, patient: Patient, at: dt.datetime | None = None) -> ContraindicationResult:
    """Whether the patient can be booked now, whatever the modality: the acute-phase block, and
    every matching rule, naming the modalities it concerns when it does not concern all."""
    at = at or timezone.now()
    result = ContraindicationResult(blocks=_acute_blocks(patient=patient, at=at))
    for rule, flag in _rule_hits(patient=patient, at=at):
        scope = ""
        if rule.modality is not None:
            scope = f" (for {rule.modality})"
        elif rule.oil_modalities_only:
            scope = " (for modalities that use oil)"
        _add(result, rule, f"{flag}: {rule.message}{scope}")
    return result

