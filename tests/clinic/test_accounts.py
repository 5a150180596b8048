"""Accounts (clinic.accounts): the lockout's key for a name, usernames unique without regard to
case (in the database and in the admin's forms), and deactivation ending access at once."""

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from clinic import roles
from clinic.accounts import lockout_key, user_access_end, user_access_ended
from tests.conftest import client_for
from tests.factories import UserFactory


@pytest.fixture
def rita(db):
    return UserFactory(username="rita", email="rita.hale@example.org", role=roles.RECEPTIONIST)


def test_every_spelling_of_a_username_has_the_accounts_key(rita):
    assert {lockout_key(name) for name in ["rita", "RITA", " Rita ", "rItA"]} == {"rita"}


def test_a_patients_email_has_the_accounts_key(patient_user):
    assert lockout_key(patient_user.email.upper()) == lockout_key(patient_user.username) == "patient"


def test_a_staff_email_is_not_a_second_name(rita):
    assert lockout_key("Rita.Hale@example.org") == "rita.hale@example.org"


def test_an_unknown_name_is_keyed_casefolded_and_short(db):
    assert lockout_key("  NoBody ") == "nobody"
    assert len(lockout_key("x" * 20_000)) <= 255
    assert lockout_key(None) == lockout_key("") == ""


def test_the_database_refuses_a_username_differing_only_in_case(rita):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="RITA")


def test_the_admin_refuses_a_new_username_differing_only_in_case(rita, db):
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    data = {"username": "Rita", "password1": "a-long-enough-password-1", "password2": "a-long-enough-password-1"}
    data["usable_password"] = "true"

    response = client_for(superuser).post(reverse("admin:auth_user_add"), data)

    assert response.status_code == 200
    assert "usernames are compared without regard to case" in response.content.decode()
    assert User.objects.filter(username__iexact="rita").count() == 1


def test_the_admin_refuses_renaming_to_another_users_name_in_another_case(rita, db):
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    tom = UserFactory(username="tom")
    client = client_for(superuser)
    page = client.get(reverse("admin:auth_user_change", args=[tom.pk]))
    data = {key: value for key, value in page.context["adminform"].form.initial.items() if value is not None}
    data.update(username="RITA", date_joined_0="2024-01-01", date_joined_1="10:00", groups=[], user_permissions=[])
    data.pop("password", None)
    data.pop("last_login", None)

    response = client.post(reverse("admin:auth_user_change", args=[tom.pk]), data)

    assert response.status_code == 200
    assert "usernames are compared without regard to case" in response.content.decode()
    tom.refresh_from_db()
    assert tom.username == "tom"


# --- deactivation ends access --------------------------------------------------------------------


def test_deactivating_a_user_deletes_their_sessions_at_once(rita, receptionist):
    desk, phone, other = client_for(rita), client_for(rita), client_for(receptionist)
    assert Session.objects.count() == 3

    rita.is_active = False
    rita.save()

    assert Session.objects.count() == 1
    assert desk.get(reverse("reception:day_board")).status_code == 302
    assert phone.get(reverse("reception:day_board")).url.startswith(reverse("login"))
    assert other.get(reverse("reception:day_board")).status_code == 200


def test_a_deactivation_that_bypasses_save_is_refused_at_the_next_request(rita):
    desk = client_for(rita)
    User.objects.filter(pk=rita.pk).update(is_active=False)

    response = desk.get(reverse("reception:day_board"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_saving_an_active_user_or_an_inactive_one_again_ends_nothing(rita):
    client_for(rita)
    rita.first_name = "Rita"
    rita.save()
    assert Session.objects.count() == 1

    rita.is_active = False
    rita.save()
    client = Client()
    client.force_login(rita)  # an inactive user's session, as a script could make
    rita.save()
    assert Session.objects.count() == 1


def test_other_grants_of_access_hear_of_the_end(rita):
    heard = []

    def revoke(sender, user, **kwargs):
        heard.append(user.pk)

    user_access_ended.connect(revoke)
    try:
        assert user_access_end(user=rita) == 0
        rita.is_active = False
        rita.save()
    finally:
        user_access_ended.disconnect(revoke)

    assert heard == [rita.pk, rita.pk]
