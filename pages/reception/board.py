"""The reception day board and week view, laid out as rows of 15-minute steps.

A fixed number of queries per page, however many appointments, therapists or rooms.
"""

import datetime as dt
import functools
import html
import operator
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connections
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from clinic.models import Closure, Modality, Room
from clinic.setup_lists import SetupNames, active_therapist_names, names_by_id
from pages.routes import url_pattern
from patients.record_version import next_midnight, records_steady_until
from sessions.appointments import CHECK_IN, NO_SHOW, appointments_allowed
from sessions.course_progress import annotate_course_position, course_number, course_positions
from sessions.models import COUNTED_STATUSES, Appointment, AppointmentStatus, session_range
from sessions.schedule import at_local, closures_load, working_hours_by_therapist

STEP_MINUTES = 15
DEFAULT_OPEN, DEFAULT_CLOSE = dt.time(8, 0), dt.time(18, 0)


@dataclass(slots=True)
class Card:
    """What a board card shows of one appointment: read as plain values, because a full day of a
    large clinic is hundreds of appointments, and building model instances for them (with
    patient, therapist, room, modality and course each) cost more than the rest of the page."""

    pk: int
    starts_at: dt.datetime  # in the clinic's time zone
    ends_at: dt.datetime
    status: str
    needs_review: bool
    patient: str
    modality: str
    therapist_id: int
    therapist: str
    room_id: int
    room: str
    course_id: int | None
    session_range: str
    # What the contraindication check reads of a session, for check-in on today's board.
    patient_id: int
    modality_id: int
    modality_uses_oils: bool
    self_booked: bool = False  # booked by the patient in the portal (sessions.self_booking)
    session_number: int | None = None  # its place in its course (course_progress.course_number)
    # What the card offers (sessions.appointments.appointment_actions), set for today's board only.
    can_check_in: bool = False
    can_no_show: bool = False


@dataclass(frozen=True, slots=True)
class Column:
    """A board column, a therapist or a room: its pk and its name, read as plain values."""

    pk: int
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Cell:
    appointment: Card | None = None
    rowspan: int = 1


EMPTY = Cell()  # shared by every empty cell of the board (a Cell never changes)


@dataclass
class BoardRow:
    time: dt.time
    cells: list[Cell | None] = field(default_factory=list)  # None: covered by a card above


@dataclass
class DayBoard:
    day: dt.date
    by: str
    columns: list[Column]
    rows: list[BoardRow]
    appointment_count: int
    # The day's closures, as booking sees them (sessions.schedule.closures_load): the clinic's,
    # public holidays included, and each therapist's.
    closures: list[Closure] = field(default_factory=list)
    # Per column, the row indexes outside working hours or closed: shaded, never offered to book.
    off: list[set[int]] = field(default_factory=list)
    now_row: int | None = None  # the row "now" falls in, on today's board
    # The first moment the board reads differently with no write (pages.kept_pages keeps it till then).
    steady_until: dt.datetime | None = None

    @property
    def books_by_cell(self) -> bool:
        return self.by == "therapist"

    @property
    def clinic_closures(self) -> list[Closure]:
        return [closure for closure in self.closures if closure.therapist_id is None]

    @property
    def therapist_closures(self) -> list[Closure]:
        return [closure for closure in self.closures if closure.therapist_id is not None]

    def column_heads_html(self, book_url: str) -> str:
        """The header's cell for each column, written here like the rows (sixty of them cost the
        template engine a few hundred variable lookups). A therapist's name books her through the
        patient search (`book_url`); the script finds a free cell's therapist in data-therapist."""
        if self.books_by_cell:
            url = html.escape(book_url)
            heads = (
                f'<th scope="col" data-therapist="{column.pk}">'
                f'<a href="{url}&amp;therapist={column.pk}">{html.escape(str(column))}</a></th>'
                for column in self.columns
            )
        else:
            heads = (f'<th scope="col">{html.escape(str(column))}</th>' for column in self.columns)
        return mark_safe("".join(heads))

    def rows_html(self) -> str:
        """The board's body, written here rather than in a template: sixty columns by forty
        quarter hours with hundreds of cards cost the template engine ~100 ms a page, and this
        ~10. The week board and my day, with far fewer cards, keep to templates."""
        write = _CardWriter(by=self.by)
        off, now_row = self.off, self.now_row
        parts = []
        for index, row in enumerate(self.rows):
            hour = " hour" if row.time.minute == 0 else ""
            if index == now_row:
                now, now_label = ' class="now"', f'<span class="visually-hidden"> {gettext("(now)")}</span>'
            else:
                now, now_label = "", ""
            time = _hh_mm(row.time)
            parts.append(f'<tr{now} data-time="{time}"><th scope="row" class="time-col{hour}">{time}{now_label}</th>')
            for column, cell in enumerate(row.cells):
                if cell is None:
                    continue  # covered by a card from a row above
                if cell.appointment is None:
                    # Free time stays bare (the script books from it); the rest is shaded.
                    parts.append('<td class="off"></td>' if off and index in off[column] else "<td></td>")
                else:
                    parts.append(f'<td rowspan="{cell.rowspan}" class="has-card">{write(cell.appointment)}</td>')
            parts.append("</tr>")
        return mark_safe("".join(parts))


def _hh_mm(moment: dt.datetime | dt.time) -> str:
    """09:05, as `{moment:%H:%M}` writes it in a tenth of the time (strftime, a few µs, twice for
    each of hundreds of cards)."""
    return f"{moment.hour:02d}:{moment.minute:02d}"


NEEDS_REVIEW_LINE = '<span class="d-block small fw-bold">{}</span>'
SELF_BOOKED_LINE = '<span class="d-block small self-booked">{}</span>'


class _CardWriter:
    """Writes one board's cards. What every card shares is worked out once per page, not once
    per card: the links' patterns, and the labels in the page's language (a status, "Session 3
    of 10", the buttons); three hundred cards asked gettext for them over a thousand times.

    The card's markup; the names in it come from people's input and are escaped (a modality's,
    a room's or a therapist's once per page). Its check-in and no-show buttons belong to the one
    form beside the table (`form="board-actions"`): a form cannot sit inside the card's link, and
    one CSRF token serves them all."""

    def __init__(self, *, by: str):
        self.by = by
        self.detail = url_pattern("booking:appointment_detail")
        self.actions = {}  # what check-in and no-show need, worked out at the first card offering one
        self.statuses: dict[str, str] = {}
        self.course_position = course_positions()
        self.positions: dict[tuple[int | None, str], str] = {}
        self.names: dict[str, str] = {}  # escaped
        self.review_line = NEEDS_REVIEW_LINE.format(escape(gettext("Needs review")))
        self.self_booked_line = SELF_BOOKED_LINE.format(escape(gettext("Booked online by the patient")))

    def status_label(self, status: str) -> str:
        if status not in self.statuses:
            self.statuses[status] = str(AppointmentStatus(status).label)
        return self.statuses[status]

    def name(self, name: str) -> str:
        if name not in self.names:
            self.names[name] = html.escape(name)
        return self.names[name]

    def course_line(self, card: Card) -> str:
        key = (card.session_number, card.session_range)
        if key not in self.positions:
            position = self.course_position(card.session_number, card.session_range)
            self.positions[key] = f'<span class="d-block small">{position}</span>'
        return self.positions[key]

    def __call__(self, card: Card) -> str:
        url = self.detail.format(pk=card.pk)
        course = self.course_line(card) if card.course_id else ""
        review_class, review_line = (" needs-review", self.review_line) if card.needs_review else ("", "")
        self_booked_line = self.self_booked_line if card.self_booked else ""
        who_or_where = card.therapist if self.by == "room" else card.room
        patient = html.escape(card.patient)  # as django.utils.html.escape, without its check for lazy strings
        buttons = self.buttons(card, patient) if card.can_check_in or card.can_no_show else ""
        return (
            f'<a class="appt-card status-{card.status}{review_class}" href="{url}">'
            f"<strong>{patient}</strong>"
            f'<span class="d-block small">{_hh_mm(card.starts_at)}–{_hh_mm(card.ends_at)} · '
            f"{self.name(card.modality)}</span>"
            f"{course}"
            f'<span class="d-block small">{self.name(who_or_where)} · {self.status_label(card.status)}</span>'
            f"{self_booked_line}{review_line}</a>"
            f"{buttons}"
        )

    def buttons(self, card: Card, patient: str) -> str:
        if not self.actions:
            self.actions = {
                "check_in": (url_pattern("booking:appointment_check_in"), "btn-primary", escape(gettext("Check in"))),
                "no_show": (
                    url_pattern("booking:appointment_no_show"),
                    "btn-outline-danger",
                    escape(gettext("No-show")),
                ),
            }
        buttons = []
        who = f'<span class="visually-hidden"> {patient}</span>'
        for allowed, action in ((card.can_check_in, "check_in"), (card.can_no_show, "no_show")):
            if allowed:
                pattern, style, label = self.actions[action]
                action_url = pattern.format(pk=card.pk)
                buttons.append(
                    f'<button class="btn btn-sm {style}" form="board-actions" formaction="{action_url}">'
                    f"{label}{who}</button>"
                )
        return f'<span class="card-actions">{"".join(buttons)}</span>'


def _day_appointments(day: dt.date, location_id: int | None = None):
    return _on_day(_not_cancelled(), day, location_id)


def _not_cancelled():
    return Appointment.objects.exclude(status=AppointmentStatus.CANCELLED).order_by("starts_at")


def _on_day(appointments, day: dt.date, location_id: int | None = None):
    """`appointments` that start on `day`, in the rooms of the site `location_id` if given."""
    appointments = appointments.filter(
        starts_at__gte=at_local(day, dt.time.min), starts_at__lt=at_local(day + dt.timedelta(days=1), dt.time.min)
    )
    if location_id is not None:
        appointments = appointments.filter(room__location_id=location_id)
    return appointments


@functools.cache
def _cards_query(vendor: str):
    """What the day's cards read, but the day: built once per process (the ORM took longer to put
    this query together than the database to run it); each request adds its day and site."""
    appointments = _not_cancelled().annotate(number=course_number())
    times = ("starts_at", "ends_at")
    if vendor == "postgresql":
        # The times as epoch seconds, as sessions.schedule reads them: Django turns PostgreSQL's
        # timestamps into datetimes by parsing their text in Python, which for a day's hundreds
        # of cards cost more than the rest of their rows.
        table = connections[Appointment.objects.db].ops.quote_name(Appointment._meta.db_table)
        appointments = appointments.annotate(
            **{f"{name}_epoch": RawSQL(f"EXTRACT(EPOCH FROM {table}.{name})::float8", ()) for name in times}
        )
        times = ("starts_at_epoch", "ends_at_epoch")
    # The modality's, therapist's and room's names come from the set-up cache (names_by_id).
    return appointments.values_list(
        "pk", *times, "status", "needs_review", "patient_id", "patient__first_name", "patient__last_name",
        "modality_id", "therapist_id", "room_id", "course_id", "course__min_sessions", "course__max_sessions",
        "self_booked", "number",
    )  # fmt: skip


def _day_cards(day: dt.date, location_id: int | None = None) -> list[Card]:
    """The day's cards in one query, each course session's number in its course counted with them
    (as annotate_course_position counts it, without a second query naming hundreds of pks)."""
    vendor = connections[Appointment.objects.db].vendor
    rows = list(_on_day(_cards_query(vendor), day, location_id))
    try:
        return _cards(rows, vendor, names_by_id())
    except KeyError:  # a room, therapist or modality added since this request read the set-up's token
        return _cards(rows, vendor, names_by_id(kept=False))


def _cards(rows: list[tuple], vendor: str, names: SetupNames) -> list[Card]:
    clinic_zone = timezone.get_current_timezone()
    if vendor == "postgresql":  # epoch seconds
        local = functools.partial(dt.datetime.fromtimestamp, tz=clinic_zone)
    else:
        local = operator.methodcaller("astimezone", clinic_zone)
    counted = {str(status) for status in COUNTED_STATUSES}
    modalities, therapists, rooms, oily = names.modalities, names.therapists, names.rooms, names.oil_modalities
    return [
        Card(
            pk=pk,
            starts_at=local(starts_at),
            ends_at=local(ends_at),
            status=status,
            needs_review=needs_review,
            patient=f"{patient_first} {patient_last}",
            modality=modalities[modality_id],
            therapist_id=therapist_id,
            therapist=therapists[therapist_id],
            room_id=room_id,
            room=rooms[room_id],
            course_id=course_id,
            session_range=session_range(course_min, course_max) if course_id else "",
            patient_id=patient_id,
            modality_id=modality_id,
            modality_uses_oils=modality_id in oily,
            self_booked=self_booked,
            # A session that does not count has no number (course_position says so).
            session_number=number if course_id and status in counted else None,
        )
        for (
            pk, starts_at, ends_at, status, needs_review, patient_id, patient_first, patient_last, modality_id,
            therapist_id, room_id, course_id, course_min, course_max, self_booked, number,
        ) in rows
    ]  # fmt: skip


def _hours(day: dt.date, therapist_ids: list[int]) -> list[tuple[int, int, dt.time, dt.time]]:
    """The weekday's blocks of these therapists' hours as (therapist, site, starts, ends), for the
    board's opening span, its columns at one site and its shading (the set-up cache keeps them)."""
    weekday, hours = day.weekday(), working_hours_by_therapist()
    return [
        (therapist_id, location_id, starts, ends)
        for therapist_id in therapist_ids
        for day_of_week, starts, ends, location_id in hours.get(therapist_id, ())
        if day_of_week == weekday
    ]


def _opening_span(hours: list, location_id: int | None = None) -> tuple[dt.time, dt.time]:
    blocks = [(starts, ends) for _, location, starts, ends in hours if location_id in (None, location)]
    if not blocks:
        return DEFAULT_OPEN, DEFAULT_CLOSE
    return min(starts for starts, _ in blocks), max(ends for _, ends in blocks)


def _step_index(moment: dt.datetime, opens: dt.datetime) -> int:
    return int((moment - opens).total_seconds() // (STEP_MINUTES * 60))


def day_board(*, day: dt.date, by: str = "therapist", location_id: int | None = None) -> DayBoard:
    """The day's sessions by therapist or by room; with `location_id`, the sessions in that
    site's rooms, its rooms, and the therapists with hours there that weekday."""
    therapists = active_therapist_names()
    hours = _hours(day, [pk for pk, _ in therapists])
    if by == "room":
        rooms = Room.objects.filter(active=True)
        if location_id is not None:
            rooms = rooms.filter(location_id=location_id)
        columns = [Column(pk, name) for pk, name in rooms.order_by("name").values_list("pk", "name")]
    else:
        columns = [Column(pk, name) for pk, name in therapists]
        if location_id is not None:
            there = {therapist for therapist, location, _, _ in hours if location == location_id}
            columns = [column for column in columns if column.pk in there]
    appointments = _day_cards(day, location_id)

    opens_time, closes_time = _opening_span(hours, location_id)
    opens, closes = at_local(day, opens_time), at_local(day, closes_time)
    if appointments:  # a session booked outside the usual hours must still show
        opens = min(opens, appointments[0].starts_at)
        closes = max(closes, max(a.ends_at for a in appointments))
    opens = opens.replace(minute=opens.minute - opens.minute % STEP_MINUTES, second=0, microsecond=0)
    steps = -(-int((closes - opens).total_seconds()) // (STEP_MINUTES * 60))

    position = {column.pk: index for index, column in enumerate(columns)}
    clinic_zone, step = timezone.get_current_timezone(), dt.timedelta(minutes=STEP_MINUTES)
    rows = [
        BoardRow(time=(opens + step * i).astimezone(clinic_zone).time(), cells=[EMPTY] * len(columns))
        for i in range(steps)
    ]
    for appointment in appointments:
        column = position.get(appointment.room_id if by == "room" else appointment.therapist_id)
        if column is None:
            continue
        first = _step_index(appointment.starts_at, opens)
        span = max(1, -(-int((appointment.ends_at - appointment.starts_at).total_seconds()) // (STEP_MINUTES * 60)))
        if rows[first].cells[column] is None:
            continue  # overlaps a card already placed (only possible for cancelled rows, excluded above)
        rows[first].cells[column] = Cell(appointment=appointment, rowspan=span)
        for covered in range(first + 1, min(first + span, len(rows))):
            rows[covered].cells[column] = None
    closures = closures_load(starts_on=day, ends_on=day)
    now = timezone.now()
    actions_change = _card_actions(appointments, day, now)
    off = _off_rows(hours, columns, by, rows, closures)
    now_row = _step_index(now, opens) if day == timezone.localdate(now) and opens <= now < closes else None
    steady_until = _steady_until(day, appointments, opens, closes, now, actions_change)
    return DayBoard(
        day=day, by=by, columns=columns, rows=rows, appointment_count=len(appointments), closures=closures,
        off=off, now_row=now_row, steady_until=steady_until,
    )  # fmt: skip


def _steady_until(
    day: dt.date,
    cards: list[Card],
    opens: dt.datetime,
    closes: dt.datetime,
    now: dt.datetime,
    actions_change: dt.datetime | None,
) -> dt.datetime:
    """When the board next reads differently by the clock alone. Another day's board holds until
    midnight (it may become today's). Today's moves on at the next quarter hour ("now"), when a
    card's check-in or no-show opens or closes by the time rules (`actions_change`), and when a
    phase of a patient of the day dated ahead comes into effect (check-in asks the
    contraindication check at that moment)."""
    if day != timezone.localdate(now):
        return next_midnight(now)
    moments = [records_steady_until(patient_ids={card.patient_id for card in cards}, at=now)]
    if actions_change is not None:
        moments.append(actions_change)
    if now < opens:
        moments.append(opens)
    elif now < closes:
        moments.append(opens + dt.timedelta(minutes=STEP_MINUTES) * (_step_index(now, opens) + 1))
    return min(moments)


# The columns _card_actions gives a session, in the model's order (as Model.from_db takes them).
_CHECKED_FIELDS = [
    field.attname
    for field in Appointment._meta.concrete_fields
    if field.attname in {"id", "status", "starts_at", "patient_id", "modality_id"}
]


def _card_actions(cards: list[Card], day: dt.date, now: dt.datetime) -> dt.datetime | None:
    """Check-in and no-show as appointment_actions allows them (appointments_allowed: the same
    answer without its reasons): only booked sessions of today can have either (check-in on the
    session's day, no-show once started), so only those are asked about, in a fixed number of
    queries. Returns the first moment the time rules answer otherwise for one of them."""
    if day != timezone.localdate(now):
        return None
    booked = [card for card in cards if card.status == AppointmentStatus.BOOKED]
    if not booked:
        return None
    # The sessions as the check reads them (status, start, patient, modality's pk and oils), built
    # from the cards' own values instead of read again: hundreds of rows, about 5 ms a page.
    using = Appointment.objects.db
    modalities = {
        pk: Modality.from_db(using, ["id", "uses_oils"], (pk, oils))
        for pk, oils in {(card.modality_id, card.modality_uses_oils) for card in booked}
    }
    sessions = []
    for card in booked:
        values = {
            "id": card.pk, "status": card.status, "starts_at": card.starts_at, "patient_id": card.patient_id,
            "modality_id": card.modality_id,
        }  # fmt: skip
        session = Appointment.from_db(using, _CHECKED_FIELDS, [values[name] for name in _CHECKED_FIELDS])
        session.modality = modalities[card.modality_id]
        sessions.append(session)
    for card, allowed in zip(booked, appointments_allowed(sessions, now=now, only=(CHECK_IN, NO_SHOW)), strict=True):
        card.can_check_in, card.can_no_show = CHECK_IN in allowed, NO_SHOW in allowed
    return min(filter(None, (session.time_rules_change_after(now) for session in sessions)), default=None)


def _off_rows(hours: list, columns: list, by: str, rows: list[BoardRow], closures: list[Closure]) -> list[set[int]]:
    """Per column, the rows outside working hours, in a break or closed (the clinic's closures,
    public holidays included, and the therapist's own). Rooms follow the clinic's closures only.
    Therapists with the same hours share one set, worked out once."""
    everything = set(range(len(rows)))
    if any(closure.therapist_id is None for closure in closures):
        return [everything for _ in columns]
    if by != "therapist":
        return []
    blocks: dict[int, list[tuple[dt.time, dt.time]]] = defaultdict(list)
    for therapist_id, _, starts, ends in hours:
        blocks[therapist_id].append((starts, ends))
    closed = {closure.therapist_id for closure in closures}
    times = [row.time for row in rows]
    off, by_blocks = [], {}
    for column in columns:
        if column.pk in closed:
            off.append(everything)
            continue
        spans = tuple(sorted(blocks[column.pk]))
        if spans not in by_blocks:
            # A row is free time when its quarter hour starts inside one of the day's blocks.
            by_blocks[spans] = {
                index for index, time in enumerate(times) if not any(starts <= time < ends for starts, ends in spans)
            }
        off.append(by_blocks[spans])
    return off


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
