"""Reads for booking: free slots, and the plan of dates a course's cadence needs."""

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import attrgetter
from typing import NamedTuple

from django.db.models import Min
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext

from clinic.date_windows import BOOKING_WINDOW
from clinic.models import Cadence, Location, Modality, Room, Therapist
from clinic.setup_cache import THERAPIST_FIELDS, copies, setup_cached
from patients.contraindications import contraindications_check
from patients.models import Patient
from patients.record_version import next_midnight
from sessions.booking_checks import slot_problems
from sessions.course_progress import (
    course_sessions_counted,
)
from sessions.models import (
    COUNTED_STATUSES,
    Appointment,
    Course,
    WaitlistOffer,
)
from sessions.schedule import Schedule, at_local, busy_window, local_date

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

    @property
    def alternative_in_words(self) -> str:
        """What the offered alternative changes, said in words: "Same time, in Room 2 instead of
        Room 1." A row that keeps its time but changes its room must say so."""
        alternative = self.alternative
        if alternative is None:
            return ""
        wanted, offered = timezone.localtime(self.starts_at), timezone.localtime(alternative.starts_at)
        if offered == wanted:
            when = gettext("Same time")
        elif offered.date() == wanted.date():
            when = gettext("Same day at %(time)s") % {"time": time_format(offered, "H:i")}
        else:
            when = gettext("Moved to %(day)s at %(time)s") % {
                "day": date_format(offered, gettext("D j M")),
                "time": time_format(offered, "H:i"),
            }
        words = {
            "when": when,
            "therapist": alternative.therapist,
            "instead_of_therapist": self.therapist,
            "room": alternative.room,
            "instead_of_room": self.room,
        }
        other_therapist, other_room = alternative.therapist != self.therapist, alternative.room != self.room
        if other_therapist and other_room:
            sentence = gettext(
                "%(when)s, with %(therapist)s instead of %(instead_of_therapist)s, in %(room)s instead of "
                "%(instead_of_room)s."
            )
        elif other_therapist:
            sentence = gettext("%(when)s, with %(therapist)s instead of %(instead_of_therapist)s.")
        elif other_room:
            sentence = gettext("%(when)s, in %(room)s instead of %(instead_of_room)s.")
        else:
            sentence = "%(when)s."  # the time alone changes: "Same day at 11:00."
        return sentence % words


def qualified_therapists(*, modality: Modality) -> list[Therapist]:
    """The active therapists qualified for `modality`, with their names (the rest of the user is
    read when asked for: the set-up cache keeps names only, clinic/setup_cache.py)."""

    def build(using: str) -> list[Therapist]:
        return list(
            Therapist.objects.using(using)
            .filter(active=True, modalities=modality)
            .select_related("user")
            .only(*THERAPIST_FIELDS)
            .order_by("pk")
            .distinct()
        )

    return copies(setup_cached(("qualified therapists", modality.pk), build, model=Therapist))


def suited_rooms(*, modality: Modality) -> list[Room]:

    def build(using: str) -> list[Room]:
        return list(Room.objects.using(using).filter(active=True, modalities=modality).order_by("name").distinct())

    return copies(setup_cached(("suited rooms", modality.pk), build, model=Room))


def slots_available(**search) -> list[Slot]:
    """slots_by_day's free slots (same keyword arguments) as one list in time order."""
    return [slot for _, slots in slots_by_day(**search) for slot in slots]


def slots_by_day(
    *,
    modality: Modality,
    starts_on: dt.date,
    ends_on: dt.date,
    therapist: Therapist | None = None,
    patient: Patient | None = None,
    minutes: int | None = None,
    exclude_appointment_id: int | None = None,
    now: dt.datetime | None = None,
    location: Location | None = None,
) -> Iterator[tuple[dt.date, list[Slot]]]:
    """Free slots for one therapist or any qualified one, each with a free room at the site of
    the therapist's hours then; with `location`, only the hours and rooms there.
    `exclude_appointment_id`: a session being moved, whose own time is not in its way.

    Day by day: each day from `starts_on` to `ends_on` with its free slots in time order (every
    slot of a day starts before the next day's). A month's search makes tens of thousands of
    slots; a page that writes them out as they come (the availability JSON) holds one day's at a
    time. A fixed number of queries whatever the number of therapists or days."""
    therapists, rooms = _candidates(modality, therapist, location)
    return _days_between(
        therapists,
        rooms,
        starts_on=starts_on,
        ends_on=ends_on,
        length=dt.timedelta(minutes=minutes or modality.session_minutes),
        patient=patient,
        exclude_appointment_id=exclude_appointment_id,
        now=now,
        location=location,
    )


def _candidates(
    modality: Modality, therapist: Therapist | None, location: Location | None
) -> tuple[list[Therapist], list[Room]]:
    """Who and where a search may offer: the qualified therapists (or the one asked for, when
    booking would accept them: qualified and active) and the suited rooms (at `location`)."""
    therapists = qualified_therapists(modality=modality)
    if therapist is not None:
        therapists = [t for t in therapists if t.pk == therapist.pk]
    rooms = suited_rooms(modality=modality)
    if location is not None:
        rooms = [room for room in rooms if room.location_id == location.pk]
    return therapists, rooms


def _days_between(
    therapists: list[Therapist],
    rooms: list[Room],
    *,
    starts_on: dt.date,
    ends_on: dt.date,
    length: dt.timedelta,
    patient: Patient | None,
    exclude_appointment_id: int | None,
    now: dt.datetime | None,
    location: Location | None,
    first_day_only: bool = False,
) -> Iterator[tuple[dt.date, list[Slot]]]:
    """slots_by_day's search for these therapists and rooms; with `first_day_only`, it stops
    after the first day that has a free slot (the later days are not searched)."""
    if not therapists or not rooms:
        return
    schedule = Schedule.load(
        starts_on=starts_on,
        ends_on=ends_on,
        therapists=therapists,
        rooms=rooms,
        patient_id=patient.pk if patient else None,
        exclude_appointment_id=exclude_appointment_id,
    )
    now = now or timezone.now()
    # Every therapist asks for a room at the same quarter hours: look each one up once.
    rooms_free_at: dict = {}
    day = starts_on
    while day <= ends_on:
        slots = []
        for candidate in therapists:
            slots += _free_slots_on(
                schedule,
                candidate,
                rooms,
                day,
                length,
                now,
                check_patient=patient is not None,
                memo=rooms_free_at,
                location_id=location.pk if location else None,
            )
        # Made therapist by therapist in pk order: a stable sort on the start keeps the
        # therapists in pk order within each start.
        slots.sort(key=attrgetter("starts_at"))
        yield day, slots
        if first_day_only and slots:
            return
        day += dt.timedelta(days=1)


def search_steady_until(
    *, starts_on: dt.date, ends_on: dt.date, first_start: dt.datetime | None, now: dt.datetime
) -> dt.datetime:
    """Until when a search of these days made at `now` (slots_by_day) finds the same with no
    write: until the first free start it found begins (a start gone by is not offered), or a slot
    held for a waitlist offer in its days comes free; at the latest, the next midnight."""
    window_start, window_end = busy_window(starts_on, ends_on)
    held = WaitlistOffer.objects.held(now).filter(starts_at__lt=window_end, ends_at__gt=window_start)
    held_until = held.aggregate(first=Min("expires_at"))["first"]
    return min(moment for moment in (next_midnight(now), first_start, held_until) if moment is not None)


# How far ahead "next free" looks: two weeks, the front desk's horizon on the phone.
NEXT_FREE_DAYS = 14


def slots_next_free(
    *,
    modality: Modality,
    starts_on: dt.date,
    therapist: Therapist | None = None,
    patient: Patient | None = None,
    minutes: int | None = None,
    days: int = NEXT_FREE_DAYS,
    exclude_appointment_id: int | None = None,
    now: dt.datetime | None = None,
    location: Location | None = None,
) -> list[Slot]:
    """The free slots of the first day from `starts_on` that has any, within `days` days (none
    when none has): the same search as slots_available, over windows of 1, 2, 4 and 7 days, so
    a day with free time costs one day's search and two empty weeks at most four schedules read
    (who and where are read once for all of them, and a window's days are searched only up to
    the first that has a free slot)."""
    therapists, rooms = _candidates(modality, therapist, location)
    length = dt.timedelta(minutes=minutes or modality.session_minutes)
    last = starts_on + dt.timedelta(days=days - 1)
    start, width = starts_on, 1
    while start <= last:
        end = min(start + dt.timedelta(days=width - 1), last)
        days = _days_between(
            therapists, rooms, starts_on=start, ends_on=end, length=length, patient=patient,
            exclude_appointment_id=exclude_appointment_id, now=now, location=location, first_day_only=True,
        )  # fmt: skip
        slots = [slot for _, day_slots in days for slot in day_slots]
        if slots:
            return slots  # all of one day: the search stopped after the first with a free slot
        start, width = end + dt.timedelta(days=1), width * 2
    return []


def on_slot_grid(starts_at: dt.datetime) -> bool:
    """A start on the clinic's grid of SLOT_STEP (quarter hours) in local time."""
    local = timezone.localtime(starts_at)
    step = int(SLOT_STEP.total_seconds())
    return (local.hour * 3600 + local.minute * 60 + local.second) % step == 0 and not local.microsecond


def _free_slots_on(
    schedule, therapist, rooms, day, length, now, *, check_patient: bool, memo=None, location_id: int | None = None
) -> list[Slot]:
    """The therapist's free starts on `day`, each with the first free room at the site of the
    block (and only blocks at `location_id` when given). Times are epoch seconds, and only the
    gaps between the therapist's merged busy spans (Schedule.busy) are walked: a month of a
    large clinic is tens of thousands of candidate starts.

    `memo` (one per search: the same rooms, length and now) keeps what every therapist asks
    again: the rooms of each site, the first free room at a site for a time, and the datetimes
    of each quarter hour of a block of hours."""
    therapist_id = therapist.pk
    blocks = schedule.site_blocks(therapist_id, day)
    if not blocks or schedule.closure_on(therapist_id, day):
        return []
    memo = {} if memo is None else memo
    rooms_by_site = memo.get(_ROOMS_BY_SITE)
    if rooms_by_site is None:
        rooms_by_site = memo[_ROOMS_BY_SITE] = {}
        for room in rooms:
            rooms_by_site.setdefault(room.location_id, []).append(room)
    therapist_busy = schedule.busy("therapist", therapist_id, day)
    patient_busy = schedule.busy("patient", None, day) if check_patient else None
    seconds, step_seconds, not_before = length.total_seconds(), SLOT_STEP.total_seconds(), now.timestamp()
    slots = []
    append = slots.append
    for block_start, block_end, site in blocks:
        if location_id is not None and site != location_id:
            continue
        if site not in rooms_by_site:
            continue
        first, first_ts = _at_local(memo, day, block_start)
        block_ends_ts = _at_local(memo, day, block_end)[1]
        room_spans, room_at = _rooms_at(schedule, memo, rooms_by_site[site], site, day, seconds)
        # The datetimes of the block's quarter hours, by step: made once for all therapists.
        times = memo.get((day, block_start, seconds))
        if times is None:
            times = memo[(day, block_start, seconds)] = {}
        for gap_start, gap_end in therapist_busy.gaps(max(first_ts, not_before), block_ends_ts):
            step = math.ceil((gap_start - first_ts) / step_seconds)  # the first quarter hour in the gap
            start = first_ts + step * step_seconds
            while start + seconds <= gap_end:
                if patient_busy is None or patient_busy.free(start, start + seconds):
                    room = room_at.get(start, _UNKNOWN)
                    if room is _UNKNOWN:
                        end = start + seconds
                        room = room_at[start] = next((room for room, busy in room_spans if busy.free(start, end)), None)
                    if room is not None:
                        when = times.get(step)
                        if when is None:
                            starts_at = first + step * SLOT_STEP  # wall-clock steps, as the booking page shows them
                            when = times[step] = (starts_at, starts_at + length)
                        append(Slot(when[0], when[1], therapist, room))
                step += 1
                start = first_ts + step * step_seconds
    return slots


_ROOMS_BY_SITE = "rooms by site"


def _at_local(memo: dict, day: dt.date, time: dt.time) -> tuple[dt.datetime, float]:
    """at_local and its epoch seconds, once per day and time however many therapists start their
    blocks then."""
    key = (day, time)
    found = memo.get(key)
    if found is None:
        moment = at_local(day, time)
        found = memo[key] = (moment, moment.timestamp())
    return found


_UNKNOWN = object()


def _rooms_at(schedule: Schedule, memo: dict, rooms: list[Room], site: int, day, seconds: float):
    """The busy time of each of the site's `rooms` on `day`, and the first of them found free
    from a start (epoch seconds) for `seconds`, by start: each start is looked up once per site
    and day, however many therapists ask for it."""
    key = ("rooms", site, day, seconds)
    found = memo.get(key)
    if found is None:
        found = memo[key] = ([(room, schedule.busy("room", room.id, day)) for room in rooms], {})
    return found


def series_dates(
    *,
    course: Course,
    first_day: dt.date,
    count: int,
    schedule: Schedule,
    therapist_id: int,
    booked_days: list[dt.date] = (),
    last_day: dt.date | None = None,
) -> list[dt.date]:
    """The days the rest of a course's cadence asks for, after the course's last booked (or done)
    session and never on a day that already has one: `count` days at most, none after `last_day`.

    A working day is one the therapist has hours and neither they nor the clinic are closed (the
    manager's closures and the public holidays, schedule.closures_load). The cadence runs across
    the whole course, the sessions already booked included:

    - consecutive days: every working day in a row;
    - N per week: at most N in each calendar week, the booked ones counted;
    - free: every other working day, one working day left out between two sessions.
    """
    booked = sorted(set(booked_days))
    day = max(first_day, booked[-1] + dt.timedelta(days=1)) if booked else first_day
    limit = day + dt.timedelta(days=count * 7 + 14)
    if last_day is not None:
        limit = min(limit, last_day)
    per_week: dict[tuple[int, int], int] = {}
    for booked_day in booked:
        week = booked_day.isocalendar()[:2]
        per_week[week] = per_week.get(week, 0) + 1
    previous = booked[-1] if booked else None
    days: list[dt.date] = []
    while len(days) < count and day <= limit:
        if schedule.works_on(therapist_id, day) and _keeps_cadence(
            course, day, previous, per_week, schedule, therapist_id
        ):
            days.append(day)
            week = day.isocalendar()[:2]
            per_week[week] = per_week.get(week, 0) + 1
            previous = day
        day += dt.timedelta(days=1)
    return days


def _keeps_cadence(course, day, previous, per_week, schedule, therapist_id) -> bool:
    if course.cadence == Cadence.PER_WEEK:
        return per_week.get(day.isocalendar()[:2], 0) < (course.sessions_per_week or 7)
    if course.cadence == Cadence.FREE and previous is not None:
        between = (previous + dt.timedelta(days=n) for n in range(1, (day - previous).days))
        return any(schedule.works_on(therapist_id, other) for other in between)
    return True


def course_booked_days(course: Course) -> list[dt.date]:
    """The local days of the course's sessions that count (booked, checked in, completed)."""
    starts = course.appointments.filter(status__in=COUNTED_STATUSES).values_list("starts_at", flat=True)
    return sorted({local_date(starts_at) for starts_at in starts})


def course_series_propose(
    *, course: Course, first_starts_at: dt.datetime, therapist: Therapist, room: Room
) -> list[PlannedSession]:
    """The rest of a course as a plan: the same wall-clock time on each date its cadence needs.

    The plan counts the sessions already booked or done, proposes only what is left up to the
    course's maximum, and starts after the last of them (series_dates). Each date carries its
    problems (the same checks a booking runs) and, when it fails, the nearest free alternative on
    a day the course does not use yet. Nothing is written. No date lies beyond the booking window.
    """
    remaining = course.max_sessions - course_sessions_counted(course=course)
    if remaining <= 0:
        return []
    booked_days = course_booked_days(course)
    first_day = local_date(first_starts_at)
    if booked_days:
        first_day = max(first_day, booked_days[-1] + dt.timedelta(days=1))
    _, last_day = BOOKING_WINDOW.bounds()
    if first_day > last_day:
        return []
    wall_clock = timezone.localtime(first_starts_at).time()
    length = dt.timedelta(minutes=course.session_minutes)
    horizon = min(first_day + dt.timedelta(days=remaining * 7 + 14 + ALTERNATIVE_SEARCH_DAYS), last_day)
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
        course=course,
        first_day=first_day,
        count=remaining,
        schedule=schedule,
        therapist_id=therapist.pk,
        booked_days=booked_days,
        last_day=horizon,
    )
    # Days the course already uses: booked, planned, or taken by an alternative.
    taken_days = set(booked_days) | set(days)
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
                session.alternative = _nearest_alternative(
                    schedule, session, therapists, rooms, length, taken_days - {day}, horizon
                )
                if session.alternative is not None:
                    taken_days.add(local_date(session.alternative.starts_at))
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


def _nearest_alternative(schedule, session, therapists, rooms, length, taken_days, last_day) -> Slot | None:
    """The free slot closest in time to the wanted one: the same therapist first, then anyone,
    on the same day or the following days (up to `last_day`) that the course does not use yet."""
    now = timezone.now()
    wanted_day = local_date(session.starts_at)
    for offset in range(ALTERNATIVE_SEARCH_DAYS + 1):
        day = wanted_day + dt.timedelta(days=offset)
        if day > last_day:
            break
        if day in taken_days:
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
