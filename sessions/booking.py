"""The booking engine. Every way of creating or moving an appointment comes through here, so
the contraindication check and the conflict checks run on every path, in one transaction."""

import copy
import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, OperationalError, transaction
from django.utils.translation import gettext, gettext_noop

from clinic.date_windows import BOOKING_WINDOW, CALENDAR_WINDOW
from clinic.events import APPOINTMENT_BOOKED, APPOINTMENT_MOVED, event_announce
from clinic.models import Modality, Room, Therapist
from clinic.plan_cache import generic_plans
from clinic.refusals import Conflict, Refused, WarningsNotConfirmed
from patients.models import Patient
from sessions.booking_checks import booking_problems, when
from sessions.freed_slots import freed_slot_record
from sessions.models import (
    Appointment,
    Course,
    FreedCause,
)

EXCLUSION_VIOLATION = "23P01"  # PostgreSQL's error code for an exclusion constraint


# Two bookings inserting overlapping rows at the same instant may each wait for the other while
# checking the exclusion constraint; PostgreSQL then aborts one of them with this code.
DEADLOCK_DETECTED = "40P01"


# The sentence in the source language; raised translated (Conflict(gettext(SLOT_TAKEN))).
SLOT_TAKEN = Conflict(gettext_noop("That slot was just taken by another booking. Choose another time."))


def appointment_book(
    *, booked_by: AbstractBaseUser | None = None, confirm_warnings: bool = False, **draft
) -> Appointment:
    """Book one session of a course (or of a modality outside any course): the appointment
    appointment_draft(**draft) describes (patient, therapist, room, starts_at, and a course or
    a modality).

    Raises Refused with every reason that applies, or WarningsNotConfirmed when only
    warnings stand in the way and the caller has not confirmed them.
    """
    with transaction.atomic():
        # The same statements for every booking, planned once per connection (clinic.plan_cache).
        generic_plans()
        if draft.get("course") is not None:
            # Serialise bookings on one course so two desks cannot both book its last session.
            draft["course"] = Course.objects.select_for_update().get(pk=draft["course"].pk)
        appointment = appointment_draft(**draft)
        appointment.booked_by = booked_by
        _refuse_or_confirm(*booking_problems(appointment), confirm_warnings)
        _save_guarding_races(appointment)
        event_announce(APPOINTMENT_BOOKED, appointment=appointment)
    return appointment


def appointment_draft(
    *,
    patient: Patient,
    therapist: Therapist,
    room: Room,
    starts_at: dt.datetime,
    modality: Modality | None = None,
    course: Course | None = None,
) -> Appointment:
    """The unsaved appointment appointment_book() would save: a course's session takes the
    course's modality and length, a single session the modality's. A form checks it with
    booking_problems() before anything is saved (the admin)."""
    if course is not None:
        modality = course.modality
    if modality is None:
        raise Refused([gettext("Choose a course or a modality.")])
    length = dt.timedelta(minutes=course.session_minutes if course else modality.session_minutes)
    if not CALENDAR_WINDOW.contains(starts_at):
        raise Refused([BOOKING_WINDOW.message(starts_at)])
    return Appointment(
        patient=patient,
        course=course,
        modality=modality,
        therapist=therapist,
        room=room,
        starts_at=starts_at,
        ends_at=starts_at + length,
    )


def appointment_moved(
    appointment: Appointment, *, starts_at: dt.datetime, therapist: Therapist | None = None, room: Room | None = None
) -> Appointment:
    """A copy of `appointment` at its new time, with its therapist and room (or new ones), for
    booking_problems(); its length stays."""
    if not CALENDAR_WINDOW.contains(starts_at):
        raise Refused([BOOKING_WINDOW.message(starts_at)])
    moved = copy.copy(appointment)
    moved.therapist, moved.room = therapist or appointment.therapist, room or appointment.room
    moved.starts_at, moved.ends_at = starts_at, starts_at + (appointment.ends_at - appointment.starts_at)
    return moved


def _refuse_or_confirm(reasons: list[str], warnings: list[str], confirm_warnings: bool) -> None:
    if reasons:
        raise Refused(reasons, warnings)
    if warnings and not confirm_warnings:
        raise WarningsNotConfirmed(warnings)


def _save_guarding_races(appointment: Appointment) -> None:
    """On PostgreSQL the exclusion constraints refuse an overlap that a concurrent booking
    created after our checks ran; turn that into the message a receptionist can act on.

    Called inside the caller's atomic block, which the refusal leaves: that block rolls the
    transaction back, or, nested in another (a series, a waitlist offer accepted), its own
    savepoint, so the outer one goes on. A savepoint here would be two more round trips per
    booking for nothing."""
    try:
        appointment.save()
    except (IntegrityError, OperationalError) as error:
        if getattr(error.__cause__, "sqlstate", None) in (EXCLUSION_VIOLATION, DEADLOCK_DETECTED):
            raise Refused([Conflict(gettext(SLOT_TAKEN))]) from error
        raise


def appointment_reschedule(
    *,
    appointment: Appointment,
    starts_at: dt.datetime,
    therapist: Therapist | None = None,
    room: Room | None = None,
    confirm_warnings: bool = False,
) -> Appointment:
    """Move a booked session; the same checks as a new booking, ignoring the session itself.
    The time it leaves (another start, or another therapist) is freed for the waitlist
    (sessions.freed_slots), in the same transaction."""
    with transaction.atomic():
        generic_plans()
        before = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if not before.can_move:
            raise Refused([before.move_refusal()])
        appointment = appointment_moved(before, starts_at=starts_at, therapist=therapist, room=room)
        _refuse_or_confirm(*booking_problems(appointment), confirm_warnings)
        _save_guarding_races(appointment)
        if (before.starts_at, before.therapist_id) != (appointment.starts_at, appointment.therapist_id):
            freed_slot_record(appointment=before, cause=FreedCause.MOVED)
        event_announce(APPOINTMENT_MOVED, appointment=appointment, previous_starts_at=before.starts_at)
    return appointment


def course_series_book(
    *,
    course: Course,
    slots: list[tuple[dt.datetime, Therapist, Room]],
    booked_by: AbstractBaseUser | None = None,
    confirm_warnings: bool = False,
) -> list[Appointment]:
    """Book an accepted series plan all or nothing: if any date is refused, none is booked, and
    the error lists every refused date with its reasons."""
    refusals: list[str] = []
    warnings: list[str] = []
    appointments = []
    with transaction.atomic():
        for starts_at, therapist, room in slots:
            try:
                appointments.append(
                    appointment_book(
                        patient=course.patient,
                        course=course,
                        therapist=therapist,
                        room=room,
                        starts_at=starts_at,
                        booked_by=booked_by,
                        confirm_warnings=confirm_warnings,
                    )
                )
            except WarningsNotConfirmed as error:
                warnings += [w for w in error.warnings if w not in warnings]
            except Refused as error:
                refusals += [f"{when(starts_at)}: {reason}" for reason in error.reasons]
        # Raising inside the atomic block rolls back the dates that did book.
        if refusals:
            raise Refused(refusals, warnings)
        if warnings:
            raise WarningsNotConfirmed(warnings)
    return appointments
