"""The demo lives in the present: seeded at any day and hour (the app's clock patched, as
libfaketime is not available), it shows sessions still ahead today, notes from yesterday to sign
and sessions to review; a later day moves it; a database with other data is never touched."""

import datetime as dt
from io import StringIO
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from clinic import roles
from clinic.models import Closure, ClosureKind, Therapist
from patients.models import Patient
from sessions.models import Appointment, AppointmentStatus, SessionNote
from sessions.schedule import at_local
from tests.conftest import rebooking_problems
from tests.factories import PatientFactory, UserFactory
from tests.sessions.test_seed_demo import FAST_HASHER, model_counts


def seed_at(moment, *args) -> str:
    """seed_demo as if it were `moment` (the app's clock patched: no libfaketime here)."""
    out = StringIO()
    with (
        mock.patch("django.utils.timezone.now", return_value=moment),
        override_settings(PASSWORD_HASHERS=[FAST_HASHER]),
    ):
        call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def next_day(weekday: int) -> dt.date:
    today = timezone.localdate()
    return today + dt.timedelta(days=(weekday - today.weekday()) % 7 or 7)


def ahead_today(moment):
    end_of_day = at_local(timezone.localdate(moment) + dt.timedelta(days=1), dt.time.min)
    return Appointment.objects.filter(
        starts_at__gt=moment, starts_at__lt=end_of_day, status=AppointmentStatus.BOOKED, needs_review=False
    )


@pytest.mark.parametrize(
    "weekday, time",
    [(0, dt.time(23, 30)), (6, dt.time(7, 0)), (5, dt.time(16, 45)), (2, dt.time(12, 0)), (3, dt.time(19, 10))],
    ids=["monday-23:30", "sunday-07:00", "saturday-16:45", "wednesday-noon", "thursday-19:10"],
)
def test_any_day_at_any_hour_the_demo_has_sessions_ahead_unsigned_notes_and_reviews(db, weekday, time):
    moment = at_local(next_day(weekday), time)
    seed_at(moment)

    with mock.patch("django.utils.timezone.now", return_value=moment):
        lena = Therapist.objects.get(user__username="therapist")
        assert ahead_today(moment).filter(therapist=lena).exists(), "My day has nothing ahead"
        assert ahead_today(moment).count() >= 2, "the day board has nothing ahead"
        yesterday = timezone.localdate(moment) - dt.timedelta(days=1)
        unsigned = SessionNote.objects.filter(
            signed_at__isnull=True,
            appointment__starts_at__gte=at_local(yesterday, dt.time.min),
            appointment__starts_at__lt=at_local(yesterday + dt.timedelta(days=1), dt.time.min),
        )
        assert unsigned.exists(), "yesterday has no notes left to sign"
        assert Appointment.objects.needing_review().filter(starts_at__gt=moment).exists()
        # The demo still obeys the booking rules it was booked through.
        for appointment in ahead_today(moment):
            assert rebooking_problems(appointment) == [], appointment


def test_a_public_holiday_today_opens_the_demo_clinic(db):
    christmas = at_local(dt.date(timezone.localdate().year + 1, 12, 25), dt.time(10))
    with override_settings(CLINIC_HOLIDAYS_COUNTRY="DE", CLINIC_HOLIDAYS_SUBDIVISION="BE"):
        seed_at(christmas)
        with mock.patch("django.utils.timezone.now", return_value=christmas):
            assert Closure.objects.filter(kind=ClosureKind.HOLIDAY_OPEN, starts_on=christmas.date()).exists()
            assert ahead_today(christmas).exists()


def test_a_later_day_moves_the_demo_to_that_day_and_the_same_day_changes_nothing(db):
    monday = at_local(next_day(0), dt.time(9))
    assert "Demo data loaded" in seed_at(monday)
    counts = model_counts()

    assert "nothing changed" in seed_at(monday + dt.timedelta(hours=5))
    assert model_counts() == counts

    tuesday = monday + dt.timedelta(days=1)
    assert "moved to today" in seed_at(tuesday)
    assert Patient.objects.count() == counts["Patient"]
    assert User.objects.get(username="reception").date_joined == tuesday
    assert ahead_today(tuesday).exists()
    assert not Appointment.objects.filter(starts_at__gt=tuesday + dt.timedelta(days=15)).exists()


def test_reset_seeds_again_the_same_day(db):
    moment = at_local(next_day(2), dt.time(9))
    seed_at(moment)
    first_pks = set(Patient.objects.values_list("pk", flat=True))

    assert "moved to today" in seed_at(moment + dt.timedelta(hours=1), "--reset")

    assert Patient.objects.count() == len(first_pks)
    assert not first_pks & set(Patient.objects.values_list("pk", flat=True))


@pytest.mark.parametrize("reset", [False, True], ids=["seed", "reset"])
def test_a_database_with_other_data_is_refused_and_left_alone(db, reset):
    """A real clinic's patient: the demo neither loads into nor resets that database."""
    PatientFactory(first_name="Ruth", last_name="Engel")
    counts = model_counts()

    with pytest.raises(CommandError, match="not the demo's"):
        seed_at(timezone.now(), *(["--reset"] if reset else []))

    assert model_counts() == counts


def test_another_staff_account_is_refused_too(db):
    UserFactory(username="real.receptionist", role=roles.RECEPTIONIST)
    with pytest.raises(CommandError, match="1 other user account"):
        seed_at(timezone.now())
    assert not User.objects.filter(username="reception").exists()


def test_the_printed_login_address_has_the_host_and_port_given(db):
    output = seed_at(timezone.now(), "--address", "0.0.0.0:8123")
    assert "http://0.0.0.0:8123/accounts/login/" in output
