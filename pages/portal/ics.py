"""Appointments as iCalendar (RFC 5545): one session to download, or the patient's feed.

An event says when, what (the modality's name), with whom and in which room: nothing clinical,
because calendars get synced to phones, shared with family and shown on lock screens.
"""

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext
from icalendar import Calendar, Event

from sessions.models import Appointment, AppointmentStatus

# How often a subscribed calendar app should fetch the feed again (X-PUBLISHED-TTL below too).
FEED_REFRESH = dt.timedelta(hours=1)


def uid_domain() -> str:
    """The right-hand side of every event UID. It must not change, or calendar apps would show
    each session twice: it comes from CLINIC_BASE_URL, never from the request's host."""
    return urlsplit(settings.CLINIC_BASE_URL).hostname or "clinic.localhost"


def appointment_uid(appointment: Appointment) -> str:
    return f"appointment-{appointment.pk}@{uid_domain()}"


def _event(appointment: Appointment) -> Event:
    therapist, room = appointment.therapist, appointment.room
    cancelled = appointment.status == AppointmentStatus.CANCELLED
    return Event.new(
        uid=appointment_uid(appointment),
        # Wall-clock times in the clinic's zone with its VTIMEZONE, so the session stays at
        # 10:00 however the phone's own zone or a daylight-saving change moves.
        start=timezone.localtime(appointment.starts_at),
        end=timezone.localtime(appointment.ends_at),
        # DTSTAMP of a published calendar is when the event last changed, so an unchanged
        # session yields the same bytes on every fetch.
        stamp=appointment.updated_at,
        last_modified=appointment.updated_at,
        summary=gettext("%(modality)s at %(clinic)s")
        % {"modality": appointment.modality, "clinic": settings.CLINIC_NAME},
        location=f"{settings.CLINIC_NAME}, {room}",
        description=gettext("%(modality)s with %(therapist)s in %(room)s.\nTo cancel or move it, call %(phone)s.")
        % {"modality": appointment.modality, "therapist": therapist, "room": room, "phone": settings.CLINIC_PHONE},
        status="CANCELLED" if cancelled else "CONFIRMED",
    )


def appointments_ics(appointments: list[Appointment], *, name: str, uid: str, language: str) -> bytes:
    """The appointments as one iCalendar file, with the clinic's time zone defined in it, its
    texts in `language` (the patient's: a calendar app has no language to ask for).

    `uid` names the calendar itself; like the events' UIDs it stays the same from one fetch to
    the next, so an unchanged calendar is the same bytes.
    """
    calendar = Calendar.new(
        prodid=f"-//{settings.CLINIC_NAME}//Patient portal//EN",
        name=name,
        method="PUBLISH",
        uid=f"{uid}@{uid_domain()}",
    )
    # RFC 7986 asks for the VALUE parameter; Outlook and Apple read X-PUBLISHED-TTL instead.
    calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    with translation.override(language):
        for appointment in appointments:
            calendar.add_component(_event(appointment))
    if appointments:
        # The zone's rules for the span of the events only, not 1970 to 2038.
        days = [timezone.localtime(a.starts_at).date() for a in appointments]
        calendar.add_missing_timezones(
            first_date=min(days) - dt.timedelta(days=366), last_date=max(days) + dt.timedelta(days=366)
        )
    return calendar.to_ical()
