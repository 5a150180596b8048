import datetime as dt

import pytest
from django.urls import reverse

from clinic import roles
from sessions.models import AppointmentStatus
from tests.conftest import client_for
from tests.factories import (
    CourseFactory,
    UserFactory,
    at,
)
from tests.scenes import asks_to_log_in, course_session, shows


def url(appointment) -> str:
    return reverse("booking:appointment_detail", args=[appointment.pk])


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


def test_it_offers_the_front_desk_actions_for_a_booked_session(reception, session):
    content = reception.get(url(session)).content.decode()
    for name in ("appointment_check_in", "appointment_no_show"):
        assert f'action="{reverse(f"booking:{name}", args=[session.pk])}"' in content
    assert f'href="{reverse("booking:appointment_reschedule", args=[session.pk])}"' in content
    assert f'href="{reverse("booking:appointment_cancel", args=[session.pk])}"' in content


def test_it_offers_complete_to_the_therapist(therapist, session):
    content = client_for(therapist.user).get(url(session)).content.decode()
    assert f'action="{reverse("booking:appointment_complete", args=[session.pk])}"' in content


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
