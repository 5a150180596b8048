"""The sessions ahead, for the clinic's editors (clinic.future_sessions): plugged in by
sessions.apps when Django starts, so the clinic can refuse a change that would strand a booked
session without importing the treatment domain."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext

from clinic.future_sessions import FutureSession, Wanted, session_when
from sessions.models import OPEN_STATUSES, Appointment
from sessions.schedule import at_local


def sessions_ahead(wanted: Wanted) -> list[FutureSession]:
    appointments = Appointment.objects.filter(status__in=OPEN_STATUSES, ends_at__gt=timezone.now())
    if wanted.therapist_ids is not None:
        appointments = appointments.filter(therapist_id__in=wanted.therapist_ids)
    if wanted.room_ids is not None:
        appointments = appointments.filter(room_id__in=wanted.room_ids)
    if wanted.starts_on is not None:
        appointments = appointments.filter(starts_at__gte=at_local(wanted.starts_on, dt.time.min))
    if wanted.ends_on is not None:
        appointments = appointments.filter(starts_at__lt=at_local(wanted.ends_on + dt.timedelta(days=1), dt.time.min))
    rows = appointments.select_related("patient", "therapist__user", "room").order_by("starts_at", "pk")
    return [
        FutureSession(
            pk=a.pk,
            therapist_id=a.therapist_id,
            room_id=a.room_id,
            room_location_id=a.room.location_id,
            modality_id=a.modality_id,
            starts_at=a.starts_at,
            ends_at=a.ends_at,
            label=gettext("%(when)s %(patient)s with %(therapist)s in %(room)s")
            % {"when": session_when(a.starts_at), "patient": a.patient, "therapist": a.therapist, "room": a.room},
        )
        for a in rows
    ]
