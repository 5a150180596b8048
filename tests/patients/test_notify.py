"""notify_patient: the patient's chosen channel, the other one when it has no address or fails,
and "" when the patient cannot be reached at all."""

import smtplib

import pytest
from django.test import override_settings

from clinic.messaging import sms_outbox
from patients.models import ContactChannel
from patients.notify import contact_channel_problem, notify_patient
from tests.factories import PatientFactory


def _patient(channel=ContactChannel.EMAIL, **contact):
    contact.setdefault("email", "maria@example.org")
    contact.setdefault("phone", "+49 30 555 0101")
    return PatientFactory(contact_channel=channel, **contact)


def test_email_is_the_default_channel(db, mailoutbox):
    assert notify_patient(_patient(), subject="A slot is free", text="Monday 10:00 is free.") == "email"

    assert mailoutbox[0].to == ["maria@example.org"] and mailoutbox[0].subject == "A slot is free"
    assert mailoutbox[0].body == "Monday 10:00 is free."
    assert sms_outbox == []


def test_a_patient_who_chose_sms_gets_a_text(db, mailoutbox):
    assert notify_patient(_patient(ContactChannel.SMS), subject="A slot is free", text="Monday 10:00.") == "sms"

    assert [(m.to, m.text) for m in sms_outbox] == [("+49305550101", "Monday 10:00.")]
    assert mailoutbox == []


def test_without_a_phone_an_sms_patient_is_e_mailed(db, mailoutbox):
    assert notify_patient(_patient(ContactChannel.SMS, phone=""), subject="S", text="T") == "email"


def test_without_an_address_an_email_patient_gets_a_text(db, mailoutbox):
    assert notify_patient(_patient(email=""), subject="S", text="T") == "sms"


def test_a_patient_with_neither_cannot_be_reached(db, mailoutbox):
    assert notify_patient(_patient(email="", phone=""), subject="S", text="T") == ""
    assert mailoutbox == [] and sms_outbox == []


def test_a_failing_gateway_falls_back_to_email(db, mailoutbox):
    with override_settings(CLINIC_SMS_BACKEND="clinic.messaging.HttpSmsBackend", CLINIC_SMS_GATEWAY_URL=""):
        assert notify_patient(_patient(ContactChannel.SMS), subject="S", text="T") == "email"


def test_when_every_channel_fails_it_returns_nothing_and_raises_nothing(db, monkeypatch, caplog):
    def fail(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", fail)
    with override_settings(CLINIC_SMS_BACKEND="clinic.messaging.HttpSmsBackend", CLINIC_SMS_GATEWAY_URL=""):
        assert notify_patient(_patient(), subject="S", text="T") == ""
    assert "could not be reached" in caplog.text


@pytest.mark.parametrize(
    ("channel", "phone", "email", "problem"),
    [
        ("sms", "", "a@example.org", "Text messages need a phone number"),
        ("email", "+4930", "", "E-mails need an e-mail address"),
        ("sms", "+4930", "", ""),
        ("email", "", "a@example.org", ""),
    ],
)
def test_a_channel_needs_its_address(channel, phone, email, problem):
    assert contact_channel_problem(channel=channel, phone=phone, email=email).startswith(problem)
