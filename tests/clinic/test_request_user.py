"""What every signed-in request reads before its page: the session row, then the user with their
roles in one query (clinic.session_store, clinic.backends). Taking a role away or ending a session
still counts at the very next request."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic import roles
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_signed_in_request_reads_its_session_and_its_user_with_roles_in_two_queries(receptionist):
    client = client_for(receptionist)
    client.get(reverse("reception:patient_list"))  # the session's first stamps are written here

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reception:day_board"))

    assert response.status_code == 200
    first, second = (query["sql"] for query in queries.captured_queries[:2])
    assert "django_session" in first
    assert "auth_user" in second and "auth_user_groups" in second
    assert not any("auth_user_groups" in query["sql"] for query in queries.captured_queries[2:])


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
