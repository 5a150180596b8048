"""On PostgreSQL, the booking engine's reads are planned once per connection, not once per
booking (clinic.plan_cache), and the setting ends with the booking's transaction.

Run with: scripts/with-postgres .venv/bin/pytest tests/sessions/test_booking_plans.py
"""

import datetime as dt

import pytest
from django.db import connection

from sessions.booking import appointment_book, appointment_reschedule
from tests.factories import PatientFactory, RoomFactory, TherapistFactory, local, next_weekday

# A transaction of the test's own would hold the booking's SET LOCAL until the test ends.
pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

MONDAY = next_weekday(0)
# psycopg prepares a statement on its sixth run (prepare_threshold 5): two more make sure.
BOOKINGS = 8


def plans_of(fragment: str) -> tuple[int, int]:
    """(generic, custom) plans PostgreSQL made for the prepared statements containing `fragment`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(generic_plans), 0)::int, coalesce(sum(custom_plans), 0)::int"
            " FROM pg_prepared_statements WHERE statement LIKE %s",
            [f"%{fragment}%"],
        )
        return tuple(cursor.fetchone())


def plan_cache_mode() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        return cursor.fetchone()[0]


@pytest.fixture
def booked(back_massage):
    """BOOKINGS sessions on one connection, one an hour, each for a patient of its own."""
    therapist = TherapistFactory(modalities=[back_massage])
    room = RoomFactory(modalities=[back_massage])
    return [
        appointment_book(
            patient=PatientFactory(),
            therapist=therapist,
            room=room,
            modality=back_massage,
            starts_at=local(MONDAY.year, MONDAY.month, MONDAY.day, 8) + dt.timedelta(hours=hour),
        )
        for hour in range(BOOKINGS)
    ]


# The schedule around the slot (sessions.schedule: its rows end in a NULL "held until") and the
# gate's statement (patients.against_treatment); no other statement of a booking reads like them.
READS = ['NULL FROM "treatment_sessions_appointment" WHERE (', "SELECT 'a', patient_id"]


@pytest.mark.parametrize("read", READS)
def test_the_booking_engines_reads_keep_one_plan(booked, read):
    generic, custom = plans_of(read)
    assert generic >= BOOKINGS - 6  # every run since it was prepared
    assert custom == 0


def test_a_move_keeps_one_plan_too(booked):
    # A move's schedule leaves the session itself out: a statement of its own.
    for appointment in booked:
        appointment_reschedule(appointment=appointment, starts_at=appointment.starts_at + dt.timedelta(days=7))
    generic, custom = plans_of(READS[0] + "%AND id <> $")
    assert generic >= BOOKINGS - 6
    assert custom == 0


def test_the_setting_ends_with_the_booking(booked):
    assert plan_cache_mode() == "auto"
