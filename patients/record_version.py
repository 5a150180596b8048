"""A patient's record version: a token that names one state of everything the clinic holds on one
patient, so that a page drawn from the record can be kept while the token stays the same.

A database trigger on every table of the record (the patient's row, diagnoses and their phases and
studies, health flags, intake answers and proposals, consent signatures, courses, sessions, notes,
addenda, outcome scores) gives the patient's row of patients_recordversion a new random token in
the writing transaction, whatever writes (clinic/migrations/_frozen.py, WatchPatientRecord). So a
token read before the record is read names a state no older than what is read after it, and a
rolled-back write leaves the old token, under which the old state is still right. Writers of one
patient queue on that one row; writers of different patients never meet there.

What the record shows changes with the clock too, without any write: `record_steady_until` says
until when a reading of it holds."""

import datetime as dt
from collections.abc import Collection

from django.db import router
from django.db.models import Min
from django.utils import timezone

from clinic.setup_cache import with_setup_token
from patients.models import Diagnosis, Patient, PhaseRecord, RecordVersion

_TOKEN_SQL = f'SELECT token FROM "{RecordVersion._meta.db_table}" WHERE patient_id = %s'


def record_token(patient: Patient) -> str | None:
    """The patient's record version on the database their record is read from; None when the
    patient has none (a test database just emptied): nothing may be kept under None. The set-up's
    token comes in the same statement (clinic.setup_cache.with_setup_token)."""
    row = with_setup_token(router.db_for_read(Patient), _TOKEN_SQL, [patient.pk])
    return row[0] if row else None


def record_steady_until(*, diagnoses: list[Diagnosis], at: dt.datetime) -> dt.datetime:
    """The first moment after `at` at which the record reads differently with no write to it: the
    next local midnight (health flags start and end by the day, and "today" moves on), or a phase
    record dated ahead coming into effect (`diagnoses` as patients.selectors.diagnoses_with_history
    gives them, with their `phases`)."""
    phases = (record.effective_from for diagnosis in diagnoses for record in diagnosis.phases)
    return min([next_midnight(at), *(moment for moment in phases if moment > at)])


def records_steady_until(*, patient_ids: Collection[int], at: dt.datetime) -> dt.datetime:
    """record_steady_until for the records of several patients, read in one query (none without
    patients)."""
    midnight = next_midnight(at)
    if not patient_ids:
        return midnight
    ahead = PhaseRecord.objects.filter(
        diagnosis__patient_id__any=list(patient_ids), effective_from__gt=at, effective_from__lt=midnight
    ).aggregate(first=Min("effective_from"))["first"]
    return min(midnight, ahead) if ahead else midnight


def next_midnight(at: dt.datetime) -> dt.datetime:
    """The start of the next local day after `at`."""
    return timezone.make_aware(dt.datetime.combine(timezone.localdate(at) + dt.timedelta(days=1), dt.time()))
