"""Suspending, resuming and closing a course from the chart."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from patients.models import Phase
from sessions.models import AppointmentStatus, CourseStatus
from tests.conftest import client_for
from tests.factories import (
    AppointmentFactory,
    CourseFactory,
    PhaseRecordFactory,
    SessionNoteFactory,
    TherapistFactory,
)
from tests.scenes import messages_of, shows


def url(name: str, course) -> str:
    return reverse(f"chart:{name}", args=[course.pk])


def chart(course) -> str:
    return reverse("chart:patient_chart", args=[course.patient.pk])


def status_of(course) -> str:
    course.refresh_from_db()
    return course.status


@pytest.fixture
def course(sciatica, massage, lena):
    """Lena prescribed it, so Maria is her patient."""
    return CourseFactory(
        patient=sciatica.patient,
        diagnosis=sciatica,
        modality=massage,
        prescribed_by=lena.user,
        starts_on=dt.date(2026, 3, 2),
    )


@pytest.fixture
def as_lena(lena):
    return client_for(lena.user)


def test_it_suspends_a_course(as_lena, course):
    response = as_lena.post(url("course_suspend", course))
    assert response.status_code == 302
    assert response.url == chart(course)
    assert status_of(course) == CourseStatus.SUSPENDED
    assert messages_of(response) == ["Suspended the course of Therapeutic massage; its booked sessions stay."]


def test_it_says_why_a_course_cannot_be_suspended(as_lena, course):
    course.status = CourseStatus.COMPLETED
    course.save()
    response = as_lena.post(url("course_suspend", course))
    assert response.url == chart(course)
    assert messages_of(response) == ["A completed course cannot be suspended."]
    assert status_of(course) == CourseStatus.COMPLETED


def test_it_resumes_a_suspended_course(as_lena, course):
    course.status = CourseStatus.SUSPENDED
    course.save()
    response = as_lena.post(url("course_resume", course))
    assert response.url == chart(course)
    assert status_of(course) == CourseStatus.ACTIVE
    assert messages_of(response) == ["Resumed the course of Therapeutic massage."]


def test_it_will_not_resume_while_the_patient_is_acute(as_lena, course, sciatica):
    course.status = CourseStatus.SUSPENDED
    course.save()
    PhaseRecordFactory(diagnosis=sciatica, phase=Phase.ACUTE, effective_from=timezone.now())
    response = as_lena.post(url("course_resume", course))
    assert response.url == chart(course)
    (message,) = messages_of(response)
    assert message.startswith("Acute phase of M54.3 Sciatica")
    assert status_of(course) == CourseStatus.SUSPENDED


def test_it_says_why_an_active_course_cannot_be_resumed(as_lena, course):
    response = as_lena.post(url("course_resume", course))
    assert messages_of(response) == ["An active course cannot be resumed."]
    assert status_of(course) == CourseStatus.ACTIVE


def test_the_close_page_shows_what_the_summary_will_say(as_lena, course, lena):
    for days, before, after in ((9, 7, 5), (2, 4, 2)):
        visit = AppointmentFactory(
            patient=course.patient,
            course=course,
            modality=course.modality,
            therapist=lena,
            starts_at=timezone.now() - dt.timedelta(days=days),
            status=AppointmentStatus.COMPLETED,
        )
        SessionNoteFactory(
            appointment=visit, pain_before=before, pain_after=after, signed_at=timezone.now(), signed_by=lena.user
        )
    response = as_lena.get(url("course_close", course))
    assert response.status_code == 200
    outcome = response.context["outcome"]
    assert (outcome.sessions_done, outcome.first_pain, outcome.last_pain, outcome.stopped_early) == (2, 7, 2, 0)
    shows(
        response,
        "Close the course of Therapeutic massage",
        '<dd class="col-sm-6">2 of 12–15</dd>',
        '<dd class="col-sm-6">7/10</dd>',
        'name="remarks"',
    )


def test_closing_stores_the_discharge_summary(as_lena, course):
    response = as_lena.post(url("course_close", course), {"remarks": "Pain free; keep up the seated twist."})
    assert response.status_code == 302
    assert response.url == chart(course)
    course.refresh_from_db()
    assert course.status == CourseStatus.COMPLETED
    assert course.discharge_summary.startswith("Therapeutic massage for M54.3 Sciatica, started 2 March 2026;")
    assert "by Lena Hoffmann." in course.discharge_summary
    assert course.discharge_summary.endswith("Therapist's remarks: Pain free; keep up the seated twist.")
    assert messages_of(response) == ["Closed the course of Therapeutic massage; the discharge summary is on the chart."]
    assert "Therapist&#x27;s remarks: Pain free" in as_lena.get(chart(course)).content.decode()


def test_remarks_that_are_too_long_are_refused(as_lena, course):
    response = as_lena.post(url("course_close", course), {"remarks": "x" * 2001})
    assert response.status_code == 200
    assert response.context["form"].errors["remarks"] == [
        "Ensure this value has at most 2000 characters (it has 2001)."
    ]
    assert status_of(course) == CourseStatus.ACTIVE


def test_a_closed_course_cannot_be_closed_again(as_lena, course):
    course.status = CourseStatus.COMPLETED
    course.discharge_summary = "First summary"
    course.save()
    page = as_lena.get(url("course_close", course)).content.decode()
    assert "This course is completed; there is nothing to close." in page
    assert 'name="remarks"' not in page
    response = as_lena.post(url("course_close", course), {"remarks": "Again"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["A completed course cannot be closed."]
    course.refresh_from_db()
    assert course.discharge_summary == "First summary"


def test_a_manager_may_change_a_course(manager, course):
    client = client_for(manager)
    assert client.post(url("course_suspend", course)).status_code == 302
    assert client.post(url("course_resume", course)).status_code == 302
    assert client.post(url("course_close", course), {"remarks": ""}).status_code == 302
    assert status_of(course) == CourseStatus.COMPLETED


@pytest.mark.parametrize("name", ["course_suspend", "course_resume", "course_close"])
def test_a_therapist_who_does_not_treat_the_patient_is_refused(name, course):
    stranger = client_for(TherapistFactory().user)
    assert stranger.post(url(name, course), {"remarks": ""}).status_code == 403
    assert status_of(course) == CourseStatus.ACTIVE


@pytest.mark.parametrize("role", ["receptionist", "patient_user"])
@pytest.mark.parametrize("name", ["course_suspend", "course_resume", "course_close"])
def test_reception_and_patients_are_refused(request, role, name, course):
    client = client_for(request.getfixturevalue(role))
    assert client.post(url(name, course), {"remarks": ""}).status_code == 403
    assert status_of(course) == CourseStatus.ACTIVE


def test_reception_cannot_open_the_close_page(receptionist, course):
    assert client_for(receptionist).get(url("course_close", course)).status_code == 403


@pytest.mark.parametrize("name", ["course_suspend", "course_resume", "course_close"])
def test_it_asks_anonymous_visitors_to_log_in(client, name, course):
    assert client.post(url(name, course)).url.startswith(reverse("login"))
    assert status_of(course) == CourseStatus.ACTIVE


@pytest.mark.parametrize("name", ["course_suspend", "course_resume", "course_close"])
def test_it_answers_404_for_an_unknown_course(manager, name):
    assert client_for(manager).post(reverse(f"chart:{name}", args=[999999])).status_code == 404


@pytest.mark.parametrize("name", ["course_suspend", "course_resume"])
@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_suspend_and_resume_take_only_post(as_lena, course, name, method):
    assert getattr(as_lena, method)(url(name, course)).status_code == 405
    assert status_of(course) == CourseStatus.ACTIVE


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_the_close_page_rejects_other_methods(as_lena, course, method):
    assert getattr(as_lena, method)(url("course_close", course)).status_code == 405
