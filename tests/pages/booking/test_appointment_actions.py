"""Check in, no-show and complete: the status buttons on the appointment page."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from patients.models import FlagKind, Phase
from sessions.models import AppointmentStatus
from sessions.schedule import at_local
from tests.conftest import client_for
from tests.factories import AppointmentFactory, HealthFlagFactory, PhaseRecordFactory, local, next_weekday
from tests.scenes import asks_to_log_in, messages_of

ACTIONS = ["appointment_check_in", "appointment_no_show", "appointment_complete"]


def url(name: str, appointment) -> str:
    return reverse(f"booking:{name}", args=[appointment.pk])


def back_on_the_page(response, appointment, message: str) -> None:
    """The action sends reception back to the appointment page with `message`."""
    assert response.status_code == 302
    assert response.url == appointment.get_absolute_url()
    assert messages_of(response) == [message]


def earlier_today() -> dt.datetime:
    """A start that has passed but is still today in the clinic, whatever the time of day."""
    start_of_day = at_local(timezone.localdate(), dt.time.min)
    return max(start_of_day, timezone.now() - dt.timedelta(hours=2)).replace(second=0, microsecond=0)


@pytest.fixture
def today(maria):
    """Maria's session today, which has already started (the factory skips the booking checks)."""
    return AppointmentFactory(patient=maria, starts_at=earlier_today())


@pytest.fixture
def yesterday(maria):
    return AppointmentFactory(patient=maria, starts_at=earlier_today() - dt.timedelta(days=1))


@pytest.fixture
def next_week(maria):
    monday = next_weekday(0)
    return AppointmentFactory(patient=maria, starts_at=local(monday.year, monday.month, monday.day, 10))


def test_check_in_on_the_day_marks_the_patient_arrived(reception, today):
    response = reception.post(url("appointment_check_in", today))
    back_on_the_page(response, today, "Maria Lopez is checked in.")
    today.refresh_from_db()
    assert today.status == AppointmentStatus.CHECKED_IN
    assert today.checked_in_at is not None


def test_check_in_shows_the_new_status_on_the_appointment_page(reception, today):
    response = reception.post(url("appointment_check_in", today), follow=True)
    content = response.content.decode()
    assert "Maria Lopez is checked in." in content
    assert "Checked in</span>" in content


@pytest.mark.parametrize("session", ["yesterday", "next_week"])
def test_check_in_on_another_day_is_refused(request, reception, session):
    appointment = request.getfixturevalue(session)
    response = reception.post(url("appointment_check_in", appointment))
    assert response.status_code == 302
    assert messages_of(response) == ["A patient is checked in on the day of the session only."]
    appointment.refresh_from_db()
    assert (appointment.status, appointment.checked_in_at) == (AppointmentStatus.BOOKED, None)


@pytest.mark.parametrize("session", ["today", "yesterday"])
def test_no_show_is_recorded_once_the_session_has_started(request, reception, session):
    appointment = request.getfixturevalue(session)
    response = reception.post(url("appointment_no_show", appointment))
    back_on_the_page(response, appointment, "Recorded that Maria Lopez did not come.")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.NO_SHOW


@pytest.mark.parametrize("status", [AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN])
def test_complete_after_the_start_completes_the_session(reception, today, status):
    today.status = status
    today.save()
    response = reception.post(url("appointment_complete", today))
    back_on_the_page(response, today, "The session of Maria Lopez is completed.")
    today.refresh_from_db()
    assert today.status == AppointmentStatus.COMPLETED


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("appointment_no_show", "A no-show is recorded only once the session's start time has passed."),
        ("appointment_complete", "A session cannot be completed before it starts."),
    ],
)
def test_no_show_and_complete_before_the_start_are_refused(reception, next_week, name, reason):
    response = reception.post(url(name, next_week))
    assert messages_of(response) == [reason]
    next_week.refresh_from_db()
    assert next_week.status == AppointmentStatus.BOOKED


@pytest.mark.parametrize(
    ("name", "target"),
    [
        ("appointment_check_in", "checked in"),
        ("appointment_no_show", "no-show"),
        ("appointment_complete", "completed"),
    ],
)
def test_a_cancelled_session_keeps_its_status(reception, today, name, target):
    today.status = AppointmentStatus.CANCELLED
    today.cancellation_reason = "Called in sick"
    today.save()
    response = reception.post(url(name, today))
    assert response.status_code == 302
    assert messages_of(response) == [f"A cancelled session cannot be marked {target}."]
    today.refresh_from_db()
    assert today.status == AppointmentStatus.CANCELLED


def test_a_no_show_cannot_be_checked_in_afterwards(reception, today):
    reception.post(url("appointment_no_show", today), follow=True)
    response = reception.post(url("appointment_check_in", today))
    assert messages_of(response) == ["A no-show session cannot be marked checked in."]
    today.refresh_from_db()
    assert today.status == AppointmentStatus.NO_SHOW


def test_it_returns_to_a_page_of_this_site_when_asked(reception, today):
    board = reverse("reception:day_board")
    response = reception.post(url("appointment_check_in", today), {"next": board})
    assert response.url == board


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/reception/", "javascript:alert(1)"])
def test_it_never_sends_the_user_to_another_site(reception, today, next_url):
    response = reception.post(url("appointment_check_in", today), {"next": next_url})
    assert response.status_code == 302
    assert response.url == today.get_absolute_url()


@pytest.mark.parametrize("name", ACTIONS)
def test_it_answers_404_for_an_unknown_session(reception, name):
    assert reception.post(reverse(f"booking:{name}", args=[999999])).status_code == 404


@pytest.mark.parametrize("role", ["therapist", "manager"])
def test_therapists_and_managers_may_complete(request, role, today):
    user = request.getfixturevalue(role)
    assert client_for(getattr(user, "user", user)).post(url("appointment_complete", today)).status_code == 302
    today.refresh_from_db()
    assert today.status == AppointmentStatus.COMPLETED


@pytest.mark.parametrize("name", ACTIONS)
def test_it_asks_anonymous_visitors_to_log_in(client, today, name):
    asks_to_log_in(client.post(url(name, today)))
    today.refresh_from_db()
    assert today.status == AppointmentStatus.BOOKED


@pytest.mark.parametrize("name", ACTIONS)
def test_it_refuses_patients(patient_user, today, name):
    assert client_for(patient_user).post(url(name, today)).status_code == 403
    today.refresh_from_db()
    assert today.status == AppointmentStatus.BOOKED


@pytest.mark.parametrize("name", ACTIONS)
@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_it_rejects_get_and_other_methods(reception, today, name, method):
    assert getattr(reception, method)(url(name, today)).status_code == 405
    today.refresh_from_db()
    assert today.status == AppointmentStatus.BOOKED


# The treatment gate at check-in


def test_check_in_is_refused_while_acute_with_the_reason(reception, today, sciatica):
    PhaseRecordFactory(diagnosis=sciatica, phase=Phase.ACUTE)
    response = reception.post(url("appointment_check_in", today))
    assert response.status_code == 302
    assert any("Acute phase of M54.3 Sciatica" in message for message in messages_of(response))
    today.refresh_from_db()
    assert today.status == AppointmentStatus.BOOKED


def test_check_in_with_warn_rules_succeeds_and_shows_them(reception, today, maria):
    HealthFlagFactory(patient=maria, kind=FlagKind.HYPERTENSION)
    response = reception.post(url("appointment_check_in", today))
    assert messages_of(response) == [
        "Maria Lopez is checked in.",
        "Before treating: High blood pressure: the therapist should check it and adapt the pressure.",
    ]
    today.refresh_from_db()
    assert today.status == AppointmentStatus.CHECKED_IN
