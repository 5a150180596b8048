"""Personal API tokens: stored hashed, shown once, scoped, revoked for good; and the account page
where a user creates and revokes them."""

import hashlib

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse

from api.models import ApiToken, TokenScope
from api.tokens import CREATED, MAX_ACTIVE_TOKENS, REVOKED, api_token_create, api_token_revoke
from clinic.refusals import Refused
from tests.api.conftest import api_client
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGE = "/accounts/api-tokens/"


def test_only_the_hash_of_the_secret_is_stored(receptionist):
    token, secret = api_token_create(user=receptionist, name="Scheduler", scope=TokenScope.READ)

    row = ApiToken.objects.values().get(pk=token.pk)
    assert secret not in str(row)
    assert row["secret_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(row["prefix"])


def test_a_token_opens_the_api_as_its_user(desk):
    assert desk.get("/api/v1/patients/").status_code == 200


def test_a_read_token_reads_but_writes_nothing(receptionist):
    client = api_client(receptionist, scope=TokenScope.READ)

    assert client.get("/api/v1/patients/").status_code == 200
    response = client.post("/api/v1/patients/", {"first_name": "A"}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "This token is read-only: create a read-write token to change anything."


def test_a_revoked_token_opens_nothing(receptionist):
    token, secret = api_token_create(user=receptionist, name="Old", scope=TokenScope.READ)
    api_token_revoke(token=token)

    response = Client().get("/api/v1/patients/", HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert response.status_code == 401


def test_revoking_twice_is_refused(receptionist):
    token, _ = api_token_create(user=receptionist, name="Old", scope=TokenScope.READ)
    api_token_revoke(token=token)

    with pytest.raises(Refused, match="revoked already"):
        api_token_revoke(token=token)


def test_a_deactivated_users_token_opens_nothing(receptionist):
    _, secret = api_token_create(user=receptionist, name="Script", scope=TokenScope.READ)
    receptionist.is_active = False
    receptionist.save()

    assert Client().get("/api/v1/patients/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


@pytest.mark.parametrize(
    "header", ["Bearer", "Bearer clinic_madeup", "Bearer a b", "Token clinic_x", "Bearer " + "clinic_" + "x" * 300]
)
def test_a_wrong_token_is_401(db, header):
    assert Client().get("/api/v1/patients/", HTTP_AUTHORIZATION=header).status_code == 401


def test_a_session_does_not_open_the_api(receptionist):
    assert client_for(receptionist).get("/api/v1/patients/").status_code == 401


def test_the_last_use_is_stamped(receptionist):
    client = api_client(receptionist)
    client.get("/api/v1/patients/")

    assert ApiToken.objects.get(user=receptionist).last_used_at is not None


@pytest.mark.parametrize("name, scope", [("", TokenScope.READ), ("Script", "admin")])
def test_a_token_needs_a_name_and_a_scope(receptionist, name, scope):
    with pytest.raises(Refused):
        api_token_create(user=receptionist, name=name, scope=scope)
    assert not ApiToken.objects.exists()


def test_a_user_has_a_limited_number_of_tokens(receptionist):
    for number in range(MAX_ACTIVE_TOKENS):
        api_token_create(user=receptionist, name=f"Script {number}", scope=TokenScope.READ)

    with pytest.raises(Refused, match="revoke one"):
        api_token_create(user=receptionist, name="One more", scope=TokenScope.READ)


# --- the account page -----------------------------------------------------------------------------


def test_the_page_creates_a_token_and_shows_its_secret_once(receptionist):
    client = client_for(receptionist)

    posted = client.post(PAGE, {"name": "Scheduler", "scope": TokenScope.READ_WRITE})
    created = client.get(posted.url)
    again = client.get(PAGE)

    token = ApiToken.objects.get(user=receptionist)
    secret = created.context["created"]["secret"]
    assert posted.status_code == 302
    assert secret in created.content.decode()
    assert hashlib.sha256(secret.encode()).hexdigest() == token.secret_hash
    assert secret not in again.content.decode()
    assert token.prefix in again.content.decode()
    assert token.scope == TokenScope.READ_WRITE


def test_the_page_refuses_a_token_without_a_name(receptionist):
    response = client_for(receptionist).post(PAGE, {"name": " ", "scope": TokenScope.READ})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_the_page_revokes_a_token(receptionist):
    token, _ = api_token_create(user=receptionist, name="Old", scope=TokenScope.READ)

    response = client_for(receptionist).post(reverse("api_tokens:token_revoke", args=[token.pk]))

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_another_users_token_is_404_and_stays(receptionist):
    token, _ = api_token_create(user=UserFactory(), name="Theirs", scope=TokenScope.READ)

    response = client_for(receptionist).post(reverse("api_tokens:token_revoke", args=[token.pk]))

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_takes_a_post(receptionist):
    token, _ = api_token_create(user=receptionist, name="Old", scope=TokenScope.READ)

    assert client_for(receptionist).get(reverse("api_tokens:token_revoke", args=[token.pk])).status_code == 405


def test_the_page_needs_a_login(db):
    response = Client().get(PAGE)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_manager_gives_the_second_factor_before_the_page(manager):
    client = Client()
    client.force_login(manager)

    response = client.post(PAGE, {"name": "Reports", "scope": TokenScope.READ})

    assert response.status_code == 302
    assert not ApiToken.objects.exists()


def test_creating_and_revoking_are_audited(receptionist):
    client = client_for(receptionist)
    client.post(PAGE, {"name": "Scheduler", "scope": TokenScope.READ})
    token = ApiToken.objects.get()
    client.post(reverse("api_tokens:token_revoke", args=[token.pk]))

    entries = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=receptionist).order_by("pk")
    assert [entry.additional_data["action"] for entry in entries] == [CREATED, REVOKED]
