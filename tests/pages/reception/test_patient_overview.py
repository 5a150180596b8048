import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from patients.models import FlagKind, Phase
from sessions.models import AppointmentStatus
from tests import factories
from tests.conftest import client_for
from tests.factories import local, next_weekday
from tests.scenes import DETAILS, asks_to_log_in, queries_of, shows, url_of

MONDAY = next_weekday(0)
# Session, user, roles, patient, diagnoses, phase records, health flags, rules, courses, upcoming, past;
# and before treatment (sessions.portal.before_treatment_due): the planned modalities, the intake
# answered and asked, the consents (3).
MAX_QUERIES = 17


url = url_of("reception:patient_overview")


@pytest.fixture
def maria(db):
    return factories.PatientFactory(first_name="Maria", last_name="Lopez", email="maria@example.org", **DETAILS)


@pytest.fixture
def course(maria, massage):
    return factories.CourseFactory(
        patient=maria, modality=massage, min_sessions=10, max_sessions=10, starts_on=dt.date(2026, 11, 2)
    )


@pytest.fixture
def done(course, anna):
    """A session last week, completed and its note signed: it counts as done."""
    appointment = factories.AppointmentFactory(
        patient=course.patient,
        course=course,
        modality=course.modality,
        therapist=anna,
        starts_at=timezone.now().replace(microsecond=0) - dt.timedelta(days=7),
        status=AppointmentStatus.COMPLETED,
    )
    factories.SessionNoteFactory(appointment=appointment, signed_at=timezone.now(), signed_by=anna.user)
    return appointment


@pytest.fixture
def upcoming(course, anna):
    return factories.AppointmentFactory(
        patient=course.patient,
        course=course,
        modality=course.modality,
        therapist=anna,
        starts_at=local(MONDAY.year, MONDAY.month, MONDAY.day, 10),
    )


def test_it_shows_contact_details_and_that_the_patient_can_be_booked(reception, maria):
    shows(
        reception.get(url(maria)),
        '<h1 class="h3 mb-0 me-auto">Maria Lopez</h1>',
        "12 Apr 1975",
        "+49 30 555 0123",
        "maria@<wbr>example.<wbr>org",  # breaks only after the @ and the dot
        "15 Jan 2026",
        "<strong>Yes.</strong> Nothing blocks a booking.",
        f'href="{reverse("booking:appointment_book")}?patient={maria.pk}"',
        f'href="{reverse("reception:patient_edit", args=[maria.pk])}"',
        status=200,
    )


def test_it_shows_the_course_progress_and_the_sessions(reception, maria, course, done, upcoming):
    response = reception.get(url(maria))
    assert [(c.sessions_done, c.sessions_booked) for c in response.context["courses"]] == [(1, 2)]
    assert response.context["upcoming"] == [upcoming]
    assert response.context["past"] == [done]
    shows(
        response,
        "<strong>Therapeutic massage</strong> · Active · from 2 Nov 2026",
        "1 of 10 done · 2 booked or done",
        f'href="{reverse("booking:course_series_book", args=[course.pk])}"',
        f'href="{upcoming.get_absolute_url()}"',
        f'href="{done.get_absolute_url()}"',
        "Anna Kuhn",
        "Completed</span>",
    )


def test_a_completed_session_without_a_signed_note_is_not_yet_done(reception, maria, course, anna):
    factories.AppointmentFactory(
        patient=maria,
        course=course,
        modality=course.modality,
        therapist=anna,
        starts_at=timezone.now().replace(microsecond=0) - dt.timedelta(days=2),
        status=AppointmentStatus.COMPLETED,
    )
    assert "0 of 10 done · 1 booked or done" in reception.get(url(maria)).content.decode()


def test_it_says_when_nothing_is_there_yet(reception, maria):
    content = reception.get(url(maria)).content.decode()
    assert "No course prescribed." in content
    assert "Nothing booked." in content
    assert "No past session." in content


def test_it_marks_an_upcoming_session_that_needs_review(reception, maria, upcoming):
    upcoming.needs_review = True
    upcoming.review_reason = "Review: acute"
    upcoming.save()
    content = reception.get(url(maria)).content.decode()
    assert 'class="table-warning"' in content
    assert "Needs review</span>" in content


def test_it_shows_why_an_acute_patient_cannot_be_booked_and_hides_the_book_button(reception, maria, disc):
    factories.PhaseRecordFactory(diagnosis=disc, phase=Phase.ACUTE)
    response = reception.get(url(maria))
    assert not response.context["booking_status"].allowed
    content = response.content.decode()
    assert "<strong>No.</strong>" in content
    assert "Acute phase of M51.1 Lumbar disc disorder with radiculopathy" in content
    assert f'href="{reverse("booking:appointment_book")}?patient={maria.pk}"' not in content


def test_it_shows_warnings_next_to_a_yes(reception, maria):
    factories.HealthFlagFactory(patient=maria, kind=FlagKind.HYPERTENSION)
    content = reception.get(url(maria)).content.decode()
    assert "<strong>Yes.</strong>" in content
    assert "<strong>Warnings:</strong>" in content
    assert "the therapist should check it and adapt the pressure" in content
    assert f'href="{reverse("booking:appointment_book")}?patient={maria.pk}"' in content


def test_it_answers_404_for_an_unknown_patient(reception, db):
    assert reception.get(reverse("reception:patient_overview", args=[999999])).status_code == 404


def add_history(patient, massage, anna, count: int, skip_days: int = 0) -> None:
    """A course, `count` past sessions with signed notes and `count` upcoming ones, one a day
    after the first `skip_days` days on either side of today."""
    course = factories.CourseFactory(patient=patient, modality=massage, prescribed_by=anna.user)
    factories.DiagnosisFactory(patient=patient)
    factories.HealthFlagFactory(patient=patient, kind=FlagKind.PREGNANCY)
    now = timezone.now().replace(microsecond=0)
    for i in range(skip_days + 1, skip_days + count + 1):
        past = factories.AppointmentFactory(
            patient=patient,
            course=course,
            modality=massage,
            therapist=anna,
            starts_at=now - dt.timedelta(days=i),
            status=AppointmentStatus.COMPLETED,
        )
        factories.SessionNoteFactory(appointment=past, signed_at=now, signed_by=anna.user)
        factories.AppointmentFactory(
            patient=patient, course=course, modality=massage, therapist=anna, starts_at=now + dt.timedelta(days=i)
        )


def test_it_runs_the_same_few_queries_however_long_the_history(
    reception, maria, massage, anna, django_assert_max_num_queries
):
    add_history(maria, massage, anna, 2)
    few = queries_of(reception, url(maria))
    add_history(maria, massage, anna, 10, skip_days=2)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = reception.get(url(maria))
    assert len(response.context["upcoming"]) == 12
    assert len(response.context["courses"]) == 2
    assert queries_of(reception, url(maria)) == few


def test_managers_see_the_patient(manager, maria):
    assert client_for(manager).get(url(maria)).status_code == 200


def test_it_asks_anonymous_visitors_to_log_in(client, maria):
    asks_to_log_in(client.get(url(maria)))


@pytest.mark.parametrize("role", ["therapist", "patient_user"])
def test_it_refuses_therapists_and_patients(request, role, maria):
    user = request.getfixturevalue(role)
    assert client_for(getattr(user, "user", user)).get(url(maria)).status_code == 403


def test_it_refuses_a_patient_their_own_reception_page(patient_user):
    assert client_for(patient_user).get(url(patient_user.patient)).status_code == 403


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_it_rejects_other_methods(reception, maria, method):
    assert getattr(reception, method)(url(maria)).status_code == 405
