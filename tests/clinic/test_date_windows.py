"""The date windows (clinic.date_windows): one home for how far back and ahead each kind of date
may lie, read by the models, the services, the pages' forms and the admin."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clinic.date_windows import (
    BIRTH_WINDOW,
    BOOKING_WINDOW,
    CLINICAL_WINDOW,
    DateWindow,
    WindowedDateTimeField,
    aware_or_invalid,
)
from clinic.refusals import Refused
from patients.models import Patient
from sessions.booking import appointment_book
from sessions.booking_checks import booking_problems
from tests.factories import AppointmentFactory, PatientFactory

TODAY = timezone.localdate()


# A whole number is a day counted from today, read when the test runs: a run that crosses
# midnight would otherwise test yesterday's today.
@pytest.mark.parametrize(
    "window, day, inside",
    [
        (BOOKING_WINDOW, 0, True),
        (BOOKING_WINDOW, 730, True),
        (BOOKING_WINDOW, 731, False),
        (BOOKING_WINDOW, -1, False),
        (BIRTH_WINDOW, dt.date(1900, 1, 1), True),
        (BIRTH_WINDOW, dt.date(1899, 12, 31), False),
        (BIRTH_WINDOW, 1, False),
        (CLINICAL_WINDOW, 0, True),
        (CLINICAL_WINDOW, dt.date(1, 1, 1), False),
        (CLINICAL_WINDOW, dt.date(9999, 12, 31), False),
    ],
)
def test_each_window_has_its_bounds(window, day, inside):
    if isinstance(day, int):
        day = timezone.localdate() + dt.timedelta(days=day)
    assert window.contains(day) is inside


@pytest.mark.parametrize(
    "window, day, message",
    [
        (BOOKING_WINDOW, TODAY - dt.timedelta(days=1), "Choose today or a later day."),
        (BOOKING_WINDOW, dt.date(9999, 12, 31), "Bookings reach two years ahead at most: choose a day until "),
        (BIRTH_WINDOW, dt.date(1, 1, 1), "The date of birth cannot be before 1900. Check the year."),
        (BIRTH_WINDOW, dt.date(9999, 1, 1), "The date of birth cannot be in the future."),
        (CLINICAL_WINDOW, dt.date(1, 1, 1), "Enter a date from 1 January 1900 to today."),
    ],
)
def test_outside_its_window_a_date_gets_a_message_not_an_overflow(window, day, message):
    with pytest.raises(ValidationError) as error:
        window(day)
    assert error.value.messages[0].startswith(message)


def test_a_moment_at_the_calendars_edge_is_outside_every_window():
    edge = dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.UTC)  # one hour later in Berlin: no such year
    assert not CLINICAL_WINDOW.contains(edge)
    assert not BOOKING_WINDOW.contains(dt.datetime(1, 1, 1, tzinfo=dt.UTC))


@pytest.mark.parametrize("value", ["0001-01-01T00:00", "9999-12-31T23:59"])
def test_a_typed_moment_at_the_calendars_edge_is_a_form_error(value):
    field = WindowedDateTimeField(input_formats=["%Y-%m-%dT%H:%M"])
    with pytest.raises(ValidationError):
        field.clean(value)


def test_a_day_and_time_at_the_calendars_edge_is_a_form_error():
    with pytest.raises(ValidationError):
        aware_or_invalid(dt.date(1, 1, 1), dt.time(0))
    assert aware_or_invalid(TODAY, dt.time(9)).tzinfo is not None


def test_windows_compare_by_value_so_migrations_stay_still():
    assert DateWindow("a day", 0, 730) == DateWindow("a day", 0, 730)
    assert DateWindow("a day", 0, 730) != DateWindow("a day", 0, 731)
    assert BIRTH_WINDOW.deconstruct()[0] == "clinic.date_windows.DateWindow"


@pytest.mark.django_db
def test_the_model_refuses_a_birth_date_outside_the_window():
    patient = Patient(first_name="Ann", last_name="Old", date_of_birth=dt.date(1850, 1, 1))
    with pytest.raises(ValidationError) as error:
        patient.full_clean()
    assert error.value.message_dict["date_of_birth"] == ["The date of birth cannot be before 1900. Check the year."]


@pytest.mark.django_db
def test_booking_more_than_two_years_ahead_is_refused(maria, anna, linden, massage):
    far = timezone.make_aware(dt.datetime.combine(TODAY + dt.timedelta(days=800), dt.time(10)))
    with pytest.raises(Refused) as refused:
        appointment_book(patient=maria, therapist=anna, room=linden, modality=massage, starts_at=far)
    assert refused.value.reasons[0].startswith("Bookings reach two years ahead at most")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "moment", [dt.datetime(9999, 12, 31, 23, 45, tzinfo=dt.UTC), dt.datetime(1, 1, 1, tzinfo=dt.UTC)]
)
def test_a_session_at_the_calendars_edge_is_refused_not_overflowed(maria, anna, linden, massage, moment):
    with pytest.raises(Refused):
        appointment_book(patient=maria, therapist=anna, room=linden, modality=massage, starts_at=moment)


@pytest.mark.django_db
def test_the_checks_refuse_a_moved_session_at_the_calendars_edge(massage):
    appointment = AppointmentFactory(patient=PatientFactory(), modality=massage)
    appointment.starts_at = dt.datetime(1, 1, 1, tzinfo=dt.UTC)
    reasons, warnings = booking_problems(appointment)
    assert reasons == ["Choose today or a later day."] and warnings == []
