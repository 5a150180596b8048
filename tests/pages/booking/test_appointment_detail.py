import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic import roles
from patients.models import FlagKind, Phase
from sessions.models import AppointmentStatus
from tests.conftest import client_for
from tests.factories import (
    CourseFactory,
    HealthFlagFactory,
    PhaseRecordFactory,
    UserFactory,
    at,
)
from tests.scenes import asks_to_log_in, course_session, shows, url_of

url = url_of("booking:appointment_detail")


@pytest.fixture
def session(maria, massage, anna, linden, monday):
    """The third session of Maria's ten-session course, Monday 10:00 with Anna in Room Linden."""
    course = CourseFactory(patient=maria, modality=massage, min_sessions=10, max_sessions=10)
    starts_at = at(monday, 10)
    for days_before in (7, 3):
        course_session(course, anna, linden, starts_at - dt.timedelta(days=days_before))
    return course_session(course, anna, linden, starts_at)


def test_it_shows_the_session(reception, session, monday):
    response = reception.get(url(session))
    shows(
        response,
        "Therapeutic massage — ",
        f'<a href="{session.patient.get_absolute_url()}">Maria Lopez</a>',
        f"{monday:%A} {monday.day} {monday:%B %Y}, 10:00–10:45",
        "Anna Kuhn",
        "Room Linden",
        "Session 3 of 10",
        "Booked</span>",
        status=200,
    )


@pytest.fixture
def started(session):
    """The session moved to today, started an hour ago (or at midnight in the first hour)."""
    midnight = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))
    session.starts_at = max(timezone.now().replace(microsecond=0) - dt.timedelta(hours=1), midnight)
    session.ends_at = session.starts_at + dt.timedelta(minutes=45)
    session.save()
    return session


def action_url(name: str, appointment) -> str:
    return reverse(f"booking:{name}", args=[appointment.pk])


def test_it_offers_the_front_desk_actions_for_a_booked_session_under_way(reception, started):
    content = reception.get(url(started)).content.decode()
    for name in ("appointment_check_in", "appointment_no_show", "appointment_complete"):
        assert f'action="{action_url(name, started)}"' in content
    assert f'href="{action_url("appointment_reschedule", started)}"' in content
    assert f'href="{action_url("appointment_cancel", started)}"' in content


def test_a_future_session_offers_only_reschedule_and_cancel(reception, session):
    # Check-in is for the session's day, completion and no-show for after its start: the
    # services would refuse them now, so the page does not offer them.
    content = reception.get(url(session)).content.decode()
    for name in ("appointment_check_in", "appointment_no_show", "appointment_complete"):
        assert action_url(name, session) not in content
    assert f'href="{action_url("appointment_reschedule", session)}"' in content
    assert f'href="{action_url("appointment_cancel", session)}"' in content


def test_it_offers_complete_to_the_therapist(therapist, started):
    content = client_for(therapist.user).get(url(started)).content.decode()
    assert f'action="{action_url("appointment_complete", started)}"' in content


def test_a_checked_in_session_offers_complete_and_cancel_only(reception, started):
    started.status = AppointmentStatus.CHECKED_IN
    started.save()
    content = reception.get(url(started)).content.decode()
    assert f'action="{action_url("appointment_complete", started)}"' in content
    assert f'href="{action_url("appointment_cancel", started)}"' in content
    for name in ("appointment_check_in", "appointment_no_show", "appointment_reschedule"):
        assert action_url(name, started) not in content


def test_an_acute_patient_is_shown_in_red_and_offered_no_treatment(reception, started, sciatica):
    PhaseRecordFactory(diagnosis=sciatica, phase=Phase.ACUTE)
    content = reception.get(url(started)).content.decode()
    assert "treatment-blocked" in content
    assert "Acute phase of M54.3 Sciatica" in content
    for name in ("appointment_check_in", "appointment_complete"):
        assert action_url(name, started) not in content
    # Reception can still record that the patient did not come, move or cancel the session.
    assert f'action="{action_url("appointment_no_show", started)}"' in content
    assert f'href="{action_url("appointment_cancel", started)}"' in content


def test_warn_rules_are_shown_for_the_therapist_to_read(reception, started, maria):
    HealthFlagFactory(patient=maria, kind=FlagKind.HYPERTENSION)  # the default rule warns
    content = reception.get(url(started)).content.decode()
    assert "treatment-warnings" in content
    assert "High blood pressure: the therapist should check it and adapt the pressure." in content
    assert f'action="{action_url("appointment_check_in", started)}"' in content


def test_it_shows_why_a_session_was_cancelled_and_offers_no_actions(reception, session):
    session.status = AppointmentStatus.CANCELLED
    session.cancellation_reason = "Patient called in sick"
    session.save()
    content = reception.get(url(session)).content.decode()
    assert "Cancelled because" in content
    assert "Patient called in sick" in content
    assert "Check in" not in content
    assert reverse("booking:appointment_cancel", args=[session.pk]) not in content
    assert reverse("booking:appointment_reschedule", args=[session.pk]) not in content


def test_it_shows_why_a_session_needs_review(reception, session):
    session.needs_review = True
    session.review_reason = "Review: Acute phase of M54.3 Sciatica recorded"
    session.save()
    content = reception.get(url(session)).content.decode()
    assert "Review: Acute phase of M54.3 Sciatica recorded" in content
    assert f'href="{reverse("reception:review_list")}"' in content


def test_it_links_back_to_the_day_board_of_the_session(reception, session, monday):
    content = reception.get(url(session)).content.decode()
    assert f'href="{reverse("reception:day_board")}?day={monday.isoformat()}"' in content


def test_it_answers_404_for_an_unknown_session(reception, db):
    assert reception.get(reverse("booking:appointment_detail", args=[999999])).status_code == 404


@pytest.mark.parametrize("role", ["therapist", "manager"])
def test_therapists_and_managers_see_the_session(request, role, session):
    user = request.getfixturevalue(role)
    assert client_for(getattr(user, "user", user)).get(url(session)).status_code == 200


def test_it_asks_anonymous_visitors_to_log_in(client, session):
    asks_to_log_in(client.get(url(session)))


def test_it_refuses_patients(patient_user, session):
    assert client_for(patient_user).get(url(session)).status_code == 403


def test_it_refuses_the_patient_of_the_session_too(session):
    session.patient.user = UserFactory(username="maria", role=roles.PATIENT)
    session.patient.save()
    assert client_for(session.patient.user).get(url(session)).status_code == 403


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_it_rejects_other_methods(reception, session, method):
    assert getattr(reception, method)(url(session)).status_code == 405
