"""Reads of the clinical record that the contraindication check and the pages share."""

import datetime as dt

from django.db.models import Prefetch, Q, QuerySet

from patients.models import Diagnosis, HealthFlag, Patient, PhaseRecord


def diagnoses_with_current_phase(*, patient: Patient, at: dt.datetime) -> list[Diagnosis]:
    """Active diagnoses, each with `current_phase`: the latest phase record in effect at `at`
    (None when no phase has been recorded yet). Two queries however many diagnoses."""
    records = PhaseRecord.objects.filter(effective_from__lte=at).select_related("recorded_by")
    diagnoses = list(
        patient.diagnoses.filter(active=True).prefetch_related(
            Prefetch("phase_records", queryset=records, to_attr="phases_in_effect")
        )
    )
    for diagnosis in diagnoses:
        # Ordered newest first by PhaseRecord.Meta.ordering.
        diagnosis.current_phase = diagnosis.phases_in_effect[0] if diagnosis.phases_in_effect else None
    return diagnoses


def health_flags_active(*, patient: Patient, on: dt.date) -> QuerySet[HealthFlag]:
    return patient.health_flags.filter(Q(active_to__isnull=True) | Q(active_to__gte=on), active_from__lte=on)
