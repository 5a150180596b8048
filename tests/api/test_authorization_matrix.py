"""The API's authorization matrix (tests/api/authorization_matrix.py): every endpoint, every
role, with that role's own token, against patient A's records."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.api.authorization_matrix import API_MATRIX, API_WRITES
from tests.api.conftest import api_client
from tests.conftest import log_in_verified
from tests.pages.test_authorization_matrix import MODEL_BACKEND, ROLES, _url, project_url_names

SESSION_SERVED = {"api:schema", "api:docs"}


def _client(name: str, role: str, users: dict):
    if role == "anonymous":
        return Client() if name in SESSION_SERVED else APIClient()
    if name in SESSION_SERVED:
        # The schema and its page are read in a browser too: a session opens them.
        client = Client()
        log_in_verified(client, users[role], backend=MODEL_BACKEND)
        return client
    return api_client(users[role])


def _send(client, method: str, url: str):
    if method == "GET":
        return client.get(url)
    return getattr(client, method.lower())(url, {}, content_type="application/json")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(API_MATRIX))
def test_api_matrix(name, role, scene):
    users, objects = scene
    row = API_MATRIX[name]
    url = _url(name, row, role, objects)

    response = _send(_client(name, role, users), row.method, url)

    assert response.status_code == row.expected()[role], f"{role} {row.method} {url}: {response.content[:300]}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", sorted(API_WRITES))
def test_api_writes_matrix(key, role, scene):
    users, objects = scene
    name, _ = key
    row = API_WRITES[key]
    url = _url(name, row, role, objects)

    response = _send(_client(name, role, users), row.method, url)

    assert response.status_code == row.expected()[role], f"{role} {row.method} {url}: {response.content[:300]}"


def test_every_api_url_has_a_row():
    routed = {name for name in project_url_names() if name.startswith("api:")}
    assert routed == set(API_MATRIX)


PK_ROWS = sorted(name for name, row in API_MATRIX.items() if row.obj)


@pytest.mark.parametrize("role", ["anonymous", "patient_b"])
@pytest.mark.parametrize("name", PK_ROWS)
def test_a_patient_cannot_tell_whether_a_record_exists(name, role, scene):
    """Staff endpoints answer a patient 403 before looking anything up, the patient's own answer
    another patient 404: either way patient A's record and a number nobody has look the same."""
    users, objects = scene
    row = API_MATRIX[name]
    client = _client(name, role, users)
    nobody = {**objects, row.obj: 987654}

    statuses = {_send(client, row.method, _url(name, row, role, each)).status_code for each in (objects, nobody)}

    assert len(statuses) == 1, f"{role} tells patient A's {row.obj} from a missing one at {name}: {statuses}"
