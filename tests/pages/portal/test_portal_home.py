"""The portal home: each course's progress, the next sessions, the pain chart, the therapist's
summaries and the home programme; the patient's own only, never the clinical text."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic import roles
from sessions.course_progress import sessions_left
from sessions.models import AppointmentStatus, CourseStatus
from tests.conftest import client_for
from tests.factories import ModalityFactory, SessionNoteFactory, UserFactory
from tests.scenes import (
    SOAP,
    asks_to_log_in,
    course_for,
    days_ago,
    held,
    portal_overhead,
    portal_patient,
    queries_of,
    session,
    shared_place,
)

URL = reverse("portal:portal_home")


@pytest.fixture
def anna(db):
    return portal_patient(first_name="Anna", email="anna.roth@example.org")


def page(patient) -> str:
    response = client_for(patient.user).get(URL)
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_progress_as_completed_sessions_with_a_signed_note_of_the_prescribed_range(anna):
    course = course_for(anna)
    place = shared_place()
    for day in range(6):
        held(course, days_ago(20 - 2 * day), **place)
    # Not done: a completed session whose note is still a draft, a missed one, a booked one.
    held(course, days_ago(3), signed=False, **place)
    session(anna, days_ago(2), course=course, status=AppointmentStatus.NO_SHOW, **place)
    session(anna, timezone.now() + dt.timedelta(days=2), course=course, **place)

    html = page(anna)

    assert "6 of 12–15</strong> sessions done" in html
    assert re.search(r'<progress[^>]*max="15" value="6"', html)
    assert "6–9 sessions to go." in html


@pytest.mark.parametrize(
    ("done", "low", "high", "text"),
    [
        (0, 12, 15, "12–15 sessions to go."),
        (12, 12, 15, "Up to 3 more, if your therapist advises them."),
        (15, 12, 15, "All prescribed sessions are done."),
        (4, 7, 7, "3 sessions to go."),
        (6, 7, 7, "1 session to go."),
    ],
)
def test_it_says_how_many_sessions_are_left(done, low, high, text):
    from pages.portal.views import sessions_left_text

    course = type("C", (), {"min_sessions": low, "max_sessions": high, "sessions_done": done})()
    course.sessions_left = sessions_left(course)

    assert sessions_left_text(course) == text


def test_it_draws_the_pain_chart_from_the_signed_scores_in_session_order(anna):
    course = course_for(anna)
    place = shared_place()
    held(course, days_ago(9), before=8, after=6, **place)
    held(course, days_ago(5), before=6, after=3, **place)
    held(course, days_ago(1), before=9, after=9, signed=False, **place)  # a draft may still change

    html = page(anna)

    chart = re.search(r'<svg[^>]*class="pain-chart".*?</svg>', html, re.S).group(0)
    assert f'id="pain-chart-{course.pk}-title"' in chart
    assert len(re.findall(r"<circle ", chart)) == 2  # pain before: one marker per signed session
    assert len(re.findall(r"<rect ", chart)) == 2  # pain after
    assert "Before the first session: 8." in chart
    assert "After the last session: 3." in chart


def test_without_a_score_yet_it_says_when_the_chart_appears(anna):
    course_for(anna)

    html = page(anna)

    assert "pain-chart" not in html
    assert "Your pain scores appear here after your first session." in html


def test_it_shows_the_summaries_of_signed_notes_only_and_never_the_clinical_text(anna):
    course = course_for(anna)
    place = shared_place()
    held(course, days_ago(6), summary="Good start: the left buttock was less tense.", **place)
    held(course, days_ago(2), summary="DRAFT summary not signed yet", signed=False, **place)

    html = page(anna)

    assert "Good start: the left buttock was less tense." in html
    assert "DRAFT summary" not in html
    for text in SOAP.values():
        assert text.split()[0] not in html


def test_the_three_newest_summaries_show_and_the_earlier_ones_fold_away(anna):
    course = course_for(anna)
    place = shared_place()
    for number in range(1, 6):
        held(course, days_ago(20 - number), summary=f"Summary number {number}.", **place)

    html = page(anna)

    shown, folded = html.split("<details", 1)
    assert [int(n) for n in re.findall(r"Summary number (\d)", shown)] == [5, 4, 3]
    assert [int(n) for n in re.findall(r"Summary number (\d)", folded)] == [2, 1]
    assert "Earlier sessions (2)" in folded


def test_sessions_outside_a_course_show_their_summary_and_scores(anna):
    appointment = session(anna, days_ago(5), status=AppointmentStatus.COMPLETED)
    SessionNoteFactory(
        appointment=appointment,
        pain_before=None,
        pain_after=3,
        patient_summary="A single session of acupressure.",
        signed_at=timezone.now(),
        signed_by=appointment.therapist.user,
    )

    html = page(anna)

    single = html.split('id="other-sessions"', 1)[1]
    assert "A single session of acupressure." in single
    assert "pain – → 3" in single


def test_it_shows_the_home_programme_of_each_course(anna):
    course_for(anna, home_programme="Seated spine stretch, ten times, twice a day.")

    assert "Seated spine stretch, ten times, twice a day." in page(anna)


def test_it_lists_the_next_three_sessions_soonest_first(anna):
    course = course_for(anna)
    place = shared_place()
    soon = [timezone.now() + dt.timedelta(days=d, hours=1) for d in (1, 3, 5, 7)]
    for starts_at in reversed(soon):
        session(anna, starts_at, course=course, **place)
    cancelled = {"status": AppointmentStatus.CANCELLED, "cancellation_reason": "Ill"}
    session(anna, timezone.now() + dt.timedelta(hours=12), **cancelled, **place)

    response = client_for(anna.user).get(URL)

    assert [a.starts_at for a in response.context["upcoming"]] == soon[:3]
    assert [a.session_number for a in response.context["upcoming"]] == [1, 2, 3]
    assert "session 1 of 12–15" in response.content.decode()


def test_it_hides_a_cancelled_course_with_nothing_done(anna):
    course_for(anna, status=CourseStatus.CANCELLED)

    assert "No course of treatment has been prescribed yet." in page(anna)


def test_it_shows_nothing_of_another_patient(anna):
    other = portal_patient()
    course = course_for(other, home_programme="OTHER PATIENT'S PROGRAMME")
    held(course, days_ago(4), summary="OTHER PATIENT'S SUMMARY")

    html = page(anna)

    assert "OTHER PATIENT" not in html
    assert "No course of treatment has been prescribed yet." in html


def test_a_patient_login_without_a_patient_record_gets_a_friendly_page(db):
    user = UserFactory(role=roles.PATIENT)

    response = client_for(user).get(URL)

    assert response.status_code == 200
    assert b"not connected to your patient record" in response.content
    assert b"+49 30 1234 5678" in response.content


@pytest.mark.parametrize("role", [roles.RECEPTIONIST, roles.THERAPIST, roles.MANAGER])
def test_staff_get_403(role, db):
    assert client_for(UserFactory(role=role)).get(URL).status_code == 403


def test_it_sends_an_anonymous_visitor_to_the_login_page(client, db):
    asks_to_log_in(client.get(URL))


def test_it_rejects_post(anna):
    assert client_for(anna.user).post(URL).status_code == 405


def test_the_navigation_links_the_patient_pages(anna):
    html = page(anna)

    assert f'href="{URL}">My treatment<' in html
    assert f'href="{reverse("portal:portal_appointments")}">Appointments<' in html


def _scene(patient, courses: int) -> None:
    place = shared_place()
    modality = ModalityFactory(name="Therapeutic massage", course_min_sessions=12, course_max_sessions=15)
    for index in range(courses):
        course = course_for(patient, modality=modality)
        held(course, days_ago(30 - index), summary=f"Summary {index}", **place)
        session(patient, timezone.now() + dt.timedelta(days=index + 2), course=course, **place)


def _queries(patient) -> int:
    return queries_of(client_for(patient.user), URL)


def test_the_number_of_queries_does_not_grow_with_courses_and_notes(db):
    few, many = portal_patient(), portal_patient()
    _scene(few, 2)
    _scene(many, 10)

    assert _queries(few) == _queries(many)
    client = client_for(many.user)
    overhead = portal_overhead(client)
    # Beyond what every portal page costs: notes, courses, next sessions, their place in the
    # course, the audit log entry of the read; and the outcome measures asked (two: measures and
    # their items) and the patient's scores (what is due, the trends); the waitlist offers the
    # patient holds; what is due before treatment (sessions.portal.before_treatment_due: the
    # planned modalities, the intake answered and asked, the consents' three).
    assert queries_of(client, URL) <= overhead + 9 + 6
