"""Every request is throttled per user and goes to the audit log like a page read."""

import datetime as dt
from unittest import mock

import pytest
from auditlog.models import LogEntry
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from clinic.audit import ALLOWED, REFUSED, VIEW, access_entry
from tests.api.conftest import api_client
from tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


@override_settings(CLINIC_API_THROTTLE_RATE="3/minute")
def test_too_many_requests_are_answered_429(receptionist):
    cache.clear()
    client = api_client(receptionist)

    statuses = [client.get("/api/v1/patients/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    cache.clear()


def _entries(user):
    return list(LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=user).order_by("pk"))


def test_a_read_of_a_patient_is_audited_with_the_patient(desk, receptionist, maria_keller):
    desk.get(f"/api/v1/patients/{maria_keller.pk}/")

    entry = _entries(receptionist)[-1]
    assert entry.additional_data["patient_id"] == maria_keller.pk
    assert entry.additional_data["action"] == VIEW
    assert entry.additional_data["outcome"] == ALLOWED
    assert entry.additional_data["path"] == f"/api/v1/patients/{maria_keller.pk}/"


def test_a_refused_request_is_audited_as_refused(stranger_therapist, maria_keller):
    stranger_therapist.get(f"/api/v1/patients/{maria_keller.pk}/")

    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).order_by("pk").last()
    assert entry.additional_data["patient_id"] == maria_keller.pk
    assert entry.additional_data["outcome"] == REFUSED


def test_a_list_is_audited_too(desk, receptionist):
    desk.get("/api/v1/appointments/")

    assert _entries(receptionist)[-1].additional_data["path"] == "/api/v1/appointments/"


def test_a_write_is_audited_with_its_patient(desk, receptionist):
    appointment = AppointmentFactory()

    desk.post(
        f"/api/v1/appointments/{appointment.pk}/status/", {"status": "cancelled", "reason": "Ill."}, format="json"
    )

    entry = _entries(receptionist)[-1]
    assert entry.additional_data["patient_id"] == appointment.patient_id
    assert entry.additional_data["action"] == "api_write"
    assert entry.additional_data["outcome"] == ALLOWED


@override_settings(CLINIC_API_THROTTLE_RATE="3/minute")
def test_requests_any_server_answered_count_and_the_refusal_says_when_to_retry(receptionist):
    # Two requests answered by another server: all any server knows of them is their audit entries.
    for _ in range(2):
        access_entry(receptionist, actor=receptionist, remote_addr="10.0.0.2", data={"path": "/api/v1/patients/"})
    access_entry(receptionist, actor=receptionist, remote_addr="10.0.0.2", data={"path": "/reception/"})  # a page
    client = api_client(receptionist)

    statuses = [client.get("/api/v1/patients/").status_code for _ in range(2)]

    assert statuses == [200, 429]
    assert 0 < int(client.get("/api/v1/patients/")["Retry-After"]) <= 60


@override_settings(CLINIC_API_THROTTLE_RATE="3/minute")
def test_requests_older_than_the_period_no_longer_count(receptionist):
    client = api_client(receptionist)
    assert [client.get("/api/v1/patients/").status_code for _ in range(4)] == [200, 200, 200, 429]

    # The audit log never changes an entry (on PostgreSQL a trigger refuses): let the clock move on.
    with mock.patch.object(timezone, "now", return_value=timezone.now() + dt.timedelta(minutes=1, seconds=1)):
        assert client.get("/api/v1/patients/").status_code == 200
