"""Patients log in with their e-mail address, in any case; staff keep logging in with usernames."""

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory
from django.urls import reverse

from clinic import roles
from clinic.backends import PatientEmailBackend
from tests.factories import PASSWORD, UserFactory
from tests.scenes import portal_patient


def log_in(**credentials):
    """authenticate() as the login page calls it: django-axes needs the request."""
    return authenticate(RequestFactory().post(reverse("login")), **credentials)


@pytest.fixture
def anna(db):
    return portal_patient(email="anna.roth@example.org").user


def test_a_patient_logs_in_with_the_email_in_any_case(client, anna):
    response = client.post(reverse("login"), {"username": "  Anna.ROTH@example.org", "password": PASSWORD})

    assert response.status_code == 302
    assert client.get(reverse("home")).url == reverse("portal:portal_home")
    assert int(client.session["_auth_user_id"]) == anna.pk


def test_a_patient_whose_username_is_not_the_email_still_logs_in_with_the_email(db):
    user = UserFactory(username="clara", email="clara.becker@example.org", role=roles.PATIENT)

    assert log_in(username="Clara.Becker@example.org", password=PASSWORD) == user


def test_a_wrong_password_is_refused(client, anna):
    response = client.post(reverse("login"), {"username": "anna.roth@example.org", "password": "not-the-password"})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert b"Please enter a correct username and password" in response.content


def test_staff_cannot_use_their_email_as_a_username(db):
    UserFactory(username="rita", email="rita.hale@example.org", role=roles.RECEPTIONIST)

    assert log_in(username="rita.hale@example.org", password=PASSWORD) is None
    assert log_in(username="Rita.Hale@Example.org", password=PASSWORD) is None


def test_staff_keep_logging_in_with_their_username(client, db):
    UserFactory(username="rita", email="rita.hale@example.org", role=roles.RECEPTIONIST)

    response = client.post(reverse("login"), {"username": "rita", "password": PASSWORD})

    assert response.status_code == 302
    assert client.get(reverse("home")).url == reverse("reception:day_board")


def test_an_inactive_patient_is_refused(anna):
    anna.is_active = False
    anna.save()

    assert log_in(username="ANNA.ROTH@example.org", password=PASSWORD) is None


def test_an_address_two_patient_logins_share_logs_nobody_in(db):
    # The invitation refuses a second login for one address; data from elsewhere might not.
    UserFactory(username="one", email="family@example.org", role=roles.PATIENT)
    UserFactory(username="two", email="Family@example.org", role=roles.PATIENT)

    assert log_in(username="family@example.org", password=PASSWORD) is None


def test_the_backend_ignores_what_is_not_an_email_address(anna):
    backend = PatientEmailBackend()

    assert backend.authenticate(None, username="anna", password=PASSWORD) is None
    assert backend.authenticate(None, username="", password=PASSWORD) is None
    assert backend.authenticate(None, username=None, password=PASSWORD) is None
    assert backend.authenticate(None, username="anna.roth@example.org", password=None) is None


def test_the_login_page_tells_patients_to_use_their_email(client, db):
    assert b"Patients: log in with your e-mail address." in client.get(reverse("login")).content
