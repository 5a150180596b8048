"""The booking engine. Every way of creating or moving an appointment comes through here, so
the contraindication check and the conflict checks run on every path, in one transaction."""

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format

from clinic.models import Cadence, Modality, Room, Therapist
from clinic.roles import THERAPIST, has_role
from patients.models import Diagnosis, Patient, PhaseRecord
from patients.services import acute_phase_reason, contraindications_check
from sessions.checks import booking_problems, when
from sessions.integrity import note_content_hash
from sessions.models import (
    AREA_SIDE_CHOICES,
    Addendum,
    Appointment,
    AppointmentStatus,
    Course,
    CourseStatus,
    SessionNote,
)
from sessions.schedule import local_date
from sessions.selectors import appointment_patient_can_cancel, course_outcome, therapist_treats_patient

EXCLUSION_VIOLATION = "23P01"  # PostgreSQL's error code for an exclusion constraint
# Two bookings inserting overlapping rows at the same instant may each wait for the other while
# checking the exclusion constraint; PostgreSQL then aborts one of them with this code.
DEADLOCK_DETECTED = "40P01"
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
    except (IntegrityError, OperationalError) as error:
        if getattr(error.__cause__, "sqlstate", None) in (EXCLUSION_VIOLATION, DEADLOCK_DETECTED):
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
    # A cancelled session needs no review any more, whichever page cancelled it.
    appointment.needs_review = False
    appointment.review_reason = ""
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
    if appointment.course_id is not None:
        course_complete_if_full(course=appointment.course)
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
    return appointment_cancel(appointment=appointment, reason=reason)


# The patient portal --------------------------------------------------------------------------

PATIENT_CANCEL_REASON = "Cancelled by the patient online"
# A session is reminded once it starts within this window (the cron job runs every few minutes).
REMINDER_WINDOW = dt.timedelta(hours=24)

logger = logging.getLogger(__name__)


def appointment_patient_cancel(*, appointment: Appointment, reason: str = "", now: dt.datetime | None = None):
    """A patient cancels their own booked session online, within the notice period only.

    The rule is checked on the locked row, so a session moved meanwhile is judged by its new
    time. Frees the slot through appointment_cancel, the same path reception uses.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if not appointment_patient_can_cancel(appointment=locked, now=now):
            if locked.status != AppointmentStatus.BOOKED:
                status = locked.get_status_display().lower()
                raise BookingRefused([f"This session is {status}; it cannot be cancelled any more."])
            raise BookingRefused(
                [
                    f"Sessions can be cancelled online until {settings.CANCELLATION_NOTICE_HOURS} hours before "
                    f"they start. Please call the clinic on {settings.CLINIC_PHONE}."
                ]
            )
        reason = " ".join(reason.split())
        full_reason = f"{PATIENT_CANCEL_REASON}: {reason}" if reason else PATIENT_CANCEL_REASON
        return appointment_cancel(appointment=locked, reason=full_reason[:300])


def appointment_reminders_send(*, now: dt.datetime | None = None) -> int:
    """E-mail each patient about their booked sessions starting within the next 24 hours; returns
    how many were sent. Safe to run from cron every few minutes, even twice at once: each session
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
        .exclude(patient__email="")
        .select_related("patient", "modality", "therapist__user", "room")
        .order_by("starts_at", "pk")
    )
    sent = 0
    with get_connection() as connection:
        for appointment in due:
            if not _reminder_claim(appointment, now):
                continue  # another run claimed it, or it was cancelled meanwhile
            try:
                _reminder_message(appointment, connection).send()
            except Exception:
                # Give the session back so the next run tries again, and stop: the mail server is
                # most likely down for every other message too.
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


def _reminder_message(appointment: Appointment, connection) -> EmailMessage:
    context = {
        "appointment": appointment,
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        "portal_url": f"{settings.CLINIC_BASE_URL}/portal/appointments/" if settings.CLINIC_BASE_URL else "",
    }
    local_start = timezone.localtime(appointment.starts_at)
    return EmailMessage(
        subject=f"Reminder: {appointment.modality} on {local_start:%A} at {local_start:%H:%M}",
        body=render_to_string("sessions/reminder_email.txt", context),
        to=[appointment.patient.email],
        connection=connection,
    )


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


# Session notes -------------------------------------------------------------------------------

NOTE_FIELDS = frozenset(
    {
        "subjective",
        "objective",
        "assessment",
        "plan",
        "pain_before",
        "pain_after",
        "areas_treated",
        "techniques",
        "oils_used",
        "minutes",
        "stopped_early",
        "stopped_early_reason",
        "patient_summary",
    }
)
AREA_SIDE_ORDER = [value for value, _ in AREA_SIDE_CHOICES]
NO_NOTE_STATUSES = (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW)
SIGNED_ALREADY = "This note is signed and can no longer change; add an addendum instead."


class NoteRefused(Exception):
    """A refused note, signature or addendum. `reasons` are sentences a therapist understands."""

    def __init__(self, reasons: list[str]):
        self.reasons = list(reasons)
        super().__init__(" ".join(self.reasons))


def _note_problems(note: SessionNote) -> list[str]:
    problems = []
    for name, label in (("pain_before", "Pain before"), ("pain_after", "Pain after")):
        value = getattr(note, name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10):
            problems.append(f"{label} is a whole number from 0 to 10.")
    if note.minutes is not None and (not isinstance(note.minutes, int) or not 1 <= note.minutes <= 240):
        problems.append("Minutes are a whole number from 1 to 240.")
    unknown = [area for area in note.areas_treated if area not in AREA_SIDE_ORDER]
    if unknown:
        problems.append(f"Unknown areas treated: {', '.join(map(str, unknown))}.")
    if note.stopped_early and not note.stopped_early_reason.strip():
        problems.append("Say why the session stopped early.")
    return problems


@transaction.atomic
def session_note_save(*, appointment: Appointment, author: AbstractBaseUser, **fields) -> SessionNote:
    """Create or update the draft note of a session. Only the session's own therapist writes it,
    never once it is signed, and never for a session that was cancelled or missed."""
    unknown = set(fields) - NOTE_FIELDS
    if unknown:
        raise TypeError(f"session_note_save() cannot set {', '.join(sorted(unknown))}")
    appointment = Appointment.objects.select_for_update().select_related("therapist").get(pk=appointment.pk)
    if appointment.therapist.user_id != author.pk:
        raise NoteRefused(["Only the session's own therapist writes its note."])
    note = SessionNote.objects.select_for_update().filter(appointment=appointment).first()
    if note is not None and note.is_signed:
        raise NoteRefused([SIGNED_ALREADY])
    if appointment.status in NO_NOTE_STATUSES:
        raise NoteRefused([f"A {appointment.get_status_display().lower()} session gets no note."])
    note = note or SessionNote(appointment=appointment)
    note.author = author  # the draft belongs to whoever treats the session now
    for name, value in fields.items():
        setattr(note, name, value)
    note.areas_treated = list(note.areas_treated or [])
    problems = _note_problems(note)
    if problems:
        raise NoteRefused(problems)
    # Stored in the order the technique works the areas, whatever order they were ticked in.
    note.areas_treated = sorted(set(note.areas_treated), key=AREA_SIDE_ORDER.index)
    note.stopped_early_reason = note.stopped_early_reason.strip() if note.stopped_early else ""
    try:
        # Lengths and the rest of the model's own rules; the session and author are settled above.
        note.full_clean(exclude=["appointment", "author", "signed_by"])
    except ValidationError as error:
        raise NoteRefused(error.messages) from error
    note.save()
    return note


@transaction.atomic
def session_note_sign(*, note: SessionNote, signed_by: AbstractBaseUser) -> SessionNote:
    """Sign a draft: from now on it never changes. A completed session with a signed note counts
    as done for its course, which completes once its last session is done."""
    note = SessionNote.objects.select_for_update().select_related("appointment").get(pk=note.pk)
    if note.is_signed:
        raise NoteRefused([SIGNED_ALREADY])
    if note.author_id != signed_by.pk:
        raise NoteRefused(["Only the note's author signs it."])
    appointment = note.appointment
    if appointment.status in NO_NOTE_STATUSES:
        raise NoteRefused([f"The session was {appointment.get_status_display().lower()}; its note is not signed."])
    if appointment.starts_at > timezone.now():
        raise NoteRefused(["A note is signed once the session has started."])
    missing = [
        label
        for name, label in (("pain_before", "pain before"), ("pain_after", "pain after"), ("minutes", "minutes"))
        if getattr(note, name) is None
    ]
    if missing:
        raise NoteRefused([f"Fill in {', '.join(missing)} before signing."])
    note.signed_at = timezone.now()
    note.signed_by = signed_by
    note.content_hash = note_content_hash(note)
    note.save()
    if appointment.course_id is not None and appointment.status == AppointmentStatus.COMPLETED:
        course_complete_if_full(course=appointment.course)
    return note


def course_sessions_done_count(*, course: Course) -> int:
    """Done means completed and its note signed, as the course progress on every page counts it."""
    return course.appointments.filter(status=AppointmentStatus.COMPLETED, note__signed_at__isnull=False).count()


@transaction.atomic
def course_complete_if_full(*, course: Course) -> Course:
    """Mark the course completed once its done sessions reach its maximum; otherwise leave it."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    if course.status in (CourseStatus.COMPLETED, CourseStatus.CANCELLED):
        return course
    if course_sessions_done_count(course=course) >= course.max_sessions:
        course.status = CourseStatus.COMPLETED
        course.save(update_fields=["status", "updated_at"])
    return course


@transaction.atomic
def addendum_add(*, note: SessionNote, author: AbstractBaseUser, text: str) -> Addendum:
    """Correct or add to a signed note without changing it: by its author, or by a therapist who
    treats the same patient."""
    note = SessionNote.objects.select_related("appointment__patient").get(pk=note.pk)
    if not note.is_signed:
        raise NoteRefused(["Addenda are for signed notes; a draft is edited directly."])
    text = text.strip()
    if not text:
        raise NoteRefused(["Write the addendum's text."])
    if author.pk != note.author_id and not (
        has_role(author, THERAPIST) and therapist_treats_patient(user=author, patient=note.appointment.patient)
    ):
        raise NoteRefused(["Only the note's author or a therapist treating this patient adds to it."])
    addendum = Addendum(note=note, author=author, text=text)
    addendum.full_clean()
    addendum.save()
    return addendum


class CourseRefused(BookingError):
    """A course that cannot be prescribed, or a status change that does not apply to it."""


def _course_numbers(modality: Modality, min_sessions, max_sessions, session_minutes, cadence, sessions_per_week):
    """The course's numbers: what the therapist entered, the modality's defaults for the rest."""
    cadence = cadence or modality.cadence
    if sessions_per_week is None and cadence == modality.cadence:
        sessions_per_week = modality.sessions_per_week
    return {
        "min_sessions": modality.course_min_sessions if min_sessions is None else min_sessions,
        "max_sessions": modality.course_max_sessions if max_sessions is None else max_sessions,
        "session_minutes": modality.session_minutes if session_minutes is None else session_minutes,
        "cadence": cadence,
        "sessions_per_week": sessions_per_week,
    }


def _course_problems(course: Course, patient: Patient, diagnosis: Diagnosis) -> list[str]:
    reasons = []
    if diagnosis.patient_id != patient.pk:
        reasons.append("That diagnosis belongs to another patient.")
    elif not diagnosis.active:
        reasons.append(f"The diagnosis {diagnosis} is no longer active; prescribe for an active diagnosis.")
    if course.min_sessions > course.max_sessions:
        reasons.append(
            f"The minimum number of sessions ({course.min_sessions}) is above the maximum ({course.max_sessions})."
        )
    if course.cadence == Cadence.PER_WEEK and course.sessions_per_week is None:
        reasons.append("Say how many sessions a week the course has.")
    if course.cadence != Cadence.PER_WEEK and course.sessions_per_week is not None:
        reasons.append("Sessions per week go with the 'sessions per week' cadence only; leave the number empty.")
    try:
        # The checks above already say in the clinic's words what the table constraints refuse.
        course.full_clean(exclude=["patient", "diagnosis"], validate_constraints=False)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            label = Course._meta.get_field(name).verbose_name.capitalize() if name != "__all__" else ""
            reasons += [f"{label}: {message}" if label else message for message in messages]
    return reasons


def course_prescribe(
    *,
    patient: Patient,
    diagnosis: Diagnosis,
    modality: Modality,
    prescribed_by: AbstractBaseUser,
    starts_on: dt.date,
    min_sessions: int | None = None,
    max_sessions: int | None = None,
    session_minutes: int | None = None,
    cadence: str | None = None,
    sessions_per_week: int | None = None,
    goals: str = "",
    home_programme: str = "",
) -> Course:
    """Prescribe a course of `modality` for one of the patient's active diagnoses; numbers left
    as None come from the modality's course defaults. Refused, with every reason, while anything
    blocks the modality for the patient today (an acute phase, a blocking health flag)."""
    course = Course(
        patient=patient,
        diagnosis=diagnosis,
        modality=modality,
        prescribed_by=prescribed_by,
        starts_on=starts_on,
        status=CourseStatus.ACTIVE,
        goals=goals.strip(),
        home_programme=home_programme.strip(),
        **_course_numbers(modality, min_sessions, max_sessions, session_minutes, cadence, sessions_per_week),
    )
    reasons = contraindications_check(patient=patient, modality=modality, at=timezone.now()).blocks
    reasons += _course_problems(course, patient, diagnosis)
    if reasons:
        raise CourseRefused(reasons)
    course.save()
    return course


def _locked_course(course: Course, allowed: set[str], action: str) -> Course:
    course = Course.objects.select_for_update().select_related("patient", "modality", "diagnosis").get(pk=course.pk)
    if course.status not in allowed:
        status = course.get_status_display().lower()
        article = "An" if status[0] in "aeiou" else "A"
        raise CourseRefused([f"{article} {status} course cannot be {action}."])
    return course


@transaction.atomic
def course_suspend(*, course: Course) -> Course:
    """Pause a course, for instance in a flare-up. Its booked sessions stay booked: an acute
    phase flags them for reception, and the therapist decides about the rest."""
    course = _locked_course(course, {CourseStatus.ACTIVE, CourseStatus.PLANNED}, "suspended")
    course.status = CourseStatus.SUSPENDED
    course.save(update_fields=["status", "updated_at"])
    return course


@transaction.atomic
def course_resume(*, course: Course) -> Course:
    """Take a suspended course up again, once nothing blocks its modality for the patient."""
    course = _locked_course(course, {CourseStatus.SUSPENDED}, "resumed")
    blocks = contraindications_check(patient=course.patient, modality=course.modality, at=timezone.now()).blocks
    if blocks:
        raise CourseRefused(blocks)
    course.status = CourseStatus.ACTIVE
    course.save(update_fields=["status", "updated_at"])
    return course


@transaction.atomic
def course_close(*, course: Course, closed_by: AbstractBaseUser, remarks: str = "") -> Course:
    """Complete a course and keep its discharge summary: what was done and how the pain went."""
    course = _locked_course(course, {CourseStatus.PLANNED, CourseStatus.ACTIVE, CourseStatus.SUSPENDED}, "closed")
    course.status = CourseStatus.COMPLETED
    course.discharge_summary = course_discharge_summary(course=course, closed_by=closed_by, remarks=remarks)
    course.save(update_fields=["status", "discharge_summary", "updated_at"])
    return course


def _score(value: int | None) -> str:
    return "not recorded" if value is None else f"{value}/10"


def course_discharge_summary(*, course: Course, closed_by: AbstractBaseUser, remarks: str = "") -> str:
    """The text course_close() stores; the close page shows it before the therapist confirms."""
    outcome = course_outcome(course=course)
    closer = closed_by.get_full_name() or closed_by.get_username()
    lines = [
        f"{course.modality} for {course.diagnosis.icd10_code} {course.diagnosis.title}, "
        f"started {date_format(course.starts_on, 'j F Y')}; "
        f"closed on {date_format(timezone.localdate(), 'j F Y')} by {closer}.",
        f"Sessions done: {outcome.sessions_done} of {course.session_range} prescribed.",
        f"Pain before the first session: {_score(outcome.first_pain)}; "
        f"after the last session: {_score(outcome.last_pain)}.",
        f"Sessions stopped early: {outcome.stopped_early}.",
    ]
    remarks = remarks.strip()
    if remarks:
        lines.append(f"Therapist's remarks: {remarks}")
    return "\n".join(lines)
