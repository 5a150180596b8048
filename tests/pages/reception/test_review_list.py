"""The review list and its two answers: keep a flagged session, or cancel it."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from patients.models import Phase
from sessions.models import Appointment, AppointmentStatus
from tests.conftest import client_for
from tests.factories import (
    AppointmentFactory,
    DiagnosisFactory,
    PhaseRecordFactory,
    TherapistFactory,
    local,
)
from tests.scenes import asks_to_log_in, messages_of, shows, url_of

URL = reverse("reception:review_list")
# Session, user, roles, flagged appointments.
MAX_QUERIES = 4


keep_url = url_of("reception:review_keep")
cancel_url = url_of("reception:review_cancel")


@pytest.fixture
def sciatica(maria):
    return DiagnosisFactory(patient=maria, icd10_code="M54.4", title="Lumbago with sciatica")


@pytest.fixture
def session(maria, monday):
    return AppointmentFactory(
        patient=maria,
        therapist=TherapistFactory(user__first_name="Anna", user__last_name="Kuhn"),
        starts_at=local(monday.year, monday.month, monday.day, 10),
    )


@pytest.fixture
def flagged(session, sciatica):
    """Maria turned acute after her session was booked: the session is flagged, not deleted."""
    PhaseRecordFactory(diagnosis=sciatica, phase=Phase.ACUTE, effective_from=session.starts_at - dt.timedelta(days=9))
    session.refresh_from_db()
    assert session.needs_review
    return session


def test_it_lists_flagged_sessions_with_the_reason(reception, flagged):
    response = reception.get(URL)
    assert response.status_code == 200
    assert response.context["appointments"] == [flagged]
    shows(
        response,
        "Maria Lopez",
        "Acute phase of M54.4 Lumbago with sciatica",
        "with Anna Kuhn",
        f'action="{keep_url(flagged)}"',
        f'action="{cancel_url(flagged)}"',
    )


def test_it_leaves_out_sessions_that_are_fine_or_cancelled(reception, session, monday):
    AppointmentFactory(
        starts_at=session.starts_at + dt.timedelta(days=1),
        needs_review=True,
        review_reason="Review: acute",
        status=AppointmentStatus.CANCELLED,
        cancellation_reason="Acute",
    )
    response = reception.get(URL)
    assert response.context["appointments"] == []
    assert "No session needs review." in response.content.decode()


def test_keep_is_refused_while_the_patient_is_still_acute(reception, flagged):
    response = reception.post(keep_url(flagged))
    assert response.status_code == 302
    assert response.url == URL
    [message] = messages_of(response)
    assert "Acute phase of M54.4" in message
    flagged.refresh_from_db()
    assert flagged.needs_review
    assert flagged.status == AppointmentStatus.BOOKED


def test_keep_clears_the_flag_once_remission_is_recorded(reception, flagged, sciatica):
    PhaseRecordFactory(
        diagnosis=sciatica, phase=Phase.REMISSION, effective_from=flagged.starts_at - dt.timedelta(days=2)
    )
    response = reception.post(keep_url(flagged), follow=True)
    assert response.status_code == 200
    assert "Kept the session of Maria Lopez on the schedule." in response.content.decode()
    assert response.context["appointments"] == []
    flagged.refresh_from_db()
    assert (flagged.needs_review, flagged.review_reason, flagged.status) == (False, "", AppointmentStatus.BOOKED)


def test_cancel_cancels_the_session_with_the_reason(reception, flagged):
    response = reception.post(cancel_url(flagged), {"reason": "Acute phase: no massage until remission"})
    assert response.status_code == 302
    assert response.url == URL
    assert messages_of(response) == ["Cancelled the session of Maria Lopez."]
    flagged.refresh_from_db()
    assert flagged.status == AppointmentStatus.CANCELLED
    assert flagged.cancellation_reason == "Acute phase: no massage until remission"
    assert flagged.cancelled_at is not None
    assert not flagged.needs_review


@pytest.mark.parametrize("reason", ["", "   "])
def test_cancel_without_a_reason_changes_nothing(reception, flagged, reason):
    response = reception.post(cancel_url(flagged), {"reason": reason})
    assert response.status_code == 302
    assert messages_of(response) == ["Give a reason for the cancellation."]
    flagged.refresh_from_db()
    assert (flagged.status, flagged.needs_review) == (AppointmentStatus.BOOKED, True)


def test_cancel_of_a_session_completed_meanwhile_explains_instead_of_failing(reception, flagged):
    Appointment.objects.filter(pk=flagged.pk).update(status=AppointmentStatus.COMPLETED)
    response = reception.post(cancel_url(flagged), {"reason": "Acute"})
    assert response.status_code == 302
    assert messages_of(response) == ["A completed session cannot be marked cancelled."]
    flagged.refresh_from_db()
    assert flagged.status == AppointmentStatus.COMPLETED


@pytest.mark.parametrize("url", [keep_url, cancel_url])
def test_keep_and_cancel_answer_404_for_a_session_not_flagged(reception, session, url):
    assert reception.post(url(session), {"reason": "Acute"}).status_code == 404
    session.refresh_from_db()
    assert session.status == AppointmentStatus.BOOKED


def test_it_lists_any_number_of_flagged_sessions_in_the_same_few_queries(
    reception, monday, django_assert_max_num_queries
):
    def flag(count):
        for i in range(count):
            AppointmentFactory(
                starts_at=local(monday.year, monday.month, monday.day, 8 + i % 10) + dt.timedelta(days=i // 10),
                needs_review=True,
                review_reason="Review: acute",
            )

    flag(2)
    with CaptureQueriesContext(connection) as few:
        reception.get(URL)
    flag(20)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = reception.get(URL)
    assert len(response.context["appointments"]) == 22
    with CaptureQueriesContext(connection) as many:
        reception.get(URL)
    assert len(few) == len(many)


def test_managers_may_review(manager, flagged):
    client = client_for(manager)
    assert client.get(URL).status_code == 200
    assert client.post(cancel_url(flagged), {"reason": "Acute"}).status_code == 302
    flagged.refresh_from_db()
    assert flagged.status == AppointmentStatus.CANCELLED


def test_it_asks_anonymous_visitors_to_log_in(client, flagged):
    for response in (
        client.get(URL),
        client.post(keep_url(flagged)),
        client.post(cancel_url(flagged), {"reason": "x"}),
    ):
        asks_to_log_in(response)
    flagged.refresh_from_db()
    assert (flagged.status, flagged.needs_review) == (AppointmentStatus.BOOKED, True)


@pytest.mark.parametrize("role", ["therapist", "patient_user"])
def test_it_refuses_therapists_and_patients(request, role, flagged, sciatica):
    PhaseRecordFactory(
        diagnosis=sciatica, phase=Phase.REMISSION, effective_from=flagged.starts_at - dt.timedelta(days=2)
    )
    user = request.getfixturevalue(role)
    client = client_for(getattr(user, "user", user))
    assert client.get(URL).status_code == 403
    assert client.post(keep_url(flagged)).status_code == 403
    assert client.post(cancel_url(flagged), {"reason": "Acute"}).status_code == 403
    flagged.refresh_from_db()
    assert (flagged.status, flagged.needs_review) == (AppointmentStatus.BOOKED, True)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_list_rejects_other_methods(reception, method):
    assert getattr(reception, method)(URL).status_code == 405


@pytest.mark.parametrize("url", [keep_url, cancel_url])
@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_keep_and_cancel_reject_get_and_other_methods(reception, flagged, url, method):
    assert getattr(reception, method)(url(flagged)).status_code == 405
    flagged.refresh_from_db()
    assert (flagged.status, flagged.needs_review) == (AppointmentStatus.BOOKED, True)
