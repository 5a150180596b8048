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

from django.db import connections, router
from django.utils import timezone

from patients.models import Diagnosis, Patient, RecordVersion

_TOKEN_SQL = f'SELECT token FROM "{RecordVersion._meta.db_table}" WHERE patient_id = %s'


def record_token(patient: Patient) -> str | None:
    """The patient's record version on the database their record is read from; None when the
    patient has none (a test database just emptied): nothing may be kept under None."""
    with connections[router.db_for_read(Patient)].cursor() as cursor:
        cursor.execute(_TOKEN_SQL, [patient.pk])
        row = cursor.fetchone()
    return row[0] if row else None


def record_steady_until(*, diagnoses: list[Diagnosis], at: dt.datetime) -> dt.datetime:
    """The first moment after `at` at which the record reads differently with no write to it: the
    next local midnight (health flags start and end by the day, and "today" moves on), or a phase
    record dated ahead coming into effect (`diagnoses` as patients.selectors.diagnoses_with_history
    gives them, with their `phases`)."""
    tomorrow = timezone.localdate(at) + dt.timedelta(days=1)
    midnight = timezone.make_aware(dt.datetime.combine(tomorrow, dt.time()))
    ahead = [
        record.effective_from for diagnosis in diagnoses for record in diagnosis.phases if record.effective_from > at
    ]
    return min([midnight, *ahead])
