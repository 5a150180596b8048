"""Reads for booking: free slots, and the plan of dates a course's cadence needs."""

import datetime as dt
import math
from dataclasses import dataclass, field
from operator import attrgetter
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, Prefetch, Q
from django.utils import timezone
from django.utils.formats import date_format

from clinic.models import Cadence, Modality, Room, Therapist
from patients.models import BreakGlassAccess, FlagKind, HealthFlag, Patient
from patients.selectors import health_flags_active_by_patient
from patients.services import contraindications_check
from sessions.checks import slot_problems
from sessions.models import (
    COUNTED_STATUSES,
    OPEN_STATUSES,
    Addendum,
    Appointment,
    AppointmentStatus,
    Course,
    CourseStatus,
    SessionNote,
)
from sessions.schedule import Schedule, at_local, local_date

SLOT_STEP = dt.timedelta(minutes=15)
# How far a failed series date may move to find a free alternative.
ALTERNATIVE_SEARCH_DAYS = 7


class Slot(NamedTuple):
    """A free start with a therapist and a room. A named tuple: a month's search makes tens of
    thousands, and a frozen dataclass costs several times more to build."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    therapist: Therapist
    room: Room


@dataclass
class PlannedSession:
    """One date of a proposed course series: the slot, or why it fails and what else is free."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    therapist: Therapist
    room: Room
    problems: list[str] = field(default_factory=list)
    alternative: Slot | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def qualified_therapists(*, modality: Modality) -> list[Therapist]:
    return list(
        Therapist.objects.filter(active=True, modalities=modality).select_related("user").order_by("pk").distinct()
    )


def suited_rooms(*, modality: Modality) -> list[Room]:
    return list(Room.objects.filter(active=True, modalities=modality).order_by("name").distinct())


def slots_available(
    *,
    modality: Modality,
    starts_on: dt.date,
    ends_on: dt.date,
    therapist: Therapist | None = None,
    patient: Patient | None = None,
    minutes: int | None = None,
    now: dt.datetime | None = None,
) -> list[Slot]:
    """Free slots, in time order, for one therapist or any qualified one, each with a free room.

    A fixed number of queries whatever the number of therapists or days.
    """
    therapists = qualified_therapists(modality=modality)
    if therapist is not None:
        # Only when booking would accept them: qualified and active.
        therapists = [t for t in therapists if t.pk == therapist.pk]
    rooms = suited_rooms(modality=modality)
    if not therapists or not rooms:
        return []
    schedule = Schedule.load(
        starts_on=starts_on,
        ends_on=ends_on,
        therapists=therapists,
        rooms=rooms,
        patient_id=patient.pk if patient else None,
    )
    length = dt.timedelta(minutes=minutes or modality.session_minutes)
    now = now or timezone.now()
    slots = []
    # Every therapist asks for a room at the same quarter hours: look each one up once.
    rooms_free_at: dict = {}
    day = starts_on
    while day <= ends_on:
        for candidate in therapists:
            slots += _free_slots_on(
                schedule, candidate, rooms, day, length, now, check_patient=patient is not None, memo=rooms_free_at
            )
        day += dt.timedelta(days=1)
    # Made day by day, therapist by therapist in pk order: a stable sort on the start keeps
    # the therapists in pk order within each start.
    slots.sort(key=attrgetter("starts_at"))
    return slots


def _free_slots_on(schedule, therapist, rooms, day, length, now, *, check_patient: bool, memo=None) -> list[Slot]:
    """The therapist's free starts on `day`, each with the first free room. Times are epoch
    seconds, and only the gaps between the therapist's merged busy spans (Schedule.busy) are
    walked: a month of a large clinic is tens of thousands of candidate starts."""
    if schedule.closure_on(therapist.pk, day):
        return []
    therapist_busy = schedule.busy("therapist", therapist.pk, day)
    patient_busy = schedule.busy("patient", None, day) if check_patient else None
    seconds, step_seconds, not_before = length.total_seconds(), SLOT_STEP.total_seconds(), now.timestamp()
    memo = {} if memo is None else memo
    slots = []
    for block_start, block_end in schedule.working_blocks(therapist.pk, day):
        first, block_ends_at = _at_local(memo, day, block_start), _at_local(memo, day, block_end)
        first_ts = first.timestamp()
        for gap_start, gap_end in therapist_busy.gaps(max(first_ts, not_before), block_ends_at.timestamp()):
            step = math.ceil((gap_start - first_ts) / step_seconds)  # the first quarter hour in the gap
            start = first_ts + step * step_seconds
            while start + seconds <= gap_end:
                end = start + seconds
                if patient_busy is None or patient_busy.free(start, end):
                    room = _first_free_room(schedule, rooms, day, start, end, memo)
                    if room is not None:
                        starts_at = first + step * SLOT_STEP  # wall-clock steps, as the booking page shows them
                        slots.append(Slot(starts_at, starts_at + length, therapist, room))
                step += 1
                start = first_ts + step * step_seconds
    return slots


def _at_local(memo: dict, day: dt.date, time: dt.time) -> dt.datetime:
    """at_local, once per day and time however many therapists start their blocks then."""
    key = (day, time)
    if key not in memo:
        memo[key] = at_local(day, time)
    return memo[key]


def _first_free_room(schedule: Schedule, rooms, day, start: float, end: float, memo: dict):
    key = (day, start, end)
    if key not in memo:
        memo[key] = next((r for r in rooms if schedule.busy("room", r.id, day).free(start, end)), None)
    return memo[key]


def course_sessions_counted(*, course: Course) -> int:
    return course.appointments.filter(status__in=COUNTED_STATUSES).count()


def series_dates(*, course: Course, first_day: dt.date, count: int, schedule: Schedule, therapist_id: int):
    """The days a course's cadence asks for, skipping clinic closures and the therapist's days off.

    Consecutive days: every working day in a row. N per week: at most N in each calendar week.
    Free cadence: every other working day, a common rhythm for a classic massage course.
    """
    days: list[dt.date] = []
    per_week: dict[tuple[int, int], int] = {}
    if course.cadence == Cadence.PER_WEEK:
        # Sessions already booked count against their week's allowance.
        for starts_at in course.appointments.filter(status__in=COUNTED_STATUSES).values_list("starts_at", flat=True):
            week = local_date(starts_at).isocalendar()[:2]
            per_week[week] = per_week.get(week, 0) + 1
    day = first_day
    limit = first_day + dt.timedelta(days=count * 7 + 14)
    while len(days) < count and day <= limit:
        works = bool(schedule.working_blocks(therapist_id, day)) and not schedule.clinic_closed_on(day)
        week = day.isocalendar()[:2]
        fits_cadence = True
        if course.cadence == Cadence.PER_WEEK:
            fits_cadence = per_week.get(week, 0) < (course.sessions_per_week or 7)
        elif course.cadence == Cadence.FREE and days:
            fits_cadence = (day - days[-1]).days >= 2
        if works and fits_cadence:
            days.append(day)
            per_week[week] = per_week.get(week, 0) + 1
        day += dt.timedelta(days=1)
    return days


def course_series_propose(
    *, course: Course, first_starts_at: dt.datetime, therapist: Therapist, room: Room
) -> list[PlannedSession]:
    """The rest of a course as a plan: the same wall-clock time on each date its cadence needs.

    Each date carries its problems (the same checks a booking runs) and, when it fails, the
    nearest free alternative. Nothing is written.
    """
    remaining = course.max_sessions - course_sessions_counted(course=course)
    if remaining <= 0:
        return []
    first_day = local_date(first_starts_at)
    wall_clock = timezone.localtime(first_starts_at).time()
    length = dt.timedelta(minutes=course.session_minutes)
    horizon = first_day + dt.timedelta(days=remaining * 7 + 14 + ALTERNATIVE_SEARCH_DAYS)
    # Alternatives come only from therapists and rooms a booking would accept; the chosen pair
    # is loaded as well so that its own bookings show as conflicts.
    therapists = qualified_therapists(modality=course.modality)
    rooms = suited_rooms(modality=course.modality)
    schedule = Schedule.load(
        starts_on=first_day,
        ends_on=horizon,
        therapists=[*therapists, therapist],
        rooms=[*rooms, room],
        patient_id=course.patient_id,
    )
    days = series_dates(
        course=course, first_day=first_day, count=remaining, schedule=schedule, therapist_id=therapist.pk
    )
    plan: list[PlannedSession] = []
    for day in days:
        starts_at = at_local(day, wall_clock)
        session = PlannedSession(starts_at, starts_at + length, therapist, room)
        blocks = contraindications_check(patient=course.patient, modality=course.modality, at=starts_at).blocks
        if blocks:
            # No other time helps while the patient may not be treated at all.
            session.problems = blocks
        else:
            session.problems = slot_problems(
                schedule=schedule,
                patient=course.patient,
                modality=course.modality,
                therapist=therapist,
                room=room,
                starts_at=starts_at,
                ends_at=session.ends_at,
            )
            if session.problems:
                session.alternative = _nearest_alternative(schedule, session, therapists, rooms, length, days)
        chosen = session.alternative if session.problems else session
        if chosen is not None:
            schedule.add(_placeholder(course, chosen))
        plan.append(session)
    return plan


def _placeholder(course: Course, slot) -> Appointment:
    return Appointment(
        patient_id=course.patient_id,
        therapist_id=slot.therapist.pk,
        room_id=slot.room.pk,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
    )


def _nearest_alternative(schedule, session, therapists, rooms, length, series_days) -> Slot | None:
    """The free slot closest in time to the wanted one: the same therapist first, then anyone,
    on the same day or the following days that the series does not already use."""
    now = timezone.now()
    planned_days = set(series_days)
    wanted_day = local_date(session.starts_at)
    for offset in range(ALTERNATIVE_SEARCH_DAYS + 1):
        day = wanted_day + dt.timedelta(days=offset)
        if offset and day in planned_days:
            continue
        same_therapist = [session.therapist] if session.therapist in therapists else []
        for candidates in (same_therapist, therapists):
            free = [
                slot
                for candidate in candidates
                for slot in _free_slots_on(schedule, candidate, rooms, day, length, now, check_patient=True)
            ]
            if free:
                return min(free, key=lambda slot: abs(slot.starts_at - session.starts_at))
    return None


def courses_with_progress(*, patient: Patient) -> list[Course]:
    """The patient's courses, newest first, each with `sessions_done` and `sessions_booked`."""
    from django.db.models import Count, Q

    from sessions.models import AppointmentStatus

    done = Q(appointments__status=AppointmentStatus.COMPLETED, appointments__note__signed_at__isnull=False)
    return list(
        patient.courses.select_related("modality", "diagnosis")
        .annotate(
            sessions_done=Count("appointments", filter=done, distinct=True),
            sessions_booked=Count("appointments", filter=Q(appointments__status__in=COUNTED_STATUSES), distinct=True),
        )
        .order_by("-starts_on")
    )


# The patient portal --------------------------------------------------------------------------


def appointment_patient_can_cancel(*, appointment: Appointment, now: dt.datetime) -> bool:
    """A patient may cancel a booked session online until CANCELLATION_NOTICE_HOURS before it
    starts (exactly that long before still counts); after that they call the clinic."""
    notice = dt.timedelta(hours=settings.CANCELLATION_NOTICE_HOURS)
    return appointment.status == AppointmentStatus.BOOKED and appointment.starts_at - now >= notice


def _patient_sessions(patient: Patient):
    return Appointment.objects.filter(patient_id=patient.pk).select_related(
        "modality", "therapist__user", "room", "course"
    )


def _upcoming(now: dt.datetime) -> Q:
    # A session under way still counts: it has not ended.
    return Q(status__in=OPEN_STATUSES, ends_at__gt=now)


def portal_upcoming(*, patient: Patient, now: dt.datetime, limit: int | None = None) -> list[Appointment]:
    """The patient's open sessions that have not ended yet, soonest first, each with
    `patient_can_cancel`. One query."""
    sessions = _patient_sessions(patient).filter(_upcoming(now)).order_by("starts_at", "pk")
    upcoming = list(sessions[:limit] if limit else sessions)
    for appointment in upcoming:
        appointment.patient_can_cancel = appointment_patient_can_cancel(appointment=appointment, now=now)
    return upcoming


def portal_earlier(*, patient: Patient, now: dt.datetime, limit: int = 30) -> list[Appointment]:
    """The patient's other sessions (held, missed, cancelled), newest first. One query."""
    return list(_patient_sessions(patient).exclude(_upcoming(now)).order_by("-starts_at", "-pk")[:limit])


@dataclass
class PortalNote:
    """What a patient reads of a signed session note: never the clinical (SOAP) text."""

    starts_at: dt.datetime
    pain_before: int | None
    pain_after: int | None
    summary: str


def _portal_notes(patient: Patient) -> dict[int | None, list[PortalNote]]:
    """The patient's signed notes by course id, oldest first. Only the patient-facing columns
    are read, so the clinical text cannot leak into the page by accident."""
    rows = (
        SessionNote.objects.filter(appointment__patient_id=patient.pk, signed_at__isnull=False)
        .order_by("appointment__starts_at", "pk")
        .values_list("appointment__course_id", "appointment__starts_at", "pain_before", "pain_after", "patient_summary")
    )
    by_course: dict[int | None, list[PortalNote]] = {}
    for course_id, starts_at, before, after, summary in rows:
        by_course.setdefault(course_id, []).append(PortalNote(starts_at, before, after, summary.strip()))
    return by_course


def portal_pain_points(notes: list[PortalNote]) -> list[tuple[str, int | None, int | None]]:
    """The chart's points: each scored session labelled with its date (with the year only when
    the sessions span more than one)."""
    scored = [n for n in notes if n.pain_before is not None or n.pain_after is not None]
    years = {timezone.localtime(n.starts_at).year for n in scored}
    label = "j M" if len(years) <= 1 else "j M Y"
    return [(date_format(timezone.localtime(n.starts_at), label), n.pain_before, n.pain_after) for n in scored]


def sessions_left(course: Course) -> tuple[int, int]:
    """(at least, at most) sessions still to come for the prescribed range, never below zero."""
    done = getattr(course, "sessions_done", 0)
    return max(course.min_sessions - done, 0), max(course.max_sessions - done, 0)


def portal_courses(*, patient: Patient) -> tuple[list[Course], list[PortalNote]]:
    """The patient's courses, newest first, each with `sessions_done`, `sessions_left`, `notes`
    (signed, oldest first) and `pain_points`; and the signed notes of sessions outside any
    course. Two queries however many courses and notes."""
    notes = _portal_notes(patient)
    courses = [c for c in courses_with_progress(patient=patient) if c.status != CourseStatus.CANCELLED or c.pk in notes]
    for course in courses:
        course.notes = notes.get(course.pk, [])
        course.pain_points = portal_pain_points(course.notes)
        course.sessions_left = sessions_left(course)
    return courses, notes.get(None, [])


def therapist_treats_patient(*, user: AbstractBaseUser, patient: Patient) -> bool:
    """Whether `user` treats `patient`: they prescribed one of the patient's courses, or have any
    session with the patient, past or future, whatever its status. One query."""
    if not user.is_authenticated:
        return False
    prescribed = Course.objects.filter(patient_id=patient.pk, prescribed_by_id=user.pk)
    sessions = Appointment.objects.filter(patient_id=patient.pk, therapist__user_id=user.pk)
    return Patient.objects.filter(Exists(prescribed) | Exists(sessions), pk=patient.pk).exists()


def therapist_may_open_chart(*, user: AbstractBaseUser, patient: Patient, at: dt.datetime | None = None) -> bool:
    """The chart rule for a therapist: they treat the patient (as therapist_treats_patient says),
    or they opened the chart in an emergency, giving a reason, and that access has not yet
    expired (patients.services.break_glass_open). One query."""
    if not user.is_authenticated:
        return False
    at = at or timezone.now()
    prescribed = Course.objects.filter(patient_id=patient.pk, prescribed_by_id=user.pk)
    sessions = Appointment.objects.filter(patient_id=patient.pk, therapist__user_id=user.pk)
    emergency = BreakGlassAccess.objects.filter(
        patient_id=patient.pk, user_id=user.pk, created_at__lte=at, expires_at__gt=at
    )
    return Patient.objects.filter(Exists(prescribed) | Exists(sessions) | Exists(emergency), pk=patient.pk).exists()


def session_notes_for_chart(*, patient: Patient, reader: AbstractBaseUser) -> list[SessionNote]:
    """The patient's signed session notes and the reader's own drafts, newest session first, each
    with its session, author, signer and addenda. Two queries however many notes."""
    addenda = Addendum.objects.select_related("author").order_by("created_at", "pk")
    return list(
        SessionNote.objects.filter(Q(signed_at__isnull=False) | Q(author_id=reader.pk), appointment__patient=patient)
        .select_related("appointment__modality", "appointment__therapist__user", "author", "signed_by")
        .prefetch_related(Prefetch("addenda", queryset=addenda))
        .order_by("-appointment__starts_at", "-pk")
    )


@dataclass(frozen=True)
class CourseOutcome:
    """What a course achieved, from its completed sessions with a signed note."""

    sessions_done: int
    first_pain: int | None  # before the first of those sessions
    last_pain: int | None  # after the last of them
    stopped_early: int


def course_outcome(*, course: Course) -> CourseOutcome:
    notes = list(
        SessionNote.objects.filter(
            appointment__course=course, appointment__status=AppointmentStatus.COMPLETED, signed_at__isnull=False
        )
        .order_by("appointment__starts_at", "pk")
        .values_list("pain_before", "pain_after", "stopped_early")
    )
    return CourseOutcome(
        sessions_done=len(notes),
        first_pain=notes[0][0] if notes else None,
        last_pain=notes[-1][1] if notes else None,
        stopped_early=sum(1 for _, _, stopped in notes if stopped),
    )


# What the therapist sees: her day and the warnings a session note needs.

# The health flags a therapist must have in mind before laying hands on a patient.
SESSION_WARNING_KINDS = (FlagKind.OIL_ALLERGY, FlagKind.HYPERTENSION, FlagKind.PREGNANCY)


def therapist_day(*, therapist: Therapist, day: dt.date) -> list[Appointment]:
    """The therapist's non-cancelled sessions on `day` in time order, each with `session_number`
    (in its course), `warnings` (active health flags that need care) and `note_status`.
    Four queries however many sessions."""
    from sessions.board import annotate_course_position

    appointments = list(
        Appointment.objects.filter(
            therapist=therapist,
            starts_at__gte=at_local(day, dt.time.min),
            starts_at__lt=at_local(day + dt.timedelta(days=1), dt.time.min),
        )
        .exclude(status=AppointmentStatus.CANCELLED)
        .select_related("patient", "modality", "room", "course", "note")
        .order_by("starts_at", "pk")
    )
    annotate_course_position(appointments)
    flags = health_flags_active_by_patient(
        patient_ids={a.patient_id for a in appointments}, on=day, kinds=SESSION_WARNING_KINDS
    )
    for appointment in appointments:
        appointment.warnings = flags.get(appointment.patient_id, [])
        note = getattr(appointment, "note", None)  # None when select_related found no note
        appointment.note_status = "none" if note is None else ("signed" if note.is_signed else "draft")
    return appointments


def _oil_names(substance: str) -> set[str]:
    """An allergy to "lavender oil" must also catch "lavender" in a list of oils."""
    name = " ".join(substance.lower().split())
    names = {name}
    for suffix in (" essential oil", " oil"):
        if name.endswith(suffix) and name[: -len(suffix)].strip():
            names.add(name[: -len(suffix)].strip())
    return names


def oil_allergy_conflicts(*, allergies: list[HealthFlag], oils: str) -> list[HealthFlag]:
    """The oil allergies whose substance appears in `oils`, ignoring case."""
    oils = " ".join(oils.lower().split())
    if not oils:
        return []
    return [flag for flag in allergies if any(name in oils for name in _oil_names(flag.substance))]


def sessions_flagged_ahead(*, patient: Patient) -> int:
    """The patient's sessions still ahead that wait for reception to review them."""
    return (
        Appointment.objects.filter(patient_id=patient.pk, needs_review=True, starts_at__gte=timezone.now())
        .exclude(status=AppointmentStatus.CANCELLED)
        .count()
    )
