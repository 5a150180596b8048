"""A patient with a row in every part of the record, for the data export and erasure tests
(tests/sessions/test_patient_export.py, test_patient_erasure.py, tests/pages/manager/
test_patient_data.py): the authorization matrix's patient A, plus what the matrix needs no page
for (an addendum, an outcome score, the tablet, a reviewed emergency access, a slot the patient
freed, a read of the record), every signed note sealed as signing seals it."""

import datetime as dt
import importlib

import django.apps
from auditlog.models import LogEntry
from django.test import RequestFactory
from django.utils import timezone

from clinic.audit import audit_access
from outcomes.models import Measure, MeasureKind
from patients.kiosk import kiosk_start
from patients.models import BreakGlassAccess, Patient
from patients.services import break_glass_review
from sessions.models import (
    OPEN_STATUSES,
    Appointment,
    AppointmentStatus,
    Course,
    OfferStatus,
    OutcomeOccasion,
    OutcomeScore,
    SessionNote,
    WaitlistEntry,
    WaitlistOffer,
    WishStatus,
)
from sessions.note_seal import note_seal, note_seal_log_entries
from tests.factories import AddendumFactory, local, next_weekday
from tests.pages.test_authorization_matrix import matrix_scene
from tests.scenes import freed_slot


def notes_sealed(notes) -> None:
    """Seal signed notes written by a factory, with the audit entry signing writes."""
    for note in notes:
        note.content_hash = note_seal(note)
        SessionNote.objects.filter(pk=note.pk).update(content_hash=note.content_hash)
    LogEntry.objects.bulk_create(note_seal_log_entries(notes))


def patient_specific_measure() -> Measure:
    """The built-in one of outcomes' data migration, put back where a transactional test emptied it."""
    if not Measure.objects.filter(kind=MeasureKind.PATIENT_SPECIFIC).exists():
        importlib.import_module("outcomes.migrations.0002_builtin_measures").add_measures(django.apps.apps, None)
    return Measure.objects.filter(kind=MeasureKind.PATIENT_SPECIFIC).first()


def record_read(patient: Patient, reader) -> None:
    request = RequestFactory().get(f"/chart/patients/{patient.pk}/")
    request.user = reader
    audit_access(request=request, patient=patient)


def complete_record() -> tuple[dict, dict, Patient]:
    """(users by role, object ids, patient A) with every part of patient A's record filled in."""
    users, objects = matrix_scene()
    patient = Patient.objects.get(pk=objects["patient"])
    note = SessionNote.objects.select_related("appointment__patient").get(pk=objects["note"])
    note.subjective = "Pain down the left leg since lifting a crate."
    SessionNote.objects.filter(pk=note.pk).update(subjective=note.subjective)
    notes_sealed([note])
    AddendumFactory(note=note, text="The patient called: better the next day.")
    course = Course.objects.get(pk=objects["course"])
    OutcomeScore.objects.create(
        patient=patient,
        course=course,
        measure=patient_specific_measure(),
        occasion=OutcomeOccasion.START,
        sessions_done=0,
        answers=[{"activity": "Carry the shopping up to the flat", "rating": 4}],
        score=4,
        recorded_by=users["patient_a"],
    )
    kiosk_start(patient=patient, started_by=users["receptionist"])
    break_glass_review(
        access=BreakGlassAccess.objects.get(pk=objects["break_glass"]),
        reviewed_by=users["manager"],
        comment="Checked with the therapist.",
    )
    appointment = Appointment.objects.get(pk=objects["appointment"])
    freed_slot(
        appointment.therapist,
        appointment.room,
        appointment.modality,
        local(*next_weekday(3, weeks_ahead=3).timetuple()[:3], 11),
        leaving=patient,
    )
    record_read(patient, users["therapist_treating"])
    return users, objects, patient


def nothing_open(patient: Patient) -> None:
    """Close what would stop an erasure: the sessions still booked are cancelled, the wishes
    withdrawn and the offers declined."""
    Appointment.objects.filter(patient=patient, status__in=OPEN_STATUSES).update(
        status=AppointmentStatus.CANCELLED, cancellation_reason="Moved away.", cancelled_at=timezone.now()
    )
    WaitlistEntry.objects.filter(patient=patient).update(status=WishStatus.WITHDRAWN)
    WaitlistOffer.objects.filter(patient=patient).update(status=OfferStatus.DECLINED)


def years_later(years: int = 11) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=365 * years + 3)
