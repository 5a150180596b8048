"""What the clinic sends a patient (a reminder, a waitlist offer) is written in the patient's own
language (Patient.language), whatever language the run or the page that sends it speaks. The
names of the days and months, which Django translates itself, show it."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone, translation
from django.utils.formats import date_format

from sessions.reminders import appointment_reminders_send
from sessions.waitlist import waitlist_offers_send
from tests.factories import on_monday
from tests.scenes import freed_slot, portal_patient, session, wish


def in_language(language: str, moment: dt.datetime, format: str) -> str:
    with translation.override(language):
        return date_format(timezone.localtime(moment), format)


@pytest.mark.parametrize("language", ["de", "en-gb"])
def test_a_reminder_is_written_in_the_patients_language(db, language):
    patient = portal_patient(email="lena@example.org", language=language)
    starts_at = timezone.now().replace(microsecond=0) + dt.timedelta(hours=20)
    session(patient, starts_at)

    with translation.override("ru" if language == "de" else "de"):
        assert appointment_reminders_send() == 1

    message = mail.outbox[0]
    assert in_language(language, starts_at, "l") in message.subject
    assert in_language(language, starts_at, "l j F Y") in message.body
    other = "en-gb" if language == "de" else "de"
    assert in_language(other, starts_at, "l") not in message.subject


@pytest.mark.parametrize("language", ["de", "en-gb"])
def test_a_waitlist_offer_is_written_in_the_patients_language(back_massage, blue_room, anna_berg, language):
    patient = portal_patient(email="lena@example.org", first_name="Lena", language=language)
    wish(patient, modality=back_massage)
    slot = freed_slot(anna_berg, blue_room, back_massage, on_monday(10))

    with translation.override("ru" if language == "de" else "de"):
        waitlist_offers_send()

    [message] = [message for message in mail.outbox if message.to == ["lena@example.org"]]
    assert in_language(language, slot.starts_at, "D j M") in message.subject
    assert in_language(language, slot.starts_at, "l j F Y") in message.body
    other = "en-gb" if language == "de" else "de"
    assert in_language(other, slot.starts_at, "l j F Y") not in message.body
