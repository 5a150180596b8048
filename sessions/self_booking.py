"""Self-booking: a patient books the next sessions of a prescribed course in the portal, and moves
or cancels them within the notice period. Only inside a course (its modality, its length, what it
has left), only while the contraindication check lets the patient be treated, only with the
course's therapist (any qualified one with CLINIC_SELF_BOOKING_ANY_THERAPIST), only on days that
keep the course's cadence, no further ahead than CLINIC_SELF_BOOKING_HORIZON_DAYS, and with at
most CLINIC_SELF_BOOKING_MAX_OPEN sessions booked ahead. The clinic turns it off for everyone
(CLINIC_SELF_BOOKING) or for one patient (Patient.self_booking).

Every write goes through the booking services (sessions.booking, sessions.appointments), so the
gate, the clashes, the working hours and the course's maximum are checked as for any booking;
the rules here only narrow what a patient may do alone. Each booking, move and cancellation is
marked as the patient's (Appointment.self_booked), written to the audit log, and told to the
therapist by e-mail (clinic.messaging)."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

from auditlog.models import LogEntry
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_noop, ngettext

from clinic.languages import user_language
from clinic.messaging import staff_notify
from clinic.models import Cadence, Room, Therapist
from clinic.refusals import Refused
from patients.contraindications import contraindications_check
from patients.models import Patient
from sessions.appointments import appointment_patient_cancel
from sessions.availability import Slot, qualified_therapists, slots_available
from sessions.booking import appointment_book, appointment_reschedule
from sessions.booking_checks import when
from sessions.models import COUNTED_STATUSES, Appointment, AppointmentStatus, Course
from sessions.schedule import Schedule, local_date

# Each refusal a patient may read: plain words, the clinic's phone where a call helps, never the
# clinical text of a contraindication (that is for the staff).
# The sentences are kept here in English and translated where they are given (gettext(GATE)).
CLINIC_OFF = gettext_noop("The clinic does not take bookings in the portal at the moment; please call {phone}.")
PATIENT_OFF = gettext_noop("Booking in the portal is turned off for you; please call the clinic on {phone}.")
NOT_YOURS = gettext_noop("This course is not yours.")
SESSION_NOT_YOURS = gettext_noop("This session is not yours.")
COURSE_CLOSED = gettext_noop(
    "Your course of {modality} is {status}; sessions are booked online only for a course under way."
)
COURSE_FULL = gettext_noop("Every session of your course ({count}) is booked or done.")
# Translators: {sessions} is "1 session", "2 sessions"…
TOO_MANY_OPEN = gettext_noop(
    "You already have {sessions} booked ahead, the most that can be booked online; "
    "book the next one after your next session."
)
GATE = gettext_noop(
    "Your therapist needs to see you before another session is booked; please call the clinic on {phone}."
)
BEYOND_HORIZON = gettext_noop("Sessions are booked online up to {days} days ahead, until {last}.")
NO_THERAPIST = gettext_noop("Your course has no therapist to book with online yet; please call the clinic on {phone}.")
OTHER_THERAPIST = gettext_noop("Sessions of your course are booked online with {therapist} only.")
NOT_QUALIFIED = gettext_noop("{therapist} does not give {modality}.")
SAME_DAY = gettext_noop("You already have a session of this course on {day}.")
EVERY_DAY = gettext_noop("Your course has a session every working day: the next one is on {day}.")
# Translators: {sessions} is "1 session", "2 sessions"…
WEEK_FULL = gettext_noop("Your course has {sessions} a week, and the week of {day} has them all.")
DAY_BETWEEN = gettext_noop("Leave a day between two sessions of your course.")
MOVE_NOTICE = gettext_noop(
    "Sessions can be moved online until {hours} hours before they start. Please call the clinic on {phone}."
)
NOT_A_COURSE_SESSION = gettext_noop(
    "Only the sessions of a course are moved online; please call the clinic on {phone}."
)


def _sessions(count: int) -> str:
    """ "1 session", "3 sessions": for TOO_MANY_OPEN and WEEK_FULL."""
    return ngettext("%(count)s session", "%(count)s sessions", count) % {"count": count}


def _phone() -> str:
    return settings.CLINIC_PHONE


def _day(day: dt.date) -> str:
    return date_format(day, gettext("l j F"))


def self_booking_last_day(now: dt.datetime | None = None) -> dt.date:
    """The last day a patient may book online (today counts as day one of the horizon)."""
    return timezone.localdate(now or timezone.now()) + dt.timedelta(days=settings.CLINIC_SELF_BOOKING_HORIZON_DAYS)


def open_sessions_count(patient: Patient, now: dt.datetime) -> int:
    """The patient's booked sessions still ahead (what CLINIC_SELF_BOOKING_MAX_OPEN limits)."""
    return Appointment.objects.filter(patient_id=patient.pk, status=AppointmentStatus.BOOKED, starts_at__gt=now).count()


def course_therapist(course: Course) -> Therapist | None:
    """Whom the course's sessions are booked with: the therapist of its latest session (booked,
    under way or done), else the therapist who prescribed it, else the patient's assigned one."""
    latest = (
        course.appointments.filter(status__in=COUNTED_STATUSES)
        .select_related("therapist__user")
        .order_by("-starts_at")
        .first()
    )
    if latest is not None:
        return latest.therapist
    prescriber = Therapist.objects.filter(user_id=course.prescribed_by_id).select_related("user").first()
    return prescriber or course.patient.assigned_therapist


def self_booking_therapists(course: Course) -> list[Therapist]:
    """The therapists a patient may book this course with: active, qualified for its modality, and
    the course's own therapist unless the clinic lets patients choose anyone."""
    qualified = qualified_therapists(modality=course.modality)
    if settings.CLINIC_SELF_BOOKING_ANY_THERAPIST:
        return qualified
    own = course_therapist(course)
    return [therapist for therapist in qualified if own is not None and therapist.pk == own.pk]


def _switched_off(patient: Patient) -> list[str]:
    if not settings.CLINIC_SELF_BOOKING:
        return [gettext(CLINIC_OFF).format(phone=_phone())]
    if not patient.self_booking:
        return [gettext(PATIENT_OFF).format(phone=_phone())]
    return []


def _gate(patient: Patient, course: Course, at: dt.datetime) -> list[str]:
    """The contraindication check, in words for the patient: the reasons are the staff's."""
    if contraindications_check(patient=patient, modality=course.modality, at=at).blocks:
        return [gettext(GATE).format(phone=_phone())]
    return []


def self_booking_problems(*, patient: Patient, course: Course, now: dt.datetime | None = None) -> list[str]:
    """Why `patient` may not book another session of `course` online now, whatever the slot: the
    switches, the course (theirs, under way, sessions left), the sessions already booked ahead,
    the treatment gate, a therapist to book with. Empty: they may choose a slot."""
    now = now or timezone.now()
    if reasons := _switched_off(patient):
        return reasons
    if course.patient_id != patient.pk:
        return [gettext(NOT_YOURS)]
    if not course.is_bookable:
        status = course.get_status_display().lower()
        return [gettext(COURSE_CLOSED).format(modality=course.modality, status=status)]
    counted = course.appointments.filter(status__in=COUNTED_STATUSES).count()
    if counted >= course.max_sessions:
        return [gettext(COURSE_FULL).format(count=course.max_sessions)]
    reasons = []
    if (open_count := open_sessions_count(patient, now)) >= settings.CLINIC_SELF_BOOKING_MAX_OPEN:
        reasons.append(gettext(TOO_MANY_OPEN).format(sessions=_sessions(open_count)))
    reasons += _gate(patient, course, now)
    if not self_booking_therapists(course):
        reasons.append(gettext(NO_THERAPIST).format(phone=_phone()))
    return reasons


def _course_days(course: Course, exclude_appointment_id: int | None) -> list[dt.date]:
    starts = (
        course.appointments.filter(status__in=COUNTED_STATUSES)
        .exclude(pk=exclude_appointment_id)
        .values_list("starts_at", flat=True)
    )
    return sorted({local_date(starts_at) for starts_at in starts})


@dataclass(frozen=True)
class CourseCadence:
    """What the course's cadence needs to judge a day: the days it already uses (the session being
    moved left out) and, for a course on consecutive days, the therapist's working days."""

    course: Course
    days: list[dt.date]
    schedule: Schedule | None
    therapist_id: int | None
    today: dt.date

    def problem(self, day: dt.date) -> str:
        course, days = self.course, self.days
        if day in days:
            return gettext(SAME_DAY).format(day=_day(day))
        before = [d for d in days if d < day]
        previous = before[-1] if before else None
        if course.cadence == Cadence.PER_WEEK:
            week = day.isocalendar()[:2]
            limit = course.sessions_per_week or 7
            if sum(1 for d in days if d.isocalendar()[:2] == week) >= limit:
                return gettext(WEEK_FULL).format(sessions=_sessions(limit), day=_day(day))
        elif course.cadence == Cadence.FREE:
            if any(abs((d - day).days) == 1 for d in days):
                return gettext(DAY_BETWEEN)
        elif previous is not None and self.schedule is not None and self.therapist_id is not None:
            # Consecutive days: the working day after the previous session, unless that day has
            # already passed (the run was broken: it starts again on any day).
            expected = _next_working_day(self.schedule, self.therapist_id, previous, day)
            if expected is not None and expected >= self.today and expected != day:
                return gettext(EVERY_DAY).format(day=_day(expected))
        return ""


def _next_working_day(schedule: Schedule, therapist_id: int, after: dt.date, until: dt.date) -> dt.date | None:
    day = after + dt.timedelta(days=1)
    while day <= until:
        if schedule.works_on(therapist_id, day):
            return day
        day += dt.timedelta(days=1)
    return None


def course_cadence(
    course: Course,
    *,
    therapists: list[Therapist],
    until: dt.date,
    now: dt.datetime,
    exclude_appointment_id: int | None = None,
) -> CourseCadence:
    """The cadence of `course` as it stands, the session `exclude_appointment_id` left out; for a
    course on consecutive days, with the working days of `therapists` up to `until` (one load)."""
    days = _course_days(course, exclude_appointment_id)
    schedule = None
    if course.cadence == Cadence.CONSECUTIVE_DAYS and days and therapists:
        schedule = Schedule.load(starts_on=days[-1], ends_on=max(until, days[-1]), therapists=therapists, rooms=[])
    return CourseCadence(
        course=course,
        days=days,
        schedule=schedule,
        therapist_id=therapists[0].pk if therapists else None,
        today=timezone.localdate(now),
    )


def self_booking_slot_problems(
    *,
    course: Course,
    starts_at: dt.datetime,
    therapist: Therapist,
    now: dt.datetime | None = None,
    exclude_appointment_id: int | None = None,
) -> list[str]:
    """Why this start with this therapist is not one a patient may book (or move a session to)
    online: beyond the horizon, another therapist than the course's, a day off the cadence, or
    a time when the patient may not be treated. The booking service checks the rest."""
    now = now or timezone.now()
    day = local_date(starts_at)
    last = self_booking_last_day(now)
    reasons = []
    if day > last:
        days = settings.CLINIC_SELF_BOOKING_HORIZON_DAYS
        reasons.append(gettext(BEYOND_HORIZON).format(days=days, last=_day(last)))
    allowed = self_booking_therapists(course)
    if therapist.pk not in {t.pk for t in allowed}:
        if not settings.CLINIC_SELF_BOOKING_ANY_THERAPIST and allowed:
            reasons.append(gettext(OTHER_THERAPIST).format(therapist=allowed[0]))
        else:
            reasons.append(gettext(NOT_QUALIFIED).format(therapist=therapist, modality=course.modality))
    cadence = course_cadence(
        course, therapists=[therapist], until=day, now=now, exclude_appointment_id=exclude_appointment_id
    )
    if problem := cadence.problem(day):
        reasons.append(problem)
    reasons += _gate(course.patient, course, max(starts_at, now))
    return reasons


def self_booking_slots(
    *, course: Course, now: dt.datetime | None = None, exclude: Appointment | None = None
) -> dict[dt.date, list[Slot]]:
    """The free slots a patient may choose from, by day, from now to the horizon: the course's
    therapists (self_booking_therapists), the course's session length, the patient's own
    sessions in the way, only days that keep the cadence. `exclude`: a session being moved."""
    now = now or timezone.now()
    therapists = self_booking_therapists(course)
    last = self_booking_last_day(now)
    today = timezone.localdate(now)
    minutes = int((exclude.ends_at - exclude.starts_at).total_seconds() // 60) if exclude else course.session_minutes
    if not therapists:
        return {}
    exclude_id = exclude.pk if exclude else None
    # One search and one cadence for every therapist offered, however many the clinic allows.
    slots = slots_available(
        modality=course.modality,
        starts_on=today,
        ends_on=last,
        therapist=therapists[0] if len(therapists) == 1 else None,
        patient=course.patient,
        minutes=minutes,
        exclude_appointment_id=exclude_id,
        now=now,
    )
    allowed = {therapist.pk for therapist in therapists}
    cadence = course_cadence(course, therapists=therapists, until=last, now=now, exclude_appointment_id=exclude_id)
    verdicts: dict[tuple[int, dt.date], str] = {}
    by_day: dict[dt.date, list[Slot]] = {}
    for slot in slots:
        if slot.therapist.pk not in allowed:
            continue
        day = local_date(slot.starts_at)
        key = (slot.therapist.pk, day)
        if key not in verdicts:
            # Consecutive days depend on the therapist's working days; the rest do not.
            verdicts[key] = replace(cadence, therapist_id=slot.therapist.pk).problem(day)
        if not verdicts[key]:
            by_day.setdefault(day, []).append(slot)
    return by_day


def _audit(appointment: Appointment, *, patient: Patient, action: int, detail: str, changes: dict) -> None:
    """The patient's own booking, move or cancellation in the audit log (Appointment rows are not
    tracked by django-auditlog: staff bookings are the booking pages' business)."""
    LogEntry.objects.log_create(
        appointment,
        force_log=True,
        action=action,
        changes=changes,
        actor=patient.user,
        additional_data={"patient_id": patient.pk, "source": "patient", "detail": detail},
    )


def _tell_therapist(therapist: Therapist, message: Callable[[], tuple[str, str]]) -> None:
    """E-mail the therapist `message()`, its subject and text, written in her own language (her
    profile's, else the clinic's), not the patient's who caused it."""
    with translation.override(user_language(therapist.user) or settings.LANGUAGE_CODE):
        subject, text = message()
    # After the commit: a booking that rolled back was never made, and a mail server that does
    # not answer must not hold the patient's lock.
    transaction.on_commit(lambda: staff_notify(user=therapist.user, subject=subject, text=text))


def _where(appointment: Appointment) -> str:
    return _where_at(appointment.starts_at, appointment.therapist, appointment.room)


def _where_at(starts_at: dt.datetime, therapist: Therapist, room: Room) -> str:
    return gettext("%(when)s with %(therapist)s in %(room)s") % {
        "when": when(starts_at),
        "therapist": therapist,
        "room": room,
    }


def _where_stored(appointment: Appointment) -> str:
    """_where for the audit log, which keeps the source language whoever is reading."""
    with translation.override(None):
        return _where(appointment)


def self_book(
    *,
    patient: Patient,
    course: Course,
    starts_at: dt.datetime,
    therapist: Therapist,
    room: Room,
    now: dt.datetime | None = None,
) -> Appointment:
    """Book one session of `course` for `patient`, as the patient, through the booking service.
    Raises Refused with the patient's reasons (self_booking_problems, self_booking_slot_problems)
    or the booking service's (a clash, hours, the course's maximum)."""
    now = now or timezone.now()
    with transaction.atomic():
        # One patient's bookings one at a time: two tabs cannot both take the last open place.
        patient = Patient.objects.select_for_update().get(pk=patient.pk)
        course = Course.objects.select_related("modality", "patient").get(pk=course.pk)
        reasons = self_booking_problems(patient=patient, course=course, now=now)
        if reasons:
            raise Refused(reasons)
        reasons = self_booking_slot_problems(course=course, starts_at=starts_at, therapist=therapist, now=now)
        if reasons:
            raise Refused(reasons)
        # A `warn` rule does not stop a booking; the therapist reads it at check-in (and in the
        # notice below), and the patient cannot judge it.
        appointment = appointment_book(
            patient=patient,
            course=course,
            therapist=therapist,
            booked_by=patient.user,
            room=room,
            starts_at=starts_at,
            confirm_warnings=True,
        )
        Appointment.objects.filter(pk=appointment.pk).update(self_booked=True)
        appointment.self_booked = True
        _audit(
            appointment,
            patient=patient,
            action=LogEntry.Action.CREATE,
            detail=f"Booked by the patient in the portal: {_where_stored(appointment)}.",
            changes={"starts_at": ["None", appointment.starts_at.isoformat()], "self_booked": ["False", "True"]},
        )

        def booked() -> tuple[str, str]:
            warnings = contraindications_check(patient=patient, modality=course.modality, at=starts_at).warnings
            text = gettext("%(patient)s booked a session of %(modality)s in the portal: %(where)s.") % {
                "patient": patient,
                "modality": course.modality,
                "where": _where(appointment),
            }
            if warnings:
                text += "\n\n" + gettext("Before treating:") + "\n" + "\n".join(f"- {warning}" for warning in warnings)
            return gettext("Booked online: %(patient)s, %(when)s") % {"patient": patient, "when": when(starts_at)}, text

        _tell_therapist(therapist, booked)
    return appointment


def self_booking_offered(patient: Patient) -> bool:
    """Whether the portal offers self-booking to this patient at all (no query)."""
    return settings.CLINIC_SELF_BOOKING and patient.self_booking


def self_move_offered(*, patient: Patient, appointment: Appointment, now: dt.datetime) -> bool:
    """Whether the portal offers to move this session (no query: the gate is judged on the page)."""
    return (
        self_booking_offered(patient)
        and appointment.course_id is not None
        and appointment.can_move
        and appointment.starts_at - now >= dt.timedelta(hours=settings.CANCELLATION_NOTICE_HOURS)
    )


def self_move_problems(*, patient: Patient, appointment: Appointment, now: dt.datetime | None = None) -> list[str]:
    """Why `patient` may not move `appointment` online now, wherever to."""
    now = now or timezone.now()
    if reasons := _switched_off(patient):
        return reasons
    if appointment.patient_id != patient.pk:
        return [gettext(SESSION_NOT_YOURS)]
    if appointment.course_id is None:
        return [gettext(NOT_A_COURSE_SESSION).format(phone=_phone())]
    if refusal := appointment.move_refusal():
        return [refusal]
    if appointment.starts_at - now < dt.timedelta(hours=settings.CANCELLATION_NOTICE_HOURS):
        return [gettext(MOVE_NOTICE).format(hours=settings.CANCELLATION_NOTICE_HOURS, phone=_phone())]
    return _gate(patient, appointment.course, now)


def self_reschedule(
    *,
    patient: Patient,
    appointment: Appointment,
    starts_at: dt.datetime,
    therapist: Therapist,
    room: Room,
    now: dt.datetime | None = None,
) -> Appointment:
    """Move one of the patient's course sessions, as the patient, through the booking service."""
    now = now or timezone.now()
    with transaction.atomic():
        patient = Patient.objects.select_for_update().get(pk=patient.pk)
        current = Appointment.objects.select_related("course__modality", "course__patient", "therapist__user").get(
            pk=appointment.pk
        )
        reasons = self_move_problems(patient=patient, appointment=current, now=now)
        if reasons:
            raise Refused(reasons)
        reasons = self_booking_slot_problems(
            course=current.course, starts_at=starts_at, therapist=therapist, now=now, exclude_appointment_id=current.pk
        )
        if reasons:
            raise Refused(reasons)
        # The session as it was: the move changes `current` in place.
        old_start, old_room, old_therapist = current.starts_at, current.room, current.therapist
        before_stored = _where_stored(current)
        moved = appointment_reschedule(
            appointment=current, starts_at=starts_at, therapist=therapist, room=room, confirm_warnings=True
        )
        _audit(
            moved,
            patient=patient,
            action=LogEntry.Action.UPDATE,
            detail=f"Moved by the patient in the portal: from {before_stored} to {_where_stored(moved)}.",
            changes={"starts_at": [current.starts_at.isoformat(), moved.starts_at.isoformat()]},
        )

        def moved_message() -> tuple[str, str]:
            text = gettext(
                "%(patient)s moved a session of %(modality)s in the portal: from %(before)s to %(after)s."
            ) % {
                "patient": patient,
                "modality": current.modality,
                "before": _where_at(old_start, old_therapist, old_room),
                "after": _where(moved),
            }
            return gettext("Moved online: %(patient)s, now %(when)s") % {
                "patient": patient,
                "when": when(moved.starts_at),
            }, text

        for told in {old_therapist.pk: old_therapist, moved.therapist.pk: moved.therapist}.values():
            _tell_therapist(told, moved_message)
    return moved


def self_cancel(
    *, patient: Patient, appointment: Appointment, reason: str = "", now: dt.datetime | None = None
) -> Appointment:
    """Cancel one of the patient's sessions, as the patient, within the notice period
    (sessions.appointments.appointment_patient_cancel decides and writes)."""
    if appointment.patient_id != patient.pk:
        raise Refused([gettext(SESSION_NOT_YOURS)])
    with transaction.atomic():
        cancelled = appointment_patient_cancel(appointment=appointment, reason=reason, now=now)
        _audit(
            cancelled,
            patient=patient,
            action=LogEntry.Action.UPDATE,
            detail=f"Cancelled by the patient in the portal: {_where_stored(cancelled)}.",
            changes={"status": [AppointmentStatus.BOOKED.value, AppointmentStatus.CANCELLED.value]},
        )

        def cancelled_message() -> tuple[str, str]:
            text = gettext("%(patient)s cancelled a session of %(modality)s in the portal: %(where)s.") % {
                "patient": patient,
                "modality": cancelled.modality,
                "where": _where(cancelled),
            }
            return gettext("Cancelled online: %(patient)s, %(when)s") % {
                "patient": patient,
                "when": when(cancelled.starts_at),
            }, text

        _tell_therapist(cancelled.therapist, cancelled_message)
    return cancelled
