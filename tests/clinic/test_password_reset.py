"""The rate limit on password-reset e-mails and the login each person is told (clinic.password_reset)."""

import datetime as dt

import pytest
from django.utils import timezone

from clinic import roles
from clinic.models import PasswordResetRequest
from clinic.password_reset import PASSWORD_RESET_LIMIT, login_name, password_reset_allow
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_five_an_hour_per_address_whatever_the_case_or_client():
    for n in range(PASSWORD_RESET_LIMIT):
        assert password_reset_allow(email="Ann@Example.org", client_address=f"10.0.0.{n}")
    assert not password_reset_allow(email="ann@example.org ", client_address="10.0.0.200")


def test_five_an_hour_per_client_whatever_the_address():
    for n in range(PASSWORD_RESET_LIMIT):
        assert password_reset_allow(email=f"a{n}@example.org", client_address="10.0.0.1")
    assert not password_reset_allow(email="b@example.org", client_address="10.0.0.1")
    assert password_reset_allow(email="b@example.org", client_address=None)


def test_requests_older_than_an_hour_no_longer_count_and_are_forgotten():
    old = timezone.now() - dt.timedelta(hours=1, minutes=1)
    for _ in range(PASSWORD_RESET_LIMIT):
        password_reset_allow(email="ann@example.org", client_address="10.0.0.1")
    PasswordResetRequest.objects.update(created_at=old)

    assert password_reset_allow(email="ann@example.org", client_address="10.0.0.1")
    assert PasswordResetRequest.objects.count() == 1


def test_a_refused_request_is_not_counted():
    for _ in range(PASSWORD_RESET_LIMIT + 3):
        password_reset_allow(email="ann@example.org", client_address="10.0.0.1")
    assert PasswordResetRequest.objects.count() == PASSWORD_RESET_LIMIT


@pytest.mark.parametrize(
    "role, expected",
    [(roles.PATIENT, "ann@example.org"), (roles.RECEPTIONIST, "ann"), (roles.THERAPIST, "ann"), (roles.MANAGER, "ann")],
)
def test_patients_log_in_with_their_email_staff_with_their_username(role, expected):
    assert login_name(UserFactory(username="ann", email="ann@example.org", role=role)) == expected
