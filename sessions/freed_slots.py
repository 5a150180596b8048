"""A future session that leaves its slot frees the therapist's time: the waitlist's input.

`freed_slot_record` is the one hook. The domain services that free a slot call it inside their
own transaction, so a slot is recorded exactly when the change is saved and never when it is
rolled back: `appointment_status_set` for every cancellation (reception's, the patient's online,
one or all after review, the admin's) and `appointment_reschedule` for a move. The rows wait for
`manage.py send_waitlist_offers` (sessions.waitlist), which offers them to the waiting wishes."""

import datetime as dt

from django.utils import timezone

from sessions.models import Appointment, FreedCause, FreedSlot, FreedSlotStatus


def freed_slot_record(*, appointment: Appointment, cause: str, now: dt.datetime | None = None) -> FreedSlot | None:
    """Record that `appointment`'s slot (as it stands, before the move) is free from now on.

    Nothing for a session already started: only the time ahead can be offered. A slot already
    waiting to be offered (the same therapist, room and time, freed again after being booked at
    the desk) is not recorded twice."""
    now = now or timezone.now()
    if appointment.starts_at <= now:
        return None
    if cause not in FreedCause.values:
        raise ValueError(f"cause must be one of {FreedCause.values}")
    place = {
        "therapist_id": appointment.therapist_id,
        "room_id": appointment.room_id,
        "starts_at": appointment.starts_at,
        "ends_at": appointment.ends_at,
    }
    if FreedSlot.objects.filter(status=FreedSlotStatus.OPEN, **place).exists():
        return None
    return FreedSlot.objects.create(
        appointment=appointment, modality_id=appointment.modality_id, cause=cause, created_at=now, **place
    )
