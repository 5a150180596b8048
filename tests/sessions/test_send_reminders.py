"""`manage.py send_reminders`: one reminder per booked session starting within 24 hours, never two,
on the patient's channel (e-mail or SMS, the other as the fallback)."""

import datetime as dt
import smtplib
import threading
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from clinic.messaging import sms_outbox
from patients.models import ContactChannel
from sessions import reminders
from sessions.appointments import appointment_cancel
from sessions.models import AppointmentStatus
from sessions.reminders import _reminder_claim, appointment_reminders_send
from tests.factories import PatientFactory, RoomFactory, TherapistFactory, local
from tests.scenes import SOAP, course_for, held, portal_patient, session


def in_hours(hours: float) -> dt.datetime:
    return timezone.now().replace(microsecond=0) + dt.timedelta(hours=hours)


def run() -> str:
    out = StringIO()
    call_command("send_reminders", stdout=out)
    return out.getvalue()


@pytest.fixture
def anna(db):
    return portal_patient(first_name="Anna", email="anna.roth@example.org")


def test_it_reminds_a_booked_session_within_24_hours_once(anna):
    appointment = session(anna, in_hours(20))

    assert run() == "Sent 1 reminder.\n"
    assert run() == ""

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["anna.roth@example.org"]
    appointment.refresh_from_db()
    assert appointment.reminder_sent_at is not None


def test_it_leaves_sessions_beyond_24_hours_for_a_later_run(anna):
    later = session(anna, in_hours(25))

    assert appointment_reminders_send() == 0
    assert appointment_reminders_send(now=later.starts_at - dt.timedelta(hours=24)) == 1
    assert len(mail.outbox) == 1


def test_the_window_includes_exactly_24_hours_and_excludes_a_second_more(anna):
    now = timezone.now().replace(microsecond=0)
    session(anna, now + dt.timedelta(hours=24), **_place())
    session(portal_patient(email="omar@example.org"), now + dt.timedelta(hours=24, seconds=1), **_place())

    assert appointment_reminders_send(now=now) == 1
    assert mail.outbox[0].to == ["anna.roth@example.org"]


@pytest.mark.parametrize(
    "fields",
    [
        {"status": AppointmentStatus.CANCELLED, "cancellation_reason": "Ill"},
        {"status": AppointmentStatus.CHECKED_IN},
        {"needs_review": True, "review_reason": "Acute phase recorded"},
    ],
    ids=["cancelled", "checked-in", "flagged-for-review"],
)
def test_it_does_not_remind_a_session_that_is_not_simply_booked(anna, fields):
    session(anna, in_hours(5), **fields)

    assert appointment_reminders_send() == 0
    assert mail.outbox == []


def test_it_does_not_remind_a_session_that_has_started(anna):
    session(anna, in_hours(-0.25))

    assert appointment_reminders_send() == 0


def test_it_skips_a_patient_with_neither_an_email_address_nor_a_phone(db):
    session(PatientFactory(email="", phone=""), in_hours(5))

    assert appointment_reminders_send() == 0
    assert mail.outbox == [] and sms_outbox == []


def test_a_patient_without_an_email_address_is_reminded_by_sms(db):
    session(PatientFactory(email="", phone="+49 30 555 0101"), in_hours(5))

    assert appointment_reminders_send() == 1
    assert mail.outbox == []
    assert [m.to for m in sms_outbox] == ["+49305550101"]
    assert "reminder of your" in sms_outbox[0].text and "Please call" in sms_outbox[0].text


def test_a_patient_who_chose_sms_gets_a_text_not_an_email(anna):
    anna.contact_channel = ContactChannel.SMS
    anna.save()
    session(anna, in_hours(5))

    assert appointment_reminders_send() == 1
    assert mail.outbox == []
    assert len(sms_outbox) == 1 and len(sms_outbox[0].text) <= 160 * 2


def test_when_the_mail_server_fails_a_patient_with_a_phone_gets_a_text(anna, monkeypatch):
    session(anna, in_hours(5))
    monkeypatch.setattr("django.core.mail.EmailMessage.send", _fail)

    assert appointment_reminders_send() == 1
    assert len(sms_outbox) == 1


def test_each_patient_gets_one_email_per_session(anna):
    place = _place()
    session(anna, in_hours(3), **place)
    session(anna, in_hours(6), **place)
    session(portal_patient(email="omar@example.org"), in_hours(4))

    assert run() == "Sent 3 reminders.\n"
    assert sorted(m.to[0] for m in mail.outbox) == ["anna.roth@example.org"] * 2 + ["omar@example.org"]


def test_the_email_says_when_what_with_whom_and_where_in_the_clinic_zone_and_nothing_clinical(anna):
    course = course_for(anna)
    held(course, in_hours(-72), summary="SUMMARY-SECRET")
    therapist = TherapistFactory(user__first_name="Lena", user__last_name="Hoffmann")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    starts_at = local(tomorrow.year, tomorrow.month, tomorrow.day, 9, 30)
    session(anna, starts_at, course=course, therapist=therapist, room=RoomFactory(name="Garden room"))

    appointment_reminders_send(now=starts_at - dt.timedelta(hours=10))

    [message] = mail.outbox
    assert message.subject == f"Reminder: Therapeutic massage on {tomorrow:%A} at 09:30"
    assert f"{tomorrow:%A} {tomorrow.day} {tomorrow:%B %Y}, 09:30–10:15" in message.body
    assert "Therapeutic massage with Lena Hoffmann" in message.body
    assert "Room: Garden room" in message.body
    assert "+49 30 1234 5678" in message.body
    for secret in ["SUMMARY-SECRET", course.diagnosis.title, *[v.split()[0] for v in SOAP.values()]]:
        assert secret not in message.body


@override_settings(CLINIC_BASE_URL="https://clinic.example.org")
def test_with_the_public_address_configured_the_email_links_the_portal(anna):
    session(anna, in_hours(5))

    appointment_reminders_send()

    assert "https://clinic.example.org/portal/appointments/" in mail.outbox[0].body


def test_a_run_that_finds_a_session_already_claimed_by_a_concurrent_run_does_not_send_it_again(anna, monkeypatch):
    session(anna, in_hours(5))
    claim = _reminder_claim
    concurrent_runs = []

    def claim_after_another_run(appointment, now):
        # The other run starts after this one read its list, and claims the session first.
        if not concurrent_runs:
            concurrent_runs.append("started")
            concurrent_runs.append(appointment_reminders_send(now=now))
        return claim(appointment, now)

    monkeypatch.setattr(reminders, "_reminder_claim", claim_after_another_run)

    assert appointment_reminders_send() == 0
    assert concurrent_runs == ["started", 1]
    assert len(mail.outbox) == 1


def test_a_session_cancelled_after_the_list_was_read_is_not_reminded(anna, monkeypatch):
    appointment = session(anna, in_hours(5))
    claim = _reminder_claim

    def cancel_first(found, now):
        appointment_cancel(appointment=appointment, reason="Called in ill")
        return claim(found, now)

    monkeypatch.setattr(reminders, "_reminder_claim", cancel_first)

    assert appointment_reminders_send() == 0
    assert mail.outbox == []


def _fail(self, *args, **kwargs):
    raise smtplib.SMTPServerDisconnected("gone")


def test_when_the_mail_server_fails_the_session_is_retried_on_the_next_run(anna, monkeypatch):
    anna.phone = ""
    anna.save()
    appointment = session(anna, in_hours(5))

    with monkeypatch.context() as patch:
        patch.setattr("django.core.mail.EmailMessage.send", _fail)
        with pytest.raises(CommandError, match="could not be reached"):
            run()
    appointment.refresh_from_db()
    assert appointment.reminder_sent_at is None

    assert run() == "Sent 1 reminder.\n"
    assert len(mail.outbox) == 1


def _place():
    return {"therapist": TherapistFactory(), "room": RoomFactory()}


@pytest.mark.postgresql
# serialized_rollback like every other transactional test: a flush without it recreates the content
# types, which the next test that restores the serialized rows would then insert a second time.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_four_runs_at_once_send_each_reminder_exactly_once():
    place = _place()
    patient = portal_patient(email="many@example.org")
    for hour in range(1, 21):
        session(patient, in_hours(hour), **place)
    barrier = threading.Barrier(4)
    results = []

    def one_run():
        try:
            barrier.wait()
            results.append(appointment_reminders_send())
        finally:
            connection.close()

    threads = [threading.Thread(target=one_run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(results) == 20
    assert len(mail.outbox) == 20
