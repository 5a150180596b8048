"""What is already fixed over a span of days: working hours, closures, bookings, and the freed
slots held for a waitlist offer (sessions.waitlist).

Booking checks and the availability search both ask this one object whether a slot is free, so
they can never disagree. Loading it costs a fixed number of queries however many therapists,
rooms or days it covers.
"""

import datetime as dt
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connections, router
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from clinic.models import Closure, ClosureKind, Room, Therapist, WorkingHours
from clinic.public_holidays import public_holidays
from clinic.setup_cache import THERAPIST_FIELDS, copies, setup_cached
from sessions.models import Appointment, AppointmentStatus, OfferStatus, WaitlistOffer


def local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def at_local(day: dt.date, time: dt.time) -> dt.datetime:
    """The UTC moment of a wall-clock time in the clinic's zone: a series keeps 09:00 across DST."""
    return timezone.make_aware(dt.datetime.combine(day, time))


def closures_load(*, starts_on: dt.date, ends_on: dt.date, therapist_ids: Iterable[int] | None = None) -> list[Closure]:
    """Every closure from `starts_on` to `ends_on`: the manager's rows (the clinic's, and those of
    the therapists named; every therapist's when None), and each public holiday of the clinic's
    country and region (clinic.public_holidays) that no "open on a public holiday" row takes off,
    as an unsaved whole-clinic Closure. The one source booking, availability, the series planner
    and the day board read."""
    ends, kept = _closures_kept()
    wanted = None if therapist_ids is None else set(therapist_ids)
    rows = [
        row
        for row in kept[bisect_left(ends, starts_on) :]  # those that end before the span are past
        if row.starts_on <= ends_on and (wanted is None or row.therapist_id is None or row.therapist_id in wanted)
    ]
    closures, opened = [], []
    for row in copies(rows):
        (opened if row.kind == ClosureKind.HOLIDAY_OPEN else closures).append(row)
    for day, name in public_holidays(starts_on, ends_on).items():
        if not any(row.starts_on <= day <= row.ends_on for row in opened):
            closures.append(
                Closure(starts_on=day, ends_on=day, reason=gettext("Public holiday: %(name)s") % {"name": name})
            )
    return sorted(closures, key=lambda closure: (closure.starts_on, closure.therapist_id or 0))


def working_hours_by_therapist() -> dict[int, tuple]:
    """Every therapist's blocks of hours, {therapist id: ((weekday, starts, ends, location id),
    ...)} in order of start, kept by the set-up cache (clinic/setup_cache.py). Plain rows, not
    model instances: sixty therapists' weeks are hundreds of blocks, and building them as models
    cost more than the day's whole free-slot search."""

    def build(using: str) -> dict[int, tuple]:
        hours = defaultdict(list)
        rows = WorkingHours.objects.using(using).order_by("starts", "pk")
        for therapist_id, *block in rows.values_list("therapist_id", "weekday", "starts", "ends", "location_id"):
            hours[therapist_id].append(tuple(block))
        return {therapist_id: tuple(blocks) for therapist_id, blocks in hours.items()}

    return setup_cached("working hours", build, model=WorkingHours)


def _closures_kept() -> tuple[list[dt.date], list[Closure]]:
    """Every closure row with its therapist's name, in order of its last day, and those last days
    (to skip the past by bisection): kept by the set-up cache (clinic/setup_cache.py). A clinic
    has a few hundred in years; the pages that read them ask for a few days or weeks."""

    def build(using: str) -> tuple[list[dt.date], list[Closure]]:
        rows = list(
            Closure.objects.using(using)
            .select_related("therapist__user")
            .only(*CLOSURE_FIELDS)
            .order_by("ends_on", "starts_on", "pk")
        )
        return [row.ends_on for row in rows], rows

    return setup_cached("closures", build, model=Closure)


CLOSURE_FIELDS = (
    "kind",
    "starts_on",
    "ends_on",
    "reason",
    *(f"therapist__{name}" for name in THERAPIST_FIELDS),
)


def overlaps(a_start: dt.datetime, a_end: dt.datetime, b_start: dt.datetime, b_end: dt.datetime) -> bool:
    return a_start < b_end and b_start < a_end


@dataclass(slots=True)
class Booked:
    """What the schedule needs of a booked session: whose, where and when. Loading these instead
    of whole appointments keeps a weeks-long schedule of a large clinic cheap. The times are
    epoch seconds: turning thousands of database timestamps into datetimes costs more than the
    availability search itself, so a datetime is made only when a message needs one.

    Not frozen, though nothing changes one: a frozen dataclass sets each field through
    object.__setattr__, four times the cost of building it for a month's thousands of rows
    (docs/PERFORMANCE.md, fourteenth round)."""

    pk: int
    therapist_id: int
    room_id: int
    patient_id: int
    start: float
    end: float

    @property
    def starts_at(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.start, dt.UTC)

    @property
    def ends_at(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.end, dt.UTC)


@dataclass(slots=True)
class Held(Booked):
    """A freed slot held for a waitlist offer (sessions.waitlist) until `until`: the therapist and
    the room are busy then for everyone but the patient it is offered to, as if it were booked,
    until the offer is accepted, declined, withdrawn or expires."""

    until: dt.datetime


# A session (or a held slot) lasts hours at most: what starts this long before a window cannot reach into it.
LONGEST_SESSION = dt.timedelta(days=1)


def busy_window(starts_on: dt.date, ends_on: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The moments a schedule of the local days from `starts_on` to `ends_on` reads the busy time
    of: one day of margin on both sides (a local day is not a UTC day)."""
    first, last = starts_on - dt.timedelta(days=1), ends_on + dt.timedelta(days=2)
    return at_local(first, dt.time.min), at_local(last, dt.time.min)


def _busy_load(
    *,
    using: str,
    window: tuple[dt.datetime, dt.datetime],
    therapist_ids: list[int],
    room_ids: list[int],
    patient_id: int | None,
    exclude_appointment_id: int | None,
    offered_slot_id: int | None,
) -> list[Booked]:
    """What takes the time of these therapists and rooms (and of the patient) in the window:
    the sessions not cancelled, but `exclude_appointment_id` (the one being moved); and the
    freed slots still held for a waitlist offer (as Held). A patient's own holds are not in
    their way, nor, when the waitlist offers that slot, the other offers of `offered_slot_id`.

    One statement, written as SQL: every booking page and availability search runs it, and
    compiling the two ORM queries it replaces cost more CPU than running them (about 2 of 3 ms,
    docs/PERFORMANCE.md). `using` is the database the router gives for reading sessions."""
    window_start, window_end = window
    booked_who, booked_params = _any_of(therapist_ids, room_ids, [patient_id] if patient_id is not None else [])
    if not booked_who:
        return []
    connection = connections[using]
    # Quoted as the ORM quotes them (tests/clinic/test_replica.py finds the tables a page reads so).
    appointments, offers = (connection.ops.quote_name(model._meta.db_table) for model in (Appointment, WaitlistOffer))
    # PostgreSQL sends the times as epoch seconds; elsewhere the datetimes are converted below.
    start, end = (
        ("EXTRACT(EPOCH FROM starts_at)::float8", "EXTRACT(EPOCH FROM ends_at)::float8")
        if connection.vendor == "postgresql"
        else ("starts_at", "ends_at")
    )
    # The lower bound on the start (LONGEST_SESSION) lets the indexes on starts_at cut the years
    # of history out instead of reading them all.
    sql = (
        f"SELECT id, therapist_id, room_id, patient_id, {start}, {end}, NULL FROM {appointments}"
        f" WHERE ({booked_who}) AND starts_at < %s AND starts_at >= %s AND ends_at > %s AND status <> %s"
    )
    earliest_start = window_start - LONGEST_SESSION
    params = [*booked_params, window_end, earliest_start, window_start, AppointmentStatus.CANCELLED]
    if exclude_appointment_id is not None:
        sql += " AND id <> %s"
        params.append(exclude_appointment_id)
    held_who, held_params = _any_of(therapist_ids, room_ids, [])
    if held_who:
        sql += (
            f" UNION ALL SELECT id, therapist_id, room_id, patient_id, {start}, {end}, expires_at FROM {offers}"
            f" WHERE ({held_who}) AND status = %s AND expires_at > %s AND starts_at < %s AND ends_at > %s"
        )
        params += [*held_params, OfferStatus.OFFERED, timezone.now(), window_end, window_start]
        if patient_id is not None:
            sql += " AND patient_id <> %s"
            params.append(patient_id)
        if offered_slot_id is not None:
            sql += " AND slot_id <> %s"
            params.append(offered_slot_id)
    with connection.cursor() as cursor:
        # Times as the ORM would send them (SQLite keeps naive UTC text).
        adapt = connection.ops.adapt_datetimefield_value
        cursor.execute(sql, [adapt(value) if isinstance(value, dt.datetime) else value for value in params])
        rows = cursor.fetchall()
    if connection.vendor != "postgresql":
        rows = [(*row[:4], _utc(row[4]).timestamp(), _utc(row[5]).timestamp(), row[6]) for row in rows]
    return [Booked(*row[:6]) if row[6] is None else Held(*row[:6], _utc(row[6])) for row in rows]


def _any_of(therapist_ids: list[int], room_ids: list[int], patient_ids: list[int]) -> tuple[str, list[int]]:
    """The condition "with one of these therapists, in one of these rooms, or for the patient"
    and its parameters; empty when there is nobody to ask about."""
    terms = [
        (f"{column} IN ({', '.join(['%s'] * len(ids))})", ids)
        for column, ids in (("therapist_id", therapist_ids), ("room_id", room_ids), ("patient_id", patient_ids))
        if ids
    ]
    return " OR ".join(term for term, _ in terms), [pk for _, ids in terms for pk in ids]


def _utc(value) -> dt.datetime:
    """A datetime as SQLite gives it (naive UTC, or text in a column of a UNION) made aware."""
    if isinstance(value, str):
        value = parse_datetime(value)
    return value if timezone.is_aware(value) else value.replace(tzinfo=dt.UTC)


def _seconds(appointment) -> tuple[float, float]:
    """(start, end) in epoch seconds of a Booked row or of a planned Appointment (Schedule.add)."""
    if isinstance(appointment, Booked):  # a Held is a Booked too
        return appointment.start, appointment.end
    return appointment.starts_at.timestamp(), appointment.ends_at.timestamp()


class Spans:
    """One resource's busy time on one day as merged, sorted [start, end) intervals in epoch
    seconds, so "is this slot free?" takes a binary search instead of a walk over the day."""

    __slots__ = ("starts", "ends")

    def __init__(self, appointments):
        starts: list[float] = []
        ends: list[float] = []
        self.starts, self.ends = starts, ends
        for start, end in sorted(map(_seconds, appointments)):
            if ends and start < ends[-1]:
                if end > ends[-1]:
                    ends[-1] = end
            else:
                starts.append(start)
                ends.append(end)

    def free(self, start: float, end: float) -> bool:
        i = bisect_right(self.ends, start)  # the first interval that ends after `start`
        return i == len(self.ends) or self.starts[i] >= end

    def gaps(self, start: float, end: float) -> list[tuple[float, float]]:
        """The free stretches of [start, end), in order."""
        gaps, cursor = [], start
        i = bisect_right(self.ends, start)
        while i < len(self.starts) and self.starts[i] < end:
            if self.starts[i] > cursor:
                gaps.append((cursor, self.starts[i]))
            cursor = max(cursor, self.ends[i])
            i += 1
        if cursor < end:
            gaps.append((cursor, end))
        return gaps


@dataclass
class Schedule:
    starts_on: dt.date
    ends_on: dt.date
    hours: dict[int, dict[int, list[tuple[dt.time, dt.time]]]] = field(default_factory=dict)
    # The same blocks with the site each is at: {therapist: {weekday: [(starts, ends, location)]}}.
    sites: dict[int, dict[int, list[tuple[dt.time, dt.time, int]]]] = field(default_factory=dict)
    closures: list[Closure] = field(default_factory=list)
    # Non-cancelled appointments by (resource id, local date), and the slots held for an offer.
    by_therapist: dict[tuple[int, dt.date], list[Appointment]] = field(default_factory=lambda: defaultdict(list))
    by_room: dict[tuple[int, dt.date], list[Appointment]] = field(default_factory=lambda: defaultdict(list))
    by_patient: dict[dt.date, list[Appointment]] = field(default_factory=lambda: defaultdict(list))
    _spans: dict = field(default_factory=dict, repr=False)

    @classmethod
    def load(
        cls,
        *,
        starts_on: dt.date,
        ends_on: dt.date,
        therapists: Iterable[Therapist],
        rooms: Iterable[Room],
        patient_id: int | None = None,
        exclude_appointment_id: int | None = None,
        offered_slot_id: int | None = None,
    ) -> "Schedule":
        therapist_ids = [t.pk for t in therapists]
        room_ids = [r.pk for r in rooms]
        schedule = cls(starts_on=starts_on, ends_on=ends_on)

        schedule.hours = defaultdict(lambda: defaultdict(list))
        schedule.sites = defaultdict(lambda: defaultdict(list))
        hours = working_hours_by_therapist()
        for therapist_id in therapist_ids:
            for weekday, starts, ends, location_id in hours.get(therapist_id, ()):
                schedule.hours[therapist_id][weekday].append((starts, ends))
                schedule.sites[therapist_id][weekday].append((starts, ends, location_id))

        schedule.closures = closures_load(starts_on=starts_on, ends_on=ends_on, therapist_ids=therapist_ids)

        busy = _busy_load(
            using=router.db_for_read(Appointment),
            window=busy_window(starts_on, ends_on),
            therapist_ids=therapist_ids,
            room_ids=room_ids,
            patient_id=patient_id,
            exclude_appointment_id=exclude_appointment_id,
            offered_slot_id=offered_slot_id,
        )
        zone = timezone.get_current_timezone()  # once, not per row: thousands of rows for a month
        by_therapist, by_room = schedule.by_therapist, schedule.by_room
        day_of: dict[float, dt.date] = {}  # the local day of each start, once: sessions share their starts
        for taken in busy:
            day = day_of.get(taken.start)
            if day is None:
                day = day_of[taken.start] = dt.datetime.fromtimestamp(taken.start, zone).date()
            by_therapist[(taken.therapist_id, day)].append(taken)
            by_room[(taken.room_id, day)].append(taken)
            if taken.patient_id == patient_id:  # their own holds are not loaded
                schedule.by_patient[day].append(taken)
        return schedule

    def working_blocks(self, therapist_id: int, day: dt.date) -> list[tuple[dt.time, dt.time]]:
        return self.hours.get(therapist_id, {}).get(day.weekday(), [])

    def site_blocks(self, therapist_id: int, day: dt.date) -> list[tuple[dt.time, dt.time, int]]:
        """The therapist's blocks on `day`, each with the site (Location id) it is at."""
        return self.sites.get(therapist_id, {}).get(day.weekday(), [])

    def site_at(self, therapist_id: int, starts_at: dt.datetime, ends_at: dt.datetime) -> int | None:
        """The site of the block of hours the session lies in; None outside the hours."""
        start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
        if start.date() != end.date():
            return None
        for block_start, block_end, location_id in self.site_blocks(therapist_id, start.date()):
            if block_start <= start.time() and end.time() <= block_end:
                return location_id
        return None

    def closure_on(self, therapist_id: int, day: dt.date) -> Closure | None:
        for closure in self.closures:
            if closure.starts_on <= day <= closure.ends_on and closure.therapist_id in (None, therapist_id):
                return closure
        return None

    def clinic_closed_on(self, day: dt.date) -> bool:
        return any(c.therapist_id is None and c.starts_on <= day <= c.ends_on for c in self.closures)

    def works_on(self, therapist_id: int, day: dt.date) -> bool:
        """Whether the therapist has hours on `day` and neither they nor the clinic are closed."""
        return bool(self.working_blocks(therapist_id, day)) and self.closure_on(therapist_id, day) is None

    def within_hours(self, therapist_id: int, starts_at: dt.datetime, ends_at: dt.datetime) -> bool:
        start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
        if start.date() != end.date():
            return False
        return any(
            block_start <= start.time() and end.time() <= block_end
            for block_start, block_end in self.working_blocks(therapist_id, start.date())
        )

    @staticmethod
    def _clash(appointments: list[Appointment], starts_at, ends_at) -> Appointment | None:
        for appointment in appointments:
            if overlaps(appointment.starts_at, appointment.ends_at, starts_at, ends_at):
                return appointment
        return None

    def therapist_clash(self, therapist_id: int, starts_at, ends_at) -> Appointment | None:
        return self._clash(self.by_therapist.get((therapist_id, local_date(starts_at)), []), starts_at, ends_at)

    def room_clash(self, room_id: int, starts_at, ends_at) -> Appointment | None:
        return self._clash(self.by_room.get((room_id, local_date(starts_at)), []), starts_at, ends_at)

    def patient_clash(self, starts_at, ends_at) -> Appointment | None:
        return self._clash(self.by_patient.get(local_date(starts_at), []), starts_at, ends_at)

    def busy(self, kind: str, key: int | None, day: dt.date) -> Spans:
        """The busy time of a therapist or a room (kind "therapist" or "room", key its id), or of
        the patient (kind "patient"), on a day: for the availability search, which asks
        thousands of times per page."""
        spans = self._spans.get((kind, key, day))
        if spans is None:
            if kind == "patient":
                appointments = self.by_patient.get(day, [])
            else:
                appointments = (self.by_therapist if kind == "therapist" else self.by_room).get((key, day), [])
            spans = self._spans[(kind, key, day)] = Spans(appointments)
        return spans

    def add(self, appointment: Appointment) -> None:
        """Count a planned appointment as taken, so a series does not propose it twice."""
        self._spans.clear()
        day = local_date(appointment.starts_at)
        self.by_therapist[(appointment.therapist_id, day)].append(appointment)
        self.by_room[(appointment.room_id, day)].append(appointment)
        self.by_patient[day].append(appointment)
