"""The API's clients: each holds a personal token of one user (read-write unless said), as a
program would send it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from api.models import TokenScope
from api.tokens import api_token_create
from clinic import roles
from tests.factories import UserFactory
from tests.pages.test_authorization_matrix import matrix_scene
from tests.scenes import portal_patient


def api_client(user, scope: str = TokenScope.READ_WRITE) -> APIClient:
    _, secret = api_token_create(user=user, name="Test script", scope=scope)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def reasons_of(response, status: int) -> list[str]:
    """A refusal's reasons, after checking its status and its shape."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) >= {"reasons", "warnings"}
    return body["reasons"]


def bad_input_refused(client, url: str, data: dict, field: str, model) -> None:
    """A POST of `data` answers 400 naming `field`, and writes no `model` row."""
    response = client.post(url, data, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not model.objects.exists()


def queries_of_api(client, url: str, params: dict | None = None) -> int:
    """How many queries a GET of `url` makes (and it answers 200), after one request that warmed
    the caches (content types, the token's last use)."""
    assert client.get(url, params).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


@pytest.fixture
def desk(receptionist):
    return api_client(receptionist)


@pytest.fixture
def boss(manager):
    return api_client(manager)


@pytest.fixture
def as_anna(anna_berg):
    return api_client(anna_berg.user)


@pytest.fixture
def stranger_therapist(db):
    """A therapist who treats nobody in the scene."""
    return api_client(UserFactory(role=roles.THERAPIST))


@pytest.fixture
def patient_login(db):
    """A patient with a portal login, and the API client of that login."""
    patient = portal_patient(first_name="Petra", last_name="Novak")
    return patient, api_client(patient.user)


@pytest.fixture
def scene(db):
    """The authorization matrix's scene: patient A's records and someone in every role."""
    return matrix_scene()
