"""What only a real PostgreSQL can show: many desks booking the same slot at the same moment get
exactly one booking, and the exclusion constraints refuse an overlap even from raw SQL.

Run with: scripts/with-postgres .venv/bin/pytest tests/test_booking_postgresql.py
"""

import datetime as dt
from functools import partial

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from clinic.refusals import Refused
from sessions.booking import SLOT_TAKEN, appointment_book
from sessions.models import Appointment
from tests.concurrency import at_once as calls_at_once
from tests.factories import (
    AppointmentFactory,
    CourseFactory,
    PatientFactory,
    RoomFactory,
    TherapistFactory,
    local,
    next_weekday,
)

# Threads need committed data and connections of their own; serialized_rollback puts back the
# roles and catalogue that the migrations created, which a transactional test flushes away.
pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DESKS = 24
MONDAY = next_weekday(0)
TEN = local(MONDAY.year, MONDAY.month, MONDAY.day, 10, 0)

OVERLAPPING_PAIRS = """
    SELECT count(*) FROM treatment_sessions_appointment a
    JOIN treatment_sessions_appointment b ON a.id < b.id
    WHERE a.status <> 'cancelled' AND b.status <> 'cancelled'
      AND (a.therapist_id = b.therapist_id OR a.room_id = b.room_id OR a.patient_id = b.patient_id)
      AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
"""


def at_once(bookings: list[dict]) -> list[tuple[str, object]]:
    """Run every booking in its own thread, released together; return (outcome, detail) each."""
    results = calls_at_once([partial(appointment_book, **kwargs) for kwargs in bookings])
    return [("booked", detail.pk) if outcome == "done" else (outcome, detail) for outcome, detail in results]


def overlapping_pairs() -> int:
    with connection.cursor() as cursor:
        cursor.execute(OVERLAPPING_PAIRS)
        return cursor.fetchone()[0]


def assert_one_winner(results):
    assert len(results) == DESKS
    assert [detail for outcome, detail in results if outcome == "error"] == []
    booked = [detail for outcome, detail in results if outcome == "booked"]
    refused = [detail for outcome, detail in results if outcome == "refused"]
    assert len(booked) == 1
    assert len(refused) == DESKS - 1
    for reasons in refused:
        assert any(reason == SLOT_TAKEN or " is already booked " in reason for reason in reasons), reasons
    assert list(Appointment.objects.values_list("pk", flat=True)) == booked
    assert overlapping_pairs() == 0


# --- Concurrent booking -----------------------------------------------------------------------


def test_many_desks_booking_one_therapist_and_room_for_different_patients_get_one_booking(back_massage):
    therapist = TherapistFactory(modalities=[back_massage])
    room = RoomFactory(modalities=[back_massage])
    patients = [PatientFactory() for _ in range(DESKS)]

    results = at_once(
        [
            {"patient": patient, "therapist": therapist, "room": room, "modality": back_massage, "starts_at": TEN}
            for patient in patients
        ]
    )

    assert_one_winner(results)


def test_many_desks_booking_one_patient_with_different_therapists_and_rooms_get_one_booking(back_massage):
    patient = PatientFactory()
    therapists = [TherapistFactory(modalities=[back_massage]) for _ in range(DESKS)]
    rooms = [RoomFactory(modalities=[back_massage]) for _ in range(DESKS)]

    # Staggered by a quarter hour: every pair still overlaps for the patient, no two are identical.
    results = at_once(
        [
            {
                "patient": patient,
                "therapist": therapist,
                "room": room,
                "modality": back_massage,
                "starts_at": TEN + dt.timedelta(minutes=n % 3 * 15),
            }
            for n, (therapist, room) in enumerate(zip(therapists, rooms, strict=True))
        ]
    )

    assert_one_winner(results)


def test_many_desks_booking_the_last_session_of_a_course_get_one_booking(back_massage):
    course = CourseFactory(modality=back_massage, min_sessions=1, max_sessions=1)
    therapists = [TherapistFactory(modalities=[back_massage]) for _ in range(DESKS)]
    rooms = [RoomFactory(modalities=[back_massage]) for _ in range(DESKS)]

    # Different times, therapists and rooms: only the course's maximum stands between them.
    results = at_once(
        [
            {
                "patient": course.patient,
                "course": course,
                "therapist": therapist,
                "room": room,
                "starts_at": TEN + dt.timedelta(days=n % 5, hours=n // 5),
            }
            for n, (therapist, room) in enumerate(zip(therapists, rooms, strict=True))
        ]
    )

    assert [detail for outcome, detail in results if outcome == "error"] == []
    assert [outcome for outcome, _ in results].count("booked") == 1
    for outcome, reasons in results:
        if outcome == "refused":
            assert reasons == ["The course already has all its 1 sessions booked or done."]
    assert Appointment.objects.filter(course=course).count() == 1


# --- The exclusion constraints ----------------------------------------------------------------


def raw_insert(*, patient, therapist, room, modality, starts_at, ends_at, status="booked", reason=""):
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO treatment_sessions_appointment
                (patient_id, course_id, modality_id, therapist_id, room_id, starts_at, ends_at, status,
                 needs_review, review_reason, booked_by_id, cancellation_reason, cancelled_at,
                 checked_in_at, created_at, updated_at)
            VALUES (%s, NULL, %s, %s, %s, %s, %s, %s, false, '', NULL, %s, NULL, NULL, %s, %s)
            """,
            [patient.pk, modality.pk, therapist.pk, room.pk, starts_at, ends_at, status, reason, now, now],
        )


@pytest.fixture
def existing(back_massage):
    """A booked session 10:00–10:45, and free people and rooms to collide with it."""
    return AppointmentFactory(modality=back_massage, starts_at=TEN, ends_at=TEN + dt.timedelta(minutes=45))


def _overlapping_row(existing, **same):
    row = {
        "patient": PatientFactory(),
        "therapist": TherapistFactory(),
        "room": RoomFactory(),
        "modality": existing.modality,
        "starts_at": TEN + dt.timedelta(minutes=30),
        "ends_at": TEN + dt.timedelta(minutes=75),
    }
    row.update(same)
    return row


@pytest.mark.parametrize("resource", ["therapist", "room", "patient"])
def test_the_database_refuses_an_overlapping_row(existing, resource):
    row = _overlapping_row(existing, **{resource: getattr(existing, resource)})

    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        raw_insert(**row)

    assert f"appointment_no_{resource}_overlap" in str(excinfo.value)
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize("resource", ["therapist", "room", "patient"])
def test_the_database_accepts_a_cancelled_overlapping_row(existing, resource):
    row = _overlapping_row(existing, **{resource: getattr(existing, resource)})

    raw_insert(**row, status="cancelled", reason="Entered by mistake")

    assert Appointment.objects.count() == 2


@pytest.mark.parametrize("resource", ["therapist", "room", "patient"])
def test_the_database_accepts_a_touching_row(existing, resource):
    row = _overlapping_row(existing, **{resource: getattr(existing, resource)})
    row.update(starts_at=existing.ends_at, ends_at=existing.ends_at + dt.timedelta(minutes=45))

    raw_insert(**row)

    assert Appointment.objects.count() == 2


def test_a_race_that_slips_past_the_checks_becomes_a_clear_refusal(back_massage, monkeypatch):
    """The constraint's refusal reaches the receptionist as a sentence, not as a server error."""
    therapist = TherapistFactory(modalities=[back_massage])
    room = RoomFactory(modalities=[back_massage])
    AppointmentFactory(therapist=therapist, modality=back_massage, starts_at=TEN)
    # Pretend the checks ran before the other desk's booking was committed.
    monkeypatch.setattr("sessions.booking.booking_problems", lambda appointment: ([], []))

    with pytest.raises(Refused) as excinfo:
        appointment_book(patient=PatientFactory(), therapist=therapist, room=room, modality=back_massage, starts_at=TEN)

    assert excinfo.value.reasons == [SLOT_TAKEN]
    assert Appointment.objects.count() == 1


def test_after_a_race_refused_inside_a_longer_transaction_that_transaction_goes_on(back_massage, monkeypatch):
    """A series or a waitlist offer books inside a transaction of its own, and after one refusal
    it goes on writing: the refused booking is rolled back alone."""
    therapist = TherapistFactory(modalities=[back_massage])
    room = RoomFactory(modalities=[back_massage])
    AppointmentFactory(therapist=therapist, modality=back_massage, starts_at=TEN)
    monkeypatch.setattr("sessions.booking.booking_problems", lambda appointment: ([], []))
    book = partial(appointment_book, patient=PatientFactory(), therapist=therapist, room=room, modality=back_massage)

    with transaction.atomic():
        with pytest.raises(Refused) as excinfo:
            book(starts_at=TEN)
        later = book(starts_at=TEN + dt.timedelta(hours=2))

    assert excinfo.value.reasons == [SLOT_TAKEN]
    assert Appointment.objects.filter(pk=later.pk).exists()
    assert Appointment.objects.count() == 2
