"""The therapist's unsigned notes: the sessions she gave whose note is missing or a draft,
across days, oldest first, each linked to its note page."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions.models import AppointmentStatus
from tests.conftest import client_for
from tests.factories import AppointmentFactory, SessionNoteFactory, TherapistFactory
from tests.scenes import asks_to_log_in

URL = reverse("therapist:unsigned_notes")


def given(therapist, days_ago, status=AppointmentStatus.COMPLETED, **fields):
    starts_at = timezone.now().replace(microsecond=0) - dt.timedelta(days=days_ago)
    return AppointmentFactory(therapist=therapist, starts_at=starts_at, status=status, **fields)


def test_it_lists_her_sessions_without_a_signed_note_oldest_first(lena, maria):
    client = client_for(lena.user)
    draft = given(lena, 2, patient=maria)
    SessionNoteFactory(appointment=draft)
    missing = given(lena, 9, AppointmentStatus.CHECKED_IN)
    signed = given(lena, 1)
    SessionNoteFactory(appointment=signed, signed_at=timezone.now(), signed_by=lena.user)
    given(TherapistFactory(), 3)  # another therapist's
    response = client.get(URL)
    assert response.status_code == 200
    assert list(response.context["page_obj"]) == [missing, draft]
    content = response.content.decode()
    assert f'href="{reverse("therapist:note_edit", args=[missing.pk])}"' in content
    assert f'href="{reverse("therapist:note_edit", args=[draft.pk])}"' in content
    assert "Continue note" in content and "Write note" in content
    assert "<h1" in content and "Unsigned notes" in content


def test_all_signed_says_so(lena):
    assert "Every note of the sessions you gave is signed." in client_for(lena.user).get(URL).content.decode()


def test_the_query_count_does_not_grow_with_the_sessions(lena, django_assert_max_num_queries):
    for days in range(1, 30):
        session = given(lena, days)
        if days % 2:
            SessionNoteFactory(appointment=session)
    client = client_for(lena.user)
    with django_assert_max_num_queries(6):  # session, user, roles; the count and the page
        assert client.get(URL).status_code == 200


@pytest.mark.parametrize("role", ["receptionist", "manager", "patient_user"])
def test_other_roles_are_refused(request, role):
    assert client_for(request.getfixturevalue(role)).get(URL).status_code == 403


def test_another_therapist_sees_only_her_own(lena):
    given(lena, 2)
    assert list(client_for(TherapistFactory().user).get(URL).context["page_obj"]) == []


def test_it_asks_anonymous_visitors_to_log_in(client, db):
    asks_to_log_in(client.get(URL))


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_it_rejects_other_methods(lena, method):
    assert getattr(client_for(lena.user), method)(URL).status_code == 405
