"""Every request is throttled per user and goes to the audit log like a page read."""

import pytest
from auditlog.models import LogEntry
from django.core.cache import cache
from django.test import override_settings

from clinic.audit import ALLOWED, REFUSED, VIEW
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
