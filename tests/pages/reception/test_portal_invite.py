"""Reception invites a patient to the portal: a login named after the e-mail, and a link to set a password."""

import re
import smtplib

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.urls import reverse

from clinic import roles
from patients.models import Patient
from tests.conftest import client_for
from tests.factories import PatientFactory, UserFactory
from tests.scenes import asks_to_log_in, messages_of

LINK = re.compile(r"https?://\S+/accounts/reset/[^/\s]+/[^/\s]+/")


def invite_url(patient: Patient) -> str:
    return reverse("reception:portal_invite", args=[patient.pk])


@pytest.fixture
def anna(db):
    return PatientFactory(first_name="Anna", last_name="Roth", email="anna.roth@example.org")


def test_it_creates_a_login_named_after_the_email_and_emails_a_password_link(receptionist, anna):
    response = client_for(receptionist).post(invite_url(anna))

    assert response.status_code == 302
    assert response.url == anna.get_absolute_url()
    anna.refresh_from_db()
    user = anna.user
    assert user.username == user.email == "anna.roth@example.org"
    assert (user.first_name, user.last_name) == ("Anna", "Roth")
    assert list(user.groups.values_list("name", flat=True)) == [roles.PATIENT]
    assert not user.has_usable_password()
    assert not user.is_staff
    assert messages_of(response) == [
        "Invited Anna Roth to the portal: a link to set a password went to anna.roth@example.org."
    ]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["anna.roth@example.org"]
    assert "patient portal" in message.subject
    assert LINK.search(message.body)
    assert "log in with your e-mail address: anna.roth@example.org" in message.body


def test_the_emailed_link_sets_a_password_and_the_patient_then_logs_in_with_the_email(receptionist, anna, client):
    client_for(receptionist).post(invite_url(anna))
    link = LINK.search(mail.outbox[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]

    # Django swaps the token for a session key and redirects to .../set-password/.
    form_page = client.get("/" + path, follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"] is True
    assert b"Choose your password" in form_page.content
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "tennis-ball-stretch-2026", "new_password2": "tennis-ball-stretch-2026"},
        follow=True,
    )
    assert b"Your password is saved" in done.content

    login = client.post(
        reverse("login"), {"username": "Anna.Roth@Example.org", "password": "tennis-ball-stretch-2026"}, follow=True
    )
    assert login.redirect_chain[-1][0] == reverse("portal:portal_home")
    # The link works once only.
    assert client.get("/" + path, follow=True).context["validlink"] is False


def test_a_used_or_wrong_link_says_so_and_offers_the_phone_number(client, db):
    response = client.get("/accounts/reset/MQ/wrong-token/")

    assert response.status_code == 200
    assert b"This link no longer works" in response.content
    assert b"+49 30 1234 5678" in response.content


def test_a_manager_may_invite(manager, anna):
    client_for(manager).post(invite_url(anna))

    anna.refresh_from_db()
    assert anna.user is not None


def test_it_refuses_a_patient_without_an_email_address(receptionist):
    patient = PatientFactory(first_name="Omar", last_name="Haddad", email="")

    response = client_for(receptionist).post(invite_url(patient))

    assert response.status_code == 302
    assert messages_of(response) == ["Omar Haddad has no e-mail address. Add one to the contact details first."]
    patient.refresh_from_db()
    assert patient.user is None
    assert not User.objects.filter(groups__name=roles.PATIENT).exists()
    assert mail.outbox == []


def test_it_refuses_a_patient_who_already_has_a_login(receptionist, patient_user):
    patient = patient_user.patient

    response = client_for(receptionist).post(invite_url(patient))

    assert messages_of(response) == [f"{patient} already has a portal login."]
    patient.refresh_from_db()
    assert patient.user == patient_user
    assert mail.outbox == []


def test_it_refuses_when_another_user_has_that_email_in_any_case(receptionist, anna):
    UserFactory(username="anna-staff", email="ANNA.ROTH@example.org", role=roles.THERAPIST)

    response = client_for(receptionist).post(invite_url(anna))

    assert messages_of(response) == [
        "Another login already uses anna.roth@example.org. Each patient needs an e-mail address of their own."
    ]
    anna.refresh_from_db()
    assert anna.user is None
    assert mail.outbox == []


def test_it_refuses_when_a_username_is_that_email(receptionist, anna):
    UserFactory(username="anna.roth@example.org", email="someone.else@example.org")

    client_for(receptionist).post(invite_url(anna))

    anna.refresh_from_db()
    assert anna.user is None


def test_when_the_email_cannot_be_sent_no_login_is_left_behind(receptionist, anna, monkeypatch):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("mail server went away")

    monkeypatch.setattr("patients.services.send_mail", refuse)

    response = client_for(receptionist).post(invite_url(anna))

    assert messages_of(response) == ["The invitation could not be e-mailed, so no login was created. Try again later."]
    anna.refresh_from_db()
    assert anna.user is None
    assert not User.objects.filter(username="anna.roth@example.org").exists()


@pytest.mark.parametrize("role", [roles.THERAPIST, roles.PATIENT])
def test_therapists_and_patients_may_not_invite(role, anna):
    response = client_for(UserFactory(role=role)).post(invite_url(anna))

    assert response.status_code == 403
    anna.refresh_from_db()
    assert anna.user is None


def test_it_sends_an_anonymous_visitor_to_the_login_page(client, anna):
    asks_to_log_in(client.post(invite_url(anna)))


def test_it_rejects_get(receptionist, anna):
    assert client_for(receptionist).get(invite_url(anna)).status_code == 405
    anna.refresh_from_db()
    assert anna.user is None


def test_an_unknown_patient_is_404(receptionist, db):
    assert client_for(receptionist).post(reverse("reception:portal_invite", args=[999999])).status_code == 404


def test_the_patient_page_offers_the_invitation_only_when_it_can_work(receptionist, anna, patient_user):
    client = client_for(receptionist)
    without_email = PatientFactory(email="")

    assert invite_url(anna).encode() in client.get(anna.get_absolute_url()).content
    page = client.get(without_email.get_absolute_url()).content
    assert invite_url(without_email).encode() not in page
    assert b"Add an e-mail address to invite" in page
    page = client.get(patient_user.patient.get_absolute_url()).content
    assert invite_url(patient_user.patient).encode() not in page
    assert b"has a login" in page
