"""Reminders for the sessions of the next 24 hours, sent from cron (send_reminders) on each
patient's channel (patients.notify: e-mail or SMS, the other one as a fallback)."""

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import get_connection
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from patients.notify import patient_message_send
from sessions.models import (
    Appointment,
    AppointmentStatus,
)

# A session is reminded once it starts within this window (the cron job runs every few minutes).
REMINDER_WINDOW = dt.timedelta(hours=24)


logger = logging.getLogger(__name__)


def appointment_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Remind each patient (by e-mail or SMS, as they chose) of their booked sessions starting
    within the next 24 hours; returns how many were sent. Safe to run from cron every few minutes,
    even twice at once: each session
    is claimed with one conditional UPDATE before its e-mail goes, so it is reminded once only.

    Sessions flagged for review (an acute phase was recorded) are left out: the clinic has yet
    to decide whether they go ahead.
    """
    now = now or timezone.now()
    due = list(
        Appointment.objects.filter(
            status=AppointmentStatus.BOOKED,
            reminder_sent_at__isnull=True,
            needs_review=False,
            starts_at__gt=now,
            starts_at__lte=now + REMINDER_WINDOW,
        )
        .exclude(patient__email="", patient__phone="")
        .select_related("patient", "modality", "therapist__user", "room")
        .order_by("starts_at", "pk")
    )
    sent = 0
    with get_connection() as connection:
        for appointment in due:
            if not _reminder_claim(appointment, now):
                continue  # another run claimed it, or it was cancelled meanwhile
            try:
                _reminder_send(appointment, connection)
            except Exception:
                # Give the session back so the next run tries again, and stop: the mail server or
                # the gateway is most likely down for every other message too.
                Appointment.objects.filter(pk=appointment.pk, reminder_sent_at=now).update(reminder_sent_at=None)
                logger.exception("Reminder for appointment %s could not be sent", appointment.pk)
                raise
            sent += 1
    return sent


def _reminder_claim(appointment: Appointment, now: dt.datetime) -> bool:
    claimed = Appointment.objects.filter(
        pk=appointment.pk, status=AppointmentStatus.BOOKED, reminder_sent_at__isnull=True
    ).update(reminder_sent_at=now)
    return claimed == 1


def _reminder_send(appointment: Appointment, connection) -> str:
    """The reminder on the patient's channel: the e-mail from its template, or a short text."""
    context = {
        "appointment": appointment,
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        "portal_url": f"{settings.CLINIC_BASE_URL}/portal/appointments/" if settings.CLINIC_BASE_URL else "",
    }
    local_start = timezone.localtime(appointment.starts_at)
    # In the patient's language, whatever the language of the run that sends it.
    with translation.override(appointment.patient.language):
        subject = gettext("Reminder: %(modality)s on %(day)s at %(time)s") % {
            "modality": appointment.modality,
            "day": date_format(local_start, gettext("l")),
            "time": f"{local_start:%H:%M}",
        }
        text = render_to_string("emails/reminder_email.txt", context)
        sms_text = render_to_string("emails/reminder_sms.txt", context).strip()
    channel = patient_message_send(
        appointment.patient, subject=subject, text=text, sms_text=sms_text, connection=connection
    )
    if not channel:  # the record lost both addresses since the query: nothing to retry
        logger.warning("Reminder for appointment %s: the patient has no e-mail address or phone", appointment.pk)
    return channel
