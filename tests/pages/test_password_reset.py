"""A forgotten password (pages/password_reset.py): the app's own pages, an e-mail in the clinic's
name naming the login the person uses, with the right host, the same answer whether or not the
account exists, and a rate limit per address and per client."""

import re

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from clinic.models import PasswordResetRequest
from clinic.password_reset import PASSWORD_RESET_LIMIT
from tests.scenes import shows

URL = reverse("password_reset")
DONE = reverse("password_reset_done")


@pytest.fixture
def anon():
    return Client()


def ask(client, email, **extra):
    return client.post(URL, {"email": email}, secure=True, **extra)


def test_the_login_page_links_to_it(anon, db):
    shows(anon.get(reverse("login"), secure=True), f'href="{URL}"', "Forgotten your password?")


def test_it_is_the_apps_own_page(anon, db):
    response = anon.get(URL, secure=True)
    shows(response, "Forgotten your password?", "Send me a link", "E-mail address")
    assert "Django administration" not in response.content.decode()


@override_settings(CLINIC_NAME="Riverside Back Care", CLINIC_BASE_URL="")
def test_a_patient_is_told_to_log_in_with_the_email_address(anon, patient_user):
    response = ask(anon, patient_user.email.upper())

    assert response.status_code == 302 and response.url == DONE
    [message] = mail.outbox
    assert message.to == [patient_user.email]
    assert message.subject == "Your new password for Riverside Back Care"
    assert f"You log in with: {patient_user.email}" in message.body
    assert f"You log in with: {patient_user.username}\n" not in message.body
    assert "Riverside Back Care" in message.body
    assert "127.0.0.1:8000" not in message.body and "example.com" not in message.body
    # Without CLINIC_BASE_URL the link uses the host the request came to.
    assert re.search(r"https://testserver/accounts/reset/[^/]+/[^/]+/", message.body), message.body


@override_settings(CLINIC_BASE_URL="https://clinic.example.org")
def test_staff_are_told_their_username_and_the_link_uses_the_public_address(anon, receptionist):
    ask(anon, receptionist.email)

    [message] = mail.outbox
    assert f"You log in with: {receptionist.username}" in message.body
    link = re.search(r"https://clinic\.example\.org/accounts/reset/([^/]+)/([^/\s]+)/", message.body)
    assert link, message.body
    # The link opens the set-password form.
    response = Client().get(link.group(0), secure=True, follow=True)
    assert response.context["validlink"] is True


def test_an_unknown_address_gets_the_same_answer_and_no_mail(anon, db):
    response = ask(anon, "nobody@example.org")
    assert response.status_code == 302 and response.url == DONE
    assert mail.outbox == []
    shows(anon.get(DONE, secure=True), "If an account uses that address")


def test_a_malformed_address_is_a_form_error(anon, db):
    response = ask(anon, "not-an-email")
    assert response.status_code == 200
    assert response.context["form"].errors["email"]


@pytest.mark.parametrize("exists", [True, False], ids=["account", "no-account"])
def test_more_than_five_an_hour_for_one_address_are_refused_alike(anon, patient_user, exists):
    email = patient_user.email if exists else "nobody@example.org"
    for n in range(PASSWORD_RESET_LIMIT):
        assert ask(anon, email, REMOTE_ADDR=f"10.0.0.{n}").status_code == 302
    sent = len(mail.outbox)

    response = ask(anon, email, REMOTE_ADDR="10.0.0.99")

    assert response.status_code == 429
    shows(response, "too many requests for a new password", "try again in an hour", status=429)
    assert len(mail.outbox) == sent


def test_more_than_five_an_hour_from_one_client_are_refused(anon, db):
    for n in range(PASSWORD_RESET_LIMIT):
        assert ask(anon, f"someone{n}@example.org").status_code == 302
    assert ask(anon, "someone.else@example.org").status_code == 429
    # Another client may still ask.
    assert ask(Client(), "someone.else@example.org", REMOTE_ADDR="192.0.2.7").status_code == 302


def test_the_address_asked_for_is_not_kept_in_clear(anon, patient_user):
    ask(anon, patient_user.email)
    row = PasswordResetRequest.objects.get()
    assert patient_user.email not in row.email_hash and len(row.email_hash) == 64


@pytest.mark.parametrize("method", ["put", "delete"])
def test_it_rejects_other_methods(anon, db, method):
    assert getattr(anon, method)(URL, secure=True).status_code == 405
