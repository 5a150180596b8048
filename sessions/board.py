"""The reception day board and week view, laid out as rows of 15-minute steps.

A fixed number of queries per page, however many appointments, therapists or rooms.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Max, Min
from django.utils import timezone
from django.utils.safestring import mark_safe

from clinic.models import Room, Therapist, WorkingHours
from sessions.models import COUNTED_STATUSES, Appointment, AppointmentStatus
from sessions.schedule import at_local

STEP_MINUTES = 15
CARD_FIELDS = (
    "starts_at",
    "ends_at",
    "status",
    "needs_review",
    "patient__first_name",
    "patient__last_name",
    "modality__name",
    "therapist__user__first_name",
    "therapist__user__last_name",
    "therapist__user__username",
    "room__name",
    "course__min_sessions",
    "course__max_sessions",
)
DEFAULT_OPEN, DEFAULT_CLOSE = dt.time(8, 0), dt.time(18, 0)


@dataclass
class Cell:
    appointment: Appointment | None = None
    rowspan: int = 1


@dataclass(frozen=True)
class Blank:
    """A stretch of empty cells, as markup: the template writes it in one go."""

    html: str
    appointment: None = None  # read by the template's {% if cell.appointment %}


@dataclass
class BoardRow:
    time: dt.time
    cells: list[Cell | None] = field(default_factory=list)  # None: covered by a card above

    @property
    def pieces(self) -> list[Cell | Blank]:
        """The row as the template writes it: each card's cell, and each run of empty cells as
        one Blank. With sixty columns, looping over every cell in the template costs more than
        all the rest of the page."""
        pieces: list[Cell | Blank] = []
        empty = 0
        for cell in self.cells:
            if cell is None:
                continue
            if cell.appointment is None:
                empty += 1
                continue
            if empty:
                pieces.append(Blank(mark_safe("<td></td>" * empty)))
                empty = 0
            pieces.append(cell)
        if empty:
            pieces.append(Blank(mark_safe("<td></td>" * empty)))
        return pieces


@dataclass
class DayBoard:
    day: dt.date
    by: str
    columns: list
    rows: list[BoardRow]
    appointment_count: int


def _day_appointments(day: dt.date):
    return (
        Appointment.objects.filter(
            starts_at__gte=at_local(day, dt.time.min), starts_at__lt=at_local(day + dt.timedelta(days=1), dt.time.min)
        )
        .exclude(status=AppointmentStatus.CANCELLED)
        .select_related("patient", "modality", "therapist__user", "room", "course")
        # What a card shows, and no more: a full day of a large clinic is hundreds of rows of
        # six tables, and the courses' and users' long columns would only be thrown away.
        .only(*CARD_FIELDS)
        .order_by("starts_at")
    )


def annotate_course_position(appointments: list[Appointment]) -> None:
    """Give each course appointment `session_number`: its place among the course's sessions."""
    course_ids = {a.course_id for a in appointments if a.course_id}
    if not course_ids:
        return
    order = defaultdict(list)
    rows = (
        Appointment.objects.filter(course_id__in=course_ids, status__in=COUNTED_STATUSES)
        .order_by("starts_at", "pk")
        .values_list("course_id", "pk")
    )
    for course_id, pk in rows:
        order[course_id].append(pk)
    for appointment in appointments:
        if appointment.course_id and appointment.pk in order[appointment.course_id]:
            appointment.session_number = order[appointment.course_id].index(appointment.pk) + 1


def _opening_span(day: dt.date) -> tuple[dt.time, dt.time]:
    span = WorkingHours.objects.filter(weekday=day.weekday(), therapist__active=True).aggregate(
        opens=Min("starts"), closes=Max("ends")
    )
    return span["opens"] or DEFAULT_OPEN, span["closes"] or DEFAULT_CLOSE


def _step_index(moment: dt.datetime, opens: dt.datetime) -> int:
    return int((moment - opens).total_seconds() // (STEP_MINUTES * 60))


def day_board(*, day: dt.date, by: str = "therapist") -> DayBoard:
    if by == "room":
        columns = list(Room.objects.filter(active=True).order_by("name"))
        column_of = "room_id"
    else:
        columns = list(Therapist.objects.filter(active=True).select_related("user"))
        column_of = "therapist_id"
    appointments = list(_day_appointments(day))
    annotate_course_position(appointments)

    opens_time, closes_time = _opening_span(day)
    opens, closes = at_local(day, opens_time), at_local(day, closes_time)
    if appointments:  # a session booked outside the usual hours must still show
        opens = min(opens, appointments[0].starts_at)
        closes = max(closes, max(a.ends_at for a in appointments))
    opens = opens.replace(minute=opens.minute - opens.minute % STEP_MINUTES, second=0, microsecond=0)
    steps = -(-int((closes - opens).total_seconds()) // (STEP_MINUTES * 60))

    position = {column.pk: index for index, column in enumerate(columns)}
    rows = [
        BoardRow(
            time=timezone.localtime(opens + dt.timedelta(minutes=STEP_MINUTES * i)).time(),
            cells=[Cell() for _ in columns],
        )
        for i in range(steps)
    ]
    for appointment in appointments:
        column = position.get(getattr(appointment, column_of))
        if column is None:
            continue
        first = _step_index(appointment.starts_at, opens)
        span = max(1, -(-int((appointment.ends_at - appointment.starts_at).total_seconds()) // (STEP_MINUTES * 60)))
        if rows[first].cells[column] is None:
            continue  # overlaps a card already placed (only possible for cancelled rows, excluded above)
        rows[first].cells[column] = Cell(appointment=appointment, rowspan=span)
        for covered in range(first + 1, min(first + span, len(rows))):
            rows[covered].cells[column] = None
    return DayBoard(day=day, by=by, columns=columns, rows=rows, appointment_count=len(appointments))


def week_board(*, monday: dt.date) -> list[tuple[dt.date, list[Appointment]]]:
    """Seven days, each with its non-cancelled appointments in time order: two queries."""
    appointments = list(
        Appointment.objects.filter(
            starts_at__gte=at_local(monday, dt.time.min),
            starts_at__lt=at_local(monday + dt.timedelta(days=7), dt.time.min),
        )
        .exclude(status=AppointmentStatus.CANCELLED)
        .select_related("patient", "modality", "therapist__user", "room", "course")
        .order_by("starts_at")
    )
    annotate_course_position(appointments)
    by_day = defaultdict(list)
    for appointment in appointments:
        by_day[timezone.localtime(appointment.starts_at).date()].append(appointment)
    return [(monday + dt.timedelta(days=i), by_day[monday + dt.timedelta(days=i)]) for i in range(7)]
