"""How far a course has come: sessions done and booked, what is left, the session's number in
its course, and what the course achieved. Every page counts progress through here."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
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


def _pain_copies() -> dict[str, Subquery]:
    """For an update of courses: the pain before the first session done (completed, its note
    signed; the pk breaks a tie of times) and after the latest, as course_outcome reads them."""
    notes = SessionNote.objects.filter(
        appointment__course_id=OuterRef("pk"), appointment__status=AppointmentStatus.COMPLETED, signed_at__isnull=False
    )
    first = notes.filter(pain_before__isnull=False).order_by("appointment__starts_at", "pk")
    last = notes.filter(pain_after__isnull=False).order_by("-appointment__starts_at", "-pk")
    return {
        "first_pain": Subquery(first.values("pain_before")[:1]),
        "last_pain": Subquery(last.values("pain_after")[:1]),
    }


@transaction.atomic(savepoint=False)
def course_pain_record(*, course_id: int) -> None:
    """Copy the course's first and last pain (Course.first_pain, last_pain) from its sessions
    done, in the transaction that signs a note, once its session is completed. The course row is
    locked first: of two notes of one course signed at once, the second signing waits for the
    first to commit and then reads both notes (each statement reads what was committed before it
    began), whichever session came first in time."""
    courses = Course.objects.filter(pk=course_id)
    list(courses.select_for_update().values_list("pk"))  # the lock
    courses.update(**_pain_copies())


def courses_pain_record() -> int:
    """course_pain_record for every course (notes written in bulk by the seeders); the number of
    courses."""
    return Course.objects.update(**_pain_copies())


def course_position(*, number: int | None, session_range: str) -> str:
    """A course session's place in its course, as every page writes it: "Session 3 of 10". A
    session that does not count towards the course (a no-show, a cancelled one) has no number,
    whichever page shows it: "Not counted in the course of 10"."""
    return _position(_sentence(counted=number is not None), number, session_range)


def course_positions() -> Callable[[int | None, str], str]:
    """course_position(number, session_range) for the hundreds of sessions of one page (the day
    board): each of its two sentences is translated once, at the first session that needs it."""
    sentences: dict[bool, str] = {}

    def position(number: int | None, session_range: str) -> str:
        counted = number is not None
        if counted not in sentences:
            sentences[counted] = _sentence(counted=counted)
        return _position(sentences[counted], number, session_range)

    return position


def _sentence(*, counted: bool) -> str:
    if counted:
        return gettext("Session %(number)s of %(range)s")
    return gettext("Not counted in the course of %(range)s")


def _position(sentence: str, number: int | None, session_range: str) -> str:
    if number is None:
        return sentence % {"range": session_range}
    return sentence % {"number": number, "range": session_range}


def course_number() -> Subquery:
    """For an annotation of appointments: the number of its course's counted sessions up to it,
    in time order (the pk breaks a tie), counted by the database, one index-backed count per row.
    It is the session's place in its course when the session itself counts (COUNTED_STATUSES);
    NULL without a course."""
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
        .annotate(number=course_number())
        .order_by()
        .values_list("pk", "number")
    )
    for appointment in appointments:
        if appointment.pk in numbers:
            appointment.session_number = numbers[appointment.pk]
