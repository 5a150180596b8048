"""A day's version: one token for the sessions of a day and the records of their patients, so that
a page drawn from the day (reception's day board) can be kept while the day stays the same.

It is read off the sessions that start on the day, whatever their status, each with its patient's
record version (patients/record_version.py), which a trigger changes on every write to a session
and to anything else of its patient's record. So a session booked onto the day, moved off it,
cancelled or checked in, or a change to the record of a patient seen that day (a phase, a flag, a
consent signed) gives the day a new token, in the writing transaction."""

import datetime as dt
import hashlib

from django.db import router
from django.db.models import OuterRef, Subquery

from patients.models import RecordVersion
from sessions.models import Appointment
from sessions.schedule import at_local


def day_token(day: dt.date) -> str | None:
    """The day's version on the database its sessions are read from; None when a session's
    patient has no record version (a test database just emptied): nothing may be kept under None."""
    using = router.db_for_read(Appointment)
    starts, ends = at_local(day, dt.time.min), at_local(day + dt.timedelta(days=1), dt.time.min)
    token = Subquery(RecordVersion.objects.filter(patient_id=OuterRef("patient_id")).values("token")[:1])
    rows = (
        Appointment.objects.using(using)
        .filter(starts_at__gte=starts, starts_at__lt=ends)
        .annotate(token=token)
        .order_by("pk")
        .values_list("pk", "token")
    )
    written = []
    for pk, patient_token in rows:
        if patient_token is None:
            return None
        written.append(f"{pk}:{patient_token}")
    return hashlib.sha256(";".join(written).encode()).hexdigest()
