"""What every signed-in request reads before its page: the session row with the user and their
roles, in one query once the process has seen the session, in two before (clinic.session_store,
clinic.backends). Taking a role away, deactivating the user, changing their password or ending the
session still counts at the very next request."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic import roles, session_store
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("requests_before", [0, 1])
def test_a_signed_in_request_reads_its_session_with_its_user_and_roles_in_one_query(receptionist, requests_before):
    client = client_for(receptionist)
    for _ in range(requests_before):
        client.get(reverse("reception:patient_list"))  # the session's first stamps are written here

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reception:day_board"))

    assert response.status_code == 200
    first = queries.captured_queries[0]["sql"]
    assert "django_session" in first and "auth_user" in first and "auth_user_groups" in first
    assert not any("auth_user_groups" in query["sql"] for query in queries.captured_queries[1:])


def test_a_session_this_process_has_not_seen_reads_its_user_with_roles_in_a_second_query(receptionist, monkeypatch):
    client = client_for(receptionist)
    monkeypatch.setattr(session_store, "_users_of_keys", {})  # as if logged in on another server

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reception:day_board"))

    assert response.status_code == 200
    first, second = (query["sql"] for query in queries.captured_queries[:2])
    assert "django_session" in first and "auth_user" not in first
    assert "auth_user" in second and "auth_user_groups" in second
    assert not any("auth_user_groups" in query["sql"] for query in queries.captured_queries[2:])


def test_a_session_remembered_as_another_users_still_loads_its_own_user(receptionist):
    client = client_for(receptionist)
    session_store.remember_user(client.session.session_key, UserFactory(role=roles.MANAGER).pk)

    response = client.get(reverse("reception:day_board"))

    assert response.status_code == 200
    assert response.wsgi_request.user == receptionist
    assert roles.user_roles(response.wsgi_request.user) == {roles.RECEPTIONIST}


def test_a_user_deactivated_or_deleted_is_logged_out_at_the_next_request(receptionist):
    colleague = UserFactory(role=roles.RECEPTIONIST)
    receptionist_client, colleague_client = client_for(receptionist), client_for(colleague)
    for client in (receptionist_client, colleague_client):
        assert client.get(reverse("reception:day_board")).status_code == 200

    receptionist.is_active = False
    receptionist.save()
    colleague.delete()

    for client in (receptionist_client, colleague_client):
        assert client.get(reverse("reception:day_board")).url.startswith(reverse("login"))


def test_a_password_changed_elsewhere_ends_the_session_at_the_next_request(receptionist):
    client = client_for(receptionist)
    assert client.get(reverse("reception:day_board")).status_code == 200

    receptionist.set_password("a new password, changed on another device")
    receptionist.save()

    assert client.get(reverse("reception:day_board")).url.startswith(reverse("login"))


def test_the_sessions_remembered_are_bounded(monkeypatch):
    monkeypatch.setattr(session_store, "_users_of_keys", {})
    monkeypatch.setattr(session_store, "_USERS_OF_KEYS_KEPT", 3)

    for number in range(10):
        session_store.remember_user(f"key {number}", number)

    assert 1 <= len(session_store._users_of_keys) <= 3
    assert session_store._users_of_keys["key 9"] == 9


@pytest.mark.parametrize("role", roles.ROLES)
def test_the_user_loaded_for_a_request_has_exactly_their_roles(role):
    from clinic.backends import UsernameBackend

    user = UserFactory(role=role)
    user.groups.add(Group.objects.create(name="Not a role"))

    loaded = UsernameBackend().get_user(user.pk)

    assert roles.user_roles(loaded) == {role}


def test_a_deactivated_or_missing_user_is_not_loaded(receptionist):
    from clinic.backends import UsernameBackend

    receptionist.is_active = False
    receptionist.save()

    assert UsernameBackend().get_user(receptionist.pk) is None
    assert UsernameBackend().get_user(receptionist.pk + 1000) is None


def test_a_role_taken_away_counts_at_the_next_request(receptionist):
    client = client_for(receptionist)
    assert client.get(reverse("reception:day_board")).status_code == 200

    receptionist.groups.clear()

    assert client.get(reverse("reception:day_board")).status_code == 403


def test_an_expired_session_is_not_read(receptionist):
    client = client_for(receptionist)
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))

    response = client.get(reverse("reception:day_board"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_session_deleted_on_another_server_ends_at_the_next_request(receptionist):
    client = client_for(receptionist)
    Session.objects.all().delete()  # a log-out elsewhere: the row is all there is

    assert client.get(reverse("reception:day_board")).url.startswith(reverse("login"))
