"""Writes to the clinical record, and the contraindication check every booking path runs."""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from clinic.models import Modality
from patients.models import ContraindicationRule, Diagnosis, Patient, Phase, PhaseRecord, RuleEffect
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


def contraindications_check(*, patient: Patient, modality: Modality, at: dt.datetime) -> ContraindicationResult:
    """Everything that speaks against giving `patient` a session of `modality` at `at`.

    An acute phase on any active diagnosis always blocks: the clinic's rules cannot turn it off.
    """
    result = ContraindicationResult()
    for diagnosis in diagnoses_with_current_phase(patient=patient, at=at):
        record = diagnosis.current_phase
        if record is not None and record.phase == Phase.ACUTE:
            result.blocks.append(acute_phase_reason(diagnosis, record))

    flags = list(health_flags_active(patient=patient, on=timezone.localdate(at)))
    if not flags:
        return result
    rules = ContraindicationRule.objects.filter(active=True, flag_kind__in={flag.kind for flag in flags})
    for rule in rules:
        if not rule.applies_to(modality):
            continue
        for flag in (f for f in flags if f.kind == rule.flag_kind):
            message = f"{flag}: {rule.message}"
            target = result.blocks if rule.effect == RuleEffect.BLOCK else result.warnings
            if message not in target:
                target.append(message)
    return result


@transaction.atomic
def phase_record_create(
    *,
    diagnosis: Diagnosis,
    phase: str,
    recorded_by: AbstractBaseUser,
    effective_from: dt.datetime | None = None,
    note: str = "",
) -> PhaseRecord:
    """Record a phase. Saving an acute record flags the patient's future appointments for review
    in this same transaction (see sessions.receivers), whichever path saved it."""
    record = PhaseRecord(
        diagnosis=diagnosis,
        phase=phase,
        recorded_by=recorded_by,
        effective_from=effective_from or timezone.now(),
        note=note,
    )
    record.full_clean()
    record.save()
    return record
