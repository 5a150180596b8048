"""The manager's audit log page lists and filters the entries; nobody changes or deletes an entry
through the app, the admin included."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from clinic import roles
from pages.paging import CappedPaginator
from tests.conftest import client_for
from tests.factories import (
    AppointmentFactory,
    TherapistFactory,
    UserFactory,
)

AUDIT_URL = reverse("manager:audit_log")


@pytest.fixture
def lenas_session(maria, lena):
    """Lena saw Maria two hours ago."""
    return AppointmentFactory(patient=maria, therapist=lena, starts_at=timezone.now() - dt.timedelta(hours=2))


@pytest.fixture
def history(maria, as_lena, lenas_session):
    """Lena reads Maria's chart and a note; someone else is refused; another patient is read."""
    as_lena.get(reverse("chart:patient_chart", args=[maria.pk]))
    as_lena.get(reverse("therapist:note_edit", args=[lenas_session.pk]))
    client_for(TherapistFactory(user__username="other").user).get(reverse("chart:patient_chart", args=[maria.pk]))
    someone = AppointmentFactory(therapist=lenas_session.therapist).patient
    as_lena.get(reverse("chart:patient_chart", args=[someone.pk]))
    return someone


def rows(response) -> int:
    return response.content.decode().count('class="audit-entry"')


def test_the_manager_sees_the_entries_newest_first(manager, history, maria):
    response = client_for(manager).get(AUDIT_URL)
    assert response.status_code == 200
    entries = list(response.context["page"].object_list)
    assert len(entries) == LogEntry.objects.count() == rows(response)
    assert [e.pk for e in entries] == sorted((e.pk for e in entries), reverse=True)
    assert str(maria) in response.content.decode()


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"user": "lena"}, 3),
        ({"user": "other", "outcome": "refused"}, 1),
        ({"outcome": "refused"}, 1),
        ({"action": "view", "user": "lena"}, 3),
    ],
)
def test_the_manager_filters_by_user_action_and_outcome(manager, history, params, expected):
    response = client_for(manager).get(AUDIT_URL, params)
    assert response.status_code == 200
    assert rows(response) == expected


def test_the_manager_filters_created_records(manager, history, maria):
    """The two patients' records, and the clinic the fixtures set up (therapists, rooms, hours:
    the manager's editors are logged too)."""
    creates = LogEntry.objects.filter(action=LogEntry.Action.CREATE)
    patients = creates.filter(content_type__model="patient").count()
    assert patients == 2
    assert creates.filter(content_type__model__in=["therapist", "room", "workinghours"]).exists()
    assert rows(client_for(manager).get(AUDIT_URL, {"action": "create"})) == creates.count()
    assert rows(client_for(manager).get(AUDIT_URL, {"action": "create", "patient": maria.pk})) == 1


def test_the_manager_filters_by_patient(manager, history, maria):
    response = client_for(manager).get(AUDIT_URL, {"patient": maria.pk})
    assert rows(response) == 4  # her record created, the chart, the note, the refusal
    assert rows(client_for(manager).get(AUDIT_URL, {"patient": history.pk})) == 2


def test_the_manager_filters_by_date(manager, history):
    today = timezone.localdate()
    assert rows(client_for(manager).get(AUDIT_URL, {"since": today, "until": today})) == LogEntry.objects.count()
    yesterday = today - dt.timedelta(days=1)
    assert rows(client_for(manager).get(AUDIT_URL, {"until": yesterday})) == 0


def test_the_page_is_paginated(manager, maria, as_lena):
    for _ in range(55):
        as_lena.get(reverse("chart:patient_chart", args=[maria.pk]))
    first = client_for(manager).get(AUDIT_URL)
    assert rows(first) == 50
    second = client_for(manager).get(AUDIT_URL, {"page": 2})
    assert rows(second) >= 5


def test_a_log_longer_than_the_count_cap_pages_on_without_a_total(manager, maria, as_lena, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 60)
    for _ in range(110):
        as_lena.get(reverse("chart:patient_chart", args=[maria.pk]))
    first = client_for(manager).get(AUDIT_URL).content.decode()
    assert "Page 1</span>" in first and "Page 1 of" not in first
    assert '?page=2">Older</a>' in first
    third = client_for(manager).get(AUDIT_URL, {"page": 3})
    assert 0 < rows(third) < 50 and LogEntry.objects.count() > 100  # past the 60 counted: the oldest entries
    assert "Page 3</span>" in third.content.decode() and "Older" not in third.content.decode()


def test_the_page_runs_a_fixed_number_of_queries(manager, history, django_assert_max_num_queries):
    client = client_for(manager)
    with django_assert_max_num_queries(10):
        client.get(AUDIT_URL)


@pytest.mark.parametrize("role", [roles.RECEPTIONIST, roles.THERAPIST, roles.PATIENT])
def test_only_managers_see_the_audit_log(db, role):
    user = UserFactory(username=f"u-{role}", role=role)
    assert client_for(user).get(AUDIT_URL).status_code == 403
    assert client_for(user).get(reverse("manager:break_glass_list")).status_code == 403


def test_the_manager_navigation_links_the_audit_log(manager):
    assert f'href="{AUDIT_URL}"' in client_for(manager).get(reverse("manager:manager_home")).content.decode()


def test_it_rejects_post(manager):
    assert client_for(manager).post(AUDIT_URL).status_code == 405


# Nobody changes or deletes an entry through the app


def test_the_admin_shows_the_log_but_cannot_add_change_or_delete(db, history):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = client_for(admin)
    entry = LogEntry.objects.first()
    assert client.get(reverse("admin:auditlog_logentry_changelist")).status_code == 200
    assert client.get(reverse("admin:auditlog_logentry_add")).status_code == 403
    change = reverse("admin:auditlog_logentry_change", args=[entry.pk])
    assert client.get(change).status_code == 200  # shown read-only
    client.post(change, {"object_repr": "edited"})
    entry.refresh_from_db()
    assert entry.object_repr != "edited"
    assert client.post(reverse("admin:auditlog_logentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    count = LogEntry.objects.count()
    client.post(
        reverse("admin:auditlog_logentry_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert LogEntry.objects.count() >= count
    assert LogEntry.objects.filter(pk=entry.pk).exists()
