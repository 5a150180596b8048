"""The booking engine. Every way of creating or moving an appointment comes through here, so
the contraindication check and the conflict checks run on every path, in one transaction."""

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from clinic.models import Modality, Room, Therapist
from patients.models import Patient, PhaseRecord
from patients.services import acute_phase_reason, contraindications_check
from sessions.checks import booking_problems, when
from sessions.models import Appointment, AppointmentStatus, Course
from sessions.schedule import local_date

EXCLUSION_VIOLATION = "23P01"  # PostgreSQL's error code for an exclusion constraint
SLOT_TAKEN = "That slot was just taken by another booking. Choose another time."

# The statuses an appointment may move to from each status; anything else is refused.
TRANSITIONS = {
    AppointmentStatus.BOOKED: {
        AppointmentStatus.CHECKED_IN,
        AppointmentStatus.COMPLETED,
        AppointmentStatus.CANCELLED,
        AppointmentStatus.NO_SHOW,
    },
    AppointmentStatus.CHECKED_IN: {AppointmentStatus.COMPLETED, AppointmentStatus.CANCELLED},
    AppointmentStatus.COMPLETED: set(),
    AppointmentStatus.CANCELLED: set(),
    AppointmentStatus.NO_SHOW: set(),
}


class BookingError(Exception):
    """A refused booking or status change. `reasons` are sentences a receptionist understands."""

    def __init__(self, reasons: list[str], warnings: list[str] | None = None):
        self.reasons = list(reasons)
        self.warnings = list(warnings or [])
        super().__init__(" ".join(self.reasons or self.warnings))


class BookingRefused(BookingError):
    pass


class WarningsNotConfirmed(BookingError):
    """Nothing forbids the booking, but someone must read and confirm these warnings first."""

    def __init__(self, warnings: list[str]):
        super().__init__([], warnings)


def _session_length(course: Course | None, modality: Modality) -> dt.timedelta:
    return dt.timedelta(minutes=course.session_minutes if course else modality.session_minutes)


def appointment_book(
    *,
    patient: Patient,
    therapist: Therapist,
    room: Room,
    starts_at: dt.datetime,
    modality: Modality | None = None,
    course: Course | None = None,
    booked_by: AbstractBaseUser | None = None,
    confirm_warnings: bool = False,
) -> Appointment:
    """Book one session of a course (or of a modality outside any course).

    Raises BookingRefused with every reason that applies, or WarningsNotConfirmed when only
    warnings stand in the way and the caller has not confirmed them.
    """
    if course is not None:
        modality = course.modality
    if modality is None:
        raise BookingRefused(["Choose a course or a modality."])
    ends_at = starts_at + _session_length(course, modality)
    with transaction.atomic():
        if course is not None:
            # Serialise bookings on one course so two desks cannot both book its last session.
            course = Course.objects.select_for_update().get(pk=course.pk)
        reasons, warnings = booking_problems(
            patient=patient,
            modality=modality,
            therapist=therapist,
            room=room,
            starts_at=starts_at,
            ends_at=ends_at,
            course=course,
        )
        _refuse_or_confirm(reasons, warnings, confirm_warnings)
        appointment = Appointment(
            patient=patient,
            course=course,
            modality=modality,
            therapist=therapist,
            room=room,
            starts_at=starts_at,
            ends_at=ends_at,
            booked_by=booked_by,
        )
        _save_guarding_races(appointment)
    return appointment


def _refuse_or_confirm(reasons: list[str], warnings: list[str], confirm_warnings: bool) -> None:
    if reasons:
        raise BookingRefused(reasons, warnings)
    if warnings and not confirm_warnings:
        raise WarningsNotConfirmed(warnings)


def _save_guarding_races(appointment: Appointment) -> None:
    """On PostgreSQL the exclusion constraints refuse an overlap that a concurrent booking
    created after our checks ran; turn that into the message a receptionist can act on."""
    try:
        with transaction.atomic():
            appointment.save()
    except IntegrityError as error:
        if getattr(error.__cause__, "sqlstate", None) == EXCLUSION_VIOLATION:
            raise BookingRefused([SLOT_TAKEN]) from error
        raise


def appointment_reschedule(
    *,
    appointment: Appointment,
    starts_at: dt.datetime,
    therapist: Therapist | None = None,
    room: Room | None = None,
    confirm_warnings: bool = False,
) -> Appointment:
    """Move a booked session; the same checks as a new booking, ignoring the session itself."""
    therapist = therapist or appointment.therapist
    room = room or appointment.room
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if appointment.status != AppointmentStatus.BOOKED:
            raise BookingRefused([f"A {appointment.get_status_display().lower()} session cannot be moved."])
        ends_at = starts_at + (appointment.ends_at - appointment.starts_at)
        reasons, warnings = booking_problems(
            patient=appointment.patient,
            modality=appointment.modality,
            therapist=therapist,
            room=room,
            starts_at=starts_at,
            ends_at=ends_at,
            course=appointment.course,
            exclude_appointment_id=appointment.pk,
        )
        _refuse_or_confirm(reasons, warnings, confirm_warnings)
        appointment.therapist, appointment.room = therapist, room
        appointment.starts_at, appointment.ends_at = starts_at, ends_at
        _save_guarding_races(appointment)
    return appointment


def _transition(appointment: Appointment, status: str) -> Appointment:
    locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if status not in TRANSITIONS[AppointmentStatus(locked.status)]:
        current = locked.get_status_display().lower()
        target = AppointmentStatus(status).label.lower()
        raise BookingRefused([f"A {current} session cannot be marked {target}."])
    locked.status = status
    return locked


@transaction.atomic
def appointment_cancel(*, appointment: Appointment, reason: str) -> Appointment:
    """Cancel and free the slot; the row stays, with the reason, for the record."""
    reason = reason.strip()
    if not reason:
        raise BookingRefused(["Give a reason for the cancellation."])
    appointment = _transition(appointment, AppointmentStatus.CANCELLED)
    appointment.cancellation_reason = reason
    appointment.cancelled_at = timezone.now()
    appointment.save()
    return appointment


@transaction.atomic
def appointment_check_in(*, appointment: Appointment) -> Appointment:
    if local_date(appointment.starts_at) != timezone.localdate():
        raise BookingRefused(["A patient is checked in on the day of the session only."])
    appointment = _transition(appointment, AppointmentStatus.CHECKED_IN)
    appointment.checked_in_at = timezone.now()
    appointment.save()
    return appointment


@transaction.atomic
def appointment_complete(*, appointment: Appointment) -> Appointment:
    if appointment.starts_at > timezone.now():
        raise BookingRefused(["A session cannot be completed before it starts."])
    appointment = _transition(appointment, AppointmentStatus.COMPLETED)
    appointment.save()
    return appointment


@transaction.atomic
def appointment_no_show(*, appointment: Appointment) -> Appointment:
    if appointment.starts_at > timezone.now():
        raise BookingRefused(["A no-show is recorded only once the session's start time has passed."])
    appointment = _transition(appointment, AppointmentStatus.NO_SHOW)
    appointment.save()
    return appointment


def appointments_flag_for_review(*, record: PhaseRecord) -> int:
    """An acute phase puts every later session of the patient in doubt: flag them, never delete.

    Only the sessions this record governs: none for a diagnosis that is no longer active (it
    does not block), and none after a later record of the diagnosis takes over, so entering an
    old acute spell that a remission already ended flags nothing.
    """
    diagnosis = record.diagnosis
    if not diagnosis.active:
        return 0
    reason = f"Review: {acute_phase_reason(diagnosis, record)}"[:300]
    since = max(record.effective_from, timezone.now())
    sessions = Appointment.objects.filter(patient_id=diagnosis.patient_id, starts_at__gte=since)
    superseded_at = (
        diagnosis.phase_records.filter(effective_from__gt=record.effective_from)
        .order_by("effective_from")
        .values_list("effective_from", flat=True)
        .first()
    )
    if superseded_at is not None:
        sessions = sessions.filter(starts_at__lt=superseded_at)
    return sessions.filter(Q(status=AppointmentStatus.BOOKED) | Q(status=AppointmentStatus.CHECKED_IN)).update(
        needs_review=True, review_reason=reason, updated_at=timezone.now()
    )


@transaction.atomic
def appointment_review_keep(*, appointment: Appointment) -> Appointment:
    """Keep a flagged session: allowed once nothing blocks the patient any more."""
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    blocks = contraindications_check(
        patient=appointment.patient, modality=appointment.modality, at=appointment.starts_at
    ).blocks
    if blocks:
        raise BookingRefused(blocks)
    appointment.needs_review = False
    appointment.review_reason = ""
    appointment.save()
    return appointment


@transaction.atomic
def appointment_review_cancel(*, appointment: Appointment, reason: str) -> Appointment:
    appointment = appointment_cancel(appointment=appointment, reason=reason)
    appointment.needs_review = False
    appointment.review_reason = ""
    appointment.save()
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
            except BookingRefused as error:
                refusals += [f"{when(starts_at)}: {reason}" for reason in error.reasons]
        # Raising inside the atomic block rolls back the dates that did book.
        if refusals:
            raise BookingRefused(refusals, warnings)
        if warnings:
            raise WarningsNotConfirmed(warnings)
    return appointments
