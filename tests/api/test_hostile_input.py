"""Hostile input to the API is a 4xx, never a 5xx, and changes nothing."""

import pytest

from patients.models import Patient
from sessions.models import Appointment
from tests.api.conftest import api_client
from tests.pages.test_hostile_input_sweep import sweep

pytestmark = pytest.mark.django_db

NEW = {"first_name": "Jonas", "last_name": "Weber", "date_of_birth": "1980-02-03", "phone": "+49 30 123 4567"}


@pytest.mark.parametrize(
    "body, content_type",
    [
        ('{"first_name": "Jo\\u0000nas"}', "application/json"),
        ("{not json", "application/json"),
        ("first_name=Jonas", "application/x-www-form-urlencoded"),
        ("[1, 2, 3]", "application/json"),
        ('"a string"', "application/json"),
        ('{"first_name": {"nested": ["x"]}, "last_name": [1], "date_of_birth": 19800203}', "application/json"),
    ],
)
def test_a_hostile_body_is_4xx(desk, body, content_type):
    response = desk.generic("POST", "/api/v1/patients/", body, content_type=content_type)

    assert 400 <= response.status_code < 500
    assert not Patient.objects.exists()


@pytest.mark.parametrize("value", [2**70, -1, 0, "1e9", True, [], {}])
def test_an_impossible_id_is_4xx(desk, maria_keller, value):
    body = {
        "patient": value,
        "course": None,
        "modality": value,
        "therapist": value,
        "room": value,
        "starts_at": "2030-01-07T10:00:00+01:00",
    }

    response = desk.post("/api/v1/appointments/", body, format="json")

    assert 400 <= response.status_code < 500
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    "query",
    [{"q": "\x00"}, {"page": "99999"}, {"page": "-1"}, {"page_size": "0"}, {"page_size": "x"}, {"q": "%" * 100}],
)
def test_hostile_queries_are_never_a_5xx(desk, query):
    assert desk.get("/api/v1/patients/", query).status_code < 500


@pytest.mark.parametrize(
    "query",
    [{"date_from": "0001-01-01"}, {"date_to": "9999-12-31"}, {"patient": str(2**70)}, {"therapist": "-5"}],
)
def test_hostile_filters_are_never_a_5xx(desk, query):
    assert desk.get("/api/v1/appointments/", query).status_code < 500


@pytest.mark.parametrize("path", ["/api/v1/patients/99999999999999999999/", "/api/v1/notes/0/"])
def test_hostile_paths_are_never_a_5xx(boss, path):
    assert boss.get(path).status_code in (400, 404)


SWEEP_ROLES = ["patient_a", "therapist_treating", "receptionist", "manager"]


@pytest.mark.parametrize("role", SWEEP_ROLES)
def test_no_api_endpoint_answers_hostile_input_with_a_server_error(role, scene):
    """The pages' sweep (tests/pages/test_hostile_input_sweep.py) with each role's token, and the
    posted form sent as JSON, as the API reads it."""
    users, _ = scene
    client = api_client(users[role])
    client.raise_request_exception = True

    def send(method, path, data):
        return client.get(path, data or {}) if method == "GET" else client.post(path, data, format="json")

    failures, sent = sweep(send, lambda name, route, method: name.startswith("api:"))
    assert sent > 100
    assert not failures, f"{len(failures)} of {sent} requests as {role} failed:\n" + "\n".join(failures[:20])
