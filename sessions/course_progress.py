"""How far a course has come: sessions done and booked, what is left, the session's number in
its course, and what the course achieved. Every page counts progress through here."""

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext

from patients.models import Patient
from sessions.models import (
    COUNTED_STATUSES,
    Appointment,
    AppointmentStatus,
    Course,
    SessionNote,
)


def course_sessions_done_count(*, course: Course) -> int:
    """Done means completed and its note signed, as the course progress on every page counts it."""
    return course.appointments.filter(status=AppointmentStatus.COMPLETED, note__signed_at__isnull=False).count()


def course_sessions_counted(*, course: Course) -> int:
    return course.appointments.filter(status__in=COUNTED_STATUSES).count()


def with_progress(courses: QuerySet[Course]) -> QuerySet[Course]:
    """Each course with `sessions_done` (completed, with a signed note: what course_sessions_done_count
    counts) and `sessions_booked` (booked, checked in or completed), counted by the database."""
    done = Q(appointments__status=AppointmentStatus.COMPLETED, appointments__note__signed_at__isnull=False)
    return courses.annotate(
        sessions_done=Count("appointments", filter=done, distinct=True),
        sessions_booked=Count("appointments", filter=Q(appointments__status__in=COUNTED_STATUSES), distinct=True),
    )


def courses_with_progress(*, patient: Patient) -> list[Course]:
    """The patient's courses, newest first, each with `sessions_done` and `sessions_booked`."""
    return list(with_progress(patient.courses.select_related("modality", "diagnosis")).order_by("-starts_on"))


def sessions_left(course: Course) -> tuple[int, int]:
    """(at least, at most) sessions still to come for the prescribed range, never below zero."""
    done = getattr(course, "sessions_done", 0)
    return max(course.min_sessions - done, 0), max(course.max_sessions - done, 0)


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


def course_position(*, number: int | None, session_range: str) -> str:
    """A course session's place in its course, as every page writes it: "Session 3 of 10". A
    session that does not count towards the course (a no-show, a cancelled one) has no number,
    whichever page shows it: "Not counted in the course of 10"."""
    if number is None:
        return gettext("Not counted in the course of %(range)s") % {"range": session_range}
    return gettext("Session %(number)s of %(range)s") % {"number": number, "range": session_range}


def course_position_number() -> Subquery:
    """An annotation of appointments that count towards their course (booked, checked in,
    completed): the session's place among its course's counted sessions in time order, as
    annotate_course_position numbers it; None for a session outside any course. For a query
    that reads only such sessions and wants their numbers in the same round trip."""
    earlier_or_same = Appointment.objects.filter(
        Q(starts_at__lt=OuterRef("starts_at")) | Q(starts_at=OuterRef("starts_at"), pk__lte=OuterRef("pk")),
        course_id=OuterRef("course_id"),
        status__in=COUNTED_STATUSES,
    )
    return Subquery(earlier_or_same.order_by().values("course_id").annotate(n=Count("pk")).values("n"))


def annotate_course_position(appointments: list) -> None:
    """Give each course appointment (or Card) `session_number`: its place among the course's
    counted sessions, in time order (None for a session that does not count; course_position
    writes either).

    The database counts, for each appointment asked about, the course's sessions up to it, and
    sends back one number each; a day of a large clinic touches hundreds of courses with
    thousands of sessions between them."""
    wanted = {a.pk for a in appointments if a.course_id}
    if not wanted:
        return
    numbers = dict(
        Appointment.objects.filter(pk__in=wanted, status__in=COUNTED_STATUSES)
        .annotate(number=course_position_number())
        .order_by()
        .values_list("pk", "number")
    )
    for appointment in appointments:
        if appointment.pk in numbers:
            appointment.session_number = numbers[appointment.pk]
