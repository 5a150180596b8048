"""Sessions end after 30 minutes without a request and 12 hours after logging in, for everyone.

clinic.middleware keeps both times in the session; these tests move them back instead of waiting.
A password change ends the user's other sessions (Django's session auth hash).
"""

import time

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from clinic.middleware import LAST_SEEN, LOGIN_AT
from tests.conftest import client_for
from tests.factories import PASSWORD
from tests.scenes import asks_to_log_in

MINUTE = 60
HOUR = 60 * MINUTE


def day_board():
    return reverse("reception:day_board")


def login_page_for(path: str) -> str:
    return f"{reverse('login')}?next={path}"


def age(client, **seconds_ago):
    """Move the session's clocks back: age(client, last_seen=31 * MINUTE)."""
    session = client.session
    now = time.time()
    if "last_seen" in seconds_ago:
        session[LAST_SEEN] = now - seconds_ago["last_seen"]
    if "login_at" in seconds_ago:
        session[LOGIN_AT] = now - seconds_ago["login_at"]
    session.save()


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_settings_are_30_minutes_and_12_hours():
    assert settings.CLINIC_SESSION_IDLE_MINUTES == 30
    assert settings.CLINIC_SESSION_MAX_HOURS == 12
    assert settings.SESSION_COOKIE_AGE == 12 * HOUR


def test_logging_in_starts_both_clocks(client, receptionist):
    before = time.time()
    client.post(reverse("login"), {"username": "reception", "password": PASSWORD})

    assert before <= client.session[LOGIN_AT] <= time.time()
    assert before <= client.session[LAST_SEEN] <= time.time()


def test_29_idle_minutes_keep_a_receptionist_logged_in(receptionist):
    client = client_for(receptionist)
    age(client, last_seen=29 * MINUTE)

    assert client.get(day_board()).status_code == 200


def test_a_request_restarts_the_idle_clock(receptionist):
    client = client_for(receptionist)
    age(client, last_seen=29 * MINUTE)

    client.get(day_board())

    assert time.time() - client.session[LAST_SEEN] < MINUTE


def test_31_idle_minutes_log_a_receptionist_out_to_the_login_page(receptionist):
    client = client_for(receptionist)
    age(client, last_seen=31 * MINUTE)

    response = client.get(day_board())

    assert response.status_code == 302
    assert response.url == login_page_for(day_board())
    assert not logged_in(client)


def test_the_login_page_says_why(receptionist):
    client = client_for(receptionist)
    age(client, last_seen=31 * MINUTE)

    response = client.get(day_board(), follow=True)

    assert "logged out after 30 minutes without activity" in response.content.decode()


@pytest.mark.parametrize("role_fixture", ["therapist_user", "manager", "patient_user"])
def test_31_idle_minutes_log_out_every_role(request, role_fixture):
    user = request.getfixturevalue(role_fixture)
    client = client_for(user)
    age(client, last_seen=31 * MINUTE)

    asks_to_log_in(client.get(reverse("home")))
    assert not logged_in(client)


@pytest.fixture
def therapist_user(therapist):
    return therapist.user


def test_12_hours_after_logging_in_the_session_ends_however_busy(receptionist):
    client = client_for(receptionist)
    age(client, login_at=12 * HOUR + MINUTE, last_seen=MINUTE)

    response = client.get(day_board(), follow=True)

    assert response.redirect_chain[0] == (login_page_for(day_board()), 302)
    assert "logged in more than 12 hours ago" in response.content.decode()
    assert not logged_in(client)


def test_11_hours_after_logging_in_an_active_session_goes_on(receptionist):
    client = client_for(receptionist)
    age(client, login_at=11 * HOUR, last_seen=MINUTE)

    assert client.get(day_board()).status_code == 200


def test_an_expired_post_does_nothing_and_goes_to_the_login_page(patient_user):
    client = client_for(patient_user)
    age(client, last_seen=31 * MINUTE)

    response = client.post(reverse("portal:portal_calendar_renew"))

    assert response.status_code == 302
    assert response.url == reverse("login")
    assert not logged_in(client)


def test_an_expired_htmx_request_sends_the_whole_page_to_login(receptionist):
    client = client_for(receptionist)
    age(client, last_seen=31 * MINUTE)

    response = client.get(day_board(), headers={"HX-Request": "true"})

    assert response["HX-Redirect"] == reverse("login")
    assert not logged_in(client)


def test_a_session_without_clocks_starts_them_at_its_next_request(receptionist):
    client = client_for(receptionist)
    session = client.session
    del session[LOGIN_AT], session[LAST_SEEN]
    session.save()

    assert client.get(day_board()).status_code == 200
    assert time.time() - client.session[LOGIN_AT] < MINUTE


def test_anonymous_requests_are_left_alone(client, db):
    assert client.get(reverse("login")).status_code == 200


def test_a_password_change_ends_the_users_other_sessions(receptionist):
    desk, laptop = Client(), Client()
    for client in (desk, laptop):
        assert client.post(reverse("login"), {"username": "reception", "password": PASSWORD}).status_code == 302
    new_password = "a-new-and-long-passphrase-2026"

    response = desk.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )

    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    assert desk.get(day_board()).status_code == 200
    stale = laptop.get(day_board())
    assert stale.status_code == 302
    assert stale.url == login_page_for(day_board())
