"""The manager's figures: utilisation, cancellations and no-shows, new patients, course
completion and drop-off, outcomes per modality and per diagnosis, busy hours; and today at a
glance with what needs the manager's action.

Every figure is counted by the database, grouped in the query, so a report costs the same few
queries for a week of a small practice and a year of a large one; the queries filter on
`starts_at` ranges, which the appointment indexes serve. Dates and hours are the clinic's local
ones (the extraction functions take its zone, on SQLite and PostgreSQL alike)."""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, DenseRank, RowNumber, TruncMonth
from django.db.models.lookups import GreaterThanOrEqual, IsNull, LessThan
from django.utils import timezone
from django.utils.translation import gettext

from clinic.models import Closure, Room, Therapist, WorkingHours
from outcomes.models import FUNCTION_CODE, PAIN_CODE, Measure
from patients.models import Diagnosis
from sessions.models import (
    OPEN_STATUSES,
    Appointment,
    AppointmentStatus,
    Course,
    CourseStatus,
    OutcomeScore,
    SessionNote,
)
from sessions.schedule import at_local


def reads_from() -> str:
    """The database the reports read: the replica in a block whose reads may lag (clinic.replica)."""
    return router.db_for_read(Appointment)


@contextmanager
def custom_plans() -> Iterator[None]:
    """Run the reports' queries in here: one read-only transaction on the database they read
    from, in which PostgreSQL plans each query for its own parameters. psycopg prepares a query
    the app has run five times on a connection (clinic/settings.py), and after five more runs
    PostgreSQL may switch to a generic plan, made without knowing the period: it expects a
    period of a few days, and for a year the new patients took twice as long (docs/PERFORMANCE.md).
    `SET LOCAL` ends with the transaction, so it holds behind a pooler in transaction mode too.
    One query; none elsewhere than on PostgreSQL."""
    alias = reads_from()
    connection = connections[alias]
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=alias):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        yield


# A course with no session for this long, and none booked, has dropped off.
DROP_OFF_AFTER = dt.timedelta(weeks=3)
OPEN_COURSE_STATUSES = [CourseStatus.PLANNED, CourseStatus.ACTIVE, CourseStatus.SUSPENDED]


@dataclass(frozen=True)
class ReportFilter:
    """What a report covers: a period of local days (both included) and, optionally, one
    therapist, one modality or one site (the sessions in its rooms; the working hours there)."""

    starts_on: dt.date
    ends_on: dt.date
    therapist_id: int | None = None
    modality_id: int | None = None
    location_id: int | None = None

    @property
    def start(self) -> dt.datetime:
        return at_local(self.starts_on, dt.time.min)

    @property
    def end(self) -> dt.datetime:
        """The first moment after the period (exclusive)."""
        return at_local(self.ends_on + dt.timedelta(days=1), dt.time.min)

    @property
    def days(self) -> list[dt.date]:
        return [self.starts_on + dt.timedelta(days=n) for n in range((self.ends_on - self.starts_on).days + 1)]

    def appointments(self):
        """The period's appointments (any status), narrowed by therapist and modality."""
        appointments = Appointment.objects.filter(starts_at__gte=self.start, starts_at__lt=self.end)
        if self.therapist_id:
            appointments = appointments.filter(therapist_id=self.therapist_id)
        if self.modality_id:
            appointments = appointments.filter(modality_id=self.modality_id)
        if self.location_id:
            appointments = appointments.filter(room__location_id=self.location_id)
        return appointments

    def courses(self, courses):
        """Courses of the filter's modality, and with a session with its therapist."""
        if self.modality_id:
            courses = courses.filter(modality_id=self.modality_id)
        if self.therapist_id:
            courses = courses.filter(
                Exists(Appointment.objects.filter(course_id=OuterRef("pk"), therapist_id=self.therapist_id))
            )
        if self.location_id:
            courses = courses.filter(
                Exists(Appointment.objects.filter(course_id=OuterRef("pk"), room__location_id=self.location_id))
            )
        return courses


def share(part, whole) -> Decimal | None:
    """`part` of `whole` in per cent, one decimal place; None when there is no whole."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def _share_of(part: str, whole: str) -> property:
    """A report row's field `part` as a share of its field `whole` (see share)."""
    return property(lambda row: share(getattr(row, part), getattr(row, whole)))


def _minutes(duration: dt.timedelta | None) -> int:
    return int(duration.total_seconds() // 60) if duration else 0


# Utilisation ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UseRow:
    name: str
    booked_minutes: int
    working_minutes: int

    @property
    def share(self) -> Decimal | None:
        return share(self.booked_minutes, self.working_minutes)

    @property
    def booked_hours(self) -> Decimal:
        return (Decimal(self.booked_minutes) / 60).quantize(Decimal("0.1"))

    @property
    def working_hours(self) -> Decimal:
        return (Decimal(self.working_minutes) / 60).quantize(Decimal("0.1"))


def _block_minutes(blocks) -> int:
    return sum((e.hour * 60 + e.minute) - (s.hour * 60 + s.minute) for s, e in blocks)


def _merged(blocks: list[tuple[dt.time, dt.time]]) -> list[tuple[dt.time, dt.time]]:
    merged: list[list[dt.time]] = []
    for start, end in sorted(blocks):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def working_minutes(
    *, therapists: list[Therapist], days: list[dt.date], location_id: int | None = None
) -> tuple[dict[int, int], dict[dt.date, int]]:
    """Each therapist's working minutes over `days` (their weekly hours minus the closures of the
    clinic and their own), and the clinic's open minutes each day (the span of anyone's hours
    that weekday, minus the clinic's closures): what a room could be used. With `location_id`,
    only the hours at that site. Two queries."""
    ids = [t.pk for t in therapists]
    hours: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    open_hours: dict[int, list] = defaultdict(list)
    blocks = WorkingHours.objects.filter(therapist__active=True)
    if location_id:
        blocks = blocks.filter(location_id=location_id)
    wanted_therapists = set(ids)
    for therapist_id, weekday, starts, ends in blocks.values_list("therapist_id", "weekday", "starts", "ends"):
        open_hours[weekday].append((starts, ends))
        if therapist_id in wanted_therapists:
            hours[therapist_id][weekday].append((starts, ends))
    # The closed days as sets, once: a year of 60 therapists asks about 22,000 (therapist, day)s.
    clinic_closed: set[dt.date] = set()
    own_closed: dict[int, set[dt.date]] = defaultdict(set)
    wanted = set(days)
    closures = Closure.objects.filter(starts_on__lte=days[-1], ends_on__gte=days[0]) if days else []
    for closure in closures:
        starts_on, ends_on = max(closure.starts_on, days[0]), min(closure.ends_on, days[-1])
        closed = {starts_on + dt.timedelta(days=n) for n in range((ends_on - starts_on).days + 1)} & wanted
        (clinic_closed if closure.therapist_id is None else own_closed[closure.therapist_id]).update(closed)
    # Each therapist's minutes per weekday, and the days the clinic is open of each weekday.
    open_days = Counter(day.weekday() for day in days if day not in clinic_closed)
    per_therapist = {}
    for pk in ids:
        minutes = {weekday: _block_minutes(blocks) for weekday, blocks in hours[pk].items()}
        own = sum(minutes.get(day.weekday(), 0) for day in own_closed.get(pk, ()) if day not in clinic_closed)
        per_therapist[pk] = sum(minutes.get(weekday, 0) * count for weekday, count in open_days.items()) - own
    open_minutes = {weekday: _block_minutes(_merged(blocks)) for weekday, blocks in open_hours.items()}
    per_day = {day: 0 if day in clinic_closed else open_minutes.get(day.weekday(), 0) for day in days}
    return per_therapist, per_day


def _booked_minutes(appointments) -> tuple[dict[int, int], dict[int, int]]:
    """Booked minutes per therapist and per room, from one pass over the period's sessions
    grouped by both (a few hundred pairs), added up here."""
    duration = ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField())
    rows = (
        appointments.exclude(status=AppointmentStatus.CANCELLED)
        .values_list("therapist_id", "room_id")
        .annotate(booked=Sum(duration))
        .order_by()
    )
    by_therapist: dict[int, dt.timedelta] = defaultdict(dt.timedelta)
    by_room: dict[int, dt.timedelta] = defaultdict(dt.timedelta)
    for therapist_id, room_id, booked in rows:
        by_therapist[therapist_id] += booked
        by_room[room_id] += booked
    return (
        {pk: _minutes(booked) for pk, booked in by_therapist.items()},
        {pk: _minutes(booked) for pk, booked in by_room.items()},
    )


def report_utilisation(*, scope: ReportFilter) -> dict[str, list[UseRow]]:
    """Booked minutes (every session not cancelled: a no-show kept the slot) over working minutes,
    per therapist and per room. Five queries."""
    therapists = Therapist.objects.select_related("user").filter(active=True)
    rooms = Room.objects.filter(active=True)
    if scope.therapist_id:
        therapists = Therapist.objects.select_related("user").filter(pk=scope.therapist_id)
    if scope.modality_id:
        therapists = therapists.filter(modalities=scope.modality_id)
        rooms = rooms.filter(modalities=scope.modality_id)
    if scope.location_id:
        therapists = therapists.filter(working_hours__location_id=scope.location_id).distinct()
        rooms = rooms.filter(location_id=scope.location_id)
    therapists, rooms = list(therapists), list(rooms)
    per_therapist, per_day = working_minutes(therapists=therapists, days=scope.days, location_id=scope.location_id)
    booked_by_therapist, booked_by_room = _booked_minutes(scope.appointments())
    clinic_minutes = sum(per_day.values())
    return {
        "therapists": [UseRow(str(t), booked_by_therapist.get(t.pk, 0), per_therapist[t.pk]) for t in therapists],
        "rooms": [UseRow(r.name, booked_by_room.get(r.pk, 0), clinic_minutes) for r in rooms],
    }


# Cancellations and no-shows ---------------------------------------------------------------------


@dataclass(frozen=True)
class CancellationRow:
    name: str
    booked: int  # every session booked for the period, whatever became of it
    cancelled_in_time: int
    cancelled_late: int
    no_shows: int

    in_time_share = _share_of("cancelled_in_time", "booked")
    late_share = _share_of("cancelled_late", "booked")
    no_show_share = _share_of("no_shows", "booked")


def report_cancellations(*, scope: ReportFilter) -> list[CancellationRow]:
    """Per therapist, and a last row for the whole clinic: sessions booked for the period,
    cancelled in time, cancelled late (within settings.CANCELLATION_NOTICE_HOURS of the start)
    and missed. A cancellation with no time recorded counts as in time. Two queries."""
    notice = dt.timedelta(hours=settings.CANCELLATION_NOTICE_HOURS)
    cancelled = Q(status=AppointmentStatus.CANCELLED)
    late = cancelled & Q(cancelled_at__gt=F("starts_at") - notice)
    rows = (
        scope.appointments()
        .values("therapist_id")
        .annotate(
            booked=Count("pk"),
            cancelled=Count("pk", filter=cancelled),
            late=Count("pk", filter=late),
            no_shows=Count("pk", filter=Q(status=AppointmentStatus.NO_SHOW)),
        )
        .order_by()
    )
    names = {t.pk: str(t) for t in Therapist.objects.select_related("user")}
    result = [
        CancellationRow(
            names.get(r["therapist_id"], "?"), r["booked"], r["cancelled"] - r["late"], r["late"], r["no_shows"]
        )
        for r in rows
    ]
    result.sort(key=lambda row: row.name)
    total = CancellationRow(
        gettext("Whole clinic"),
        sum(r.booked for r in result),
        sum(r.cancelled_in_time for r in result),
        sum(r.cancelled_late for r in result),
        sum(r.no_shows for r in result),
    )
    return [*result, total]


# New patients -----------------------------------------------------------------------------------


def report_new_patients(*, scope: ReportFilter) -> list[tuple[dt.date, int]]:
    """Patients whose first session (not cancelled) ever was in the period, per month (the
    first day of each month of the period, with 0 where none). With a therapist, a modality or
    a site, the first session had to be theirs. One query."""
    not_cancelled = ~Q(status=AppointmentStatus.CANCELLED)
    # Each patient's first session in the period (the window), kept if it is also their first
    # ever: one probe of the (patient, start) index per patient, not per session, whatever the
    # years of history (docs/PERFORMANCE.md, "Ninth round"). The filters apply to that first
    # session, outside the window: a patient first seen by another therapist is not new to this one.
    firsts = (
        ReportFilter(scope.starts_on, scope.ends_on)
        .appointments()
        .filter(not_cancelled)
        .annotate(nth=Window(RowNumber(), partition_by=F("patient_id"), order_by=(F("starts_at"), F("pk"))))
        .filter(nth=1)
    )
    first_start_ever = (
        Appointment.objects.filter(not_cancelled, patient_id=OuterRef("patient_id"))
        .order_by("starts_at")
        .values("starts_at")[:1]
    )
    zone = timezone.get_current_timezone()
    rows = (
        scope.appointments()
        .filter(pk__in=firsts.values("pk"), starts_at__lte=Subquery(first_start_ever))
        .annotate(month=TruncMonth("starts_at", tzinfo=zone))
        .values("month")
        .annotate(patients=Count("patient_id"))
        .order_by("month")
    )
    counts = {_as_date(r["month"]): r["patients"] for r in rows}
    months, day = [], scope.starts_on.replace(day=1)
    while day <= scope.ends_on:
        months.append((day, counts.get(day, 0)))
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


def _as_date(value) -> dt.date:
    return timezone.localtime(value).date() if isinstance(value, dt.datetime) else value


# Course completion and drop-off -----------------------------------------------------------------


@dataclass(frozen=True)
class CourseRow:
    name: str
    started: int
    completed: int  # closed having done at least the prescribed minimum
    closed_early: int  # closed or cancelled below the minimum
    dropped: int  # open, nothing booked, no session for three weeks
    ongoing: int

    @property
    def completed_share(self):
        return share(self.completed, self.started)

    @property
    def dropped_share(self):
        return share(self.closed_early + self.dropped, self.started)


def _sessions_done():
    """A course's sessions done: completed, with a signed note. The session's `note_signed` flag
    is set in the transaction that signs its note and a signed note never changes, so a flagged
    session is done without reading its note; the note decides only for the others (rows whose
    flag was never set). The flag sits in the course index, so counting reads the index alone."""
    signed_note = SessionNote.objects.filter(appointment_id=OuterRef("pk"), signed_at__isnull=False)
    return Subquery(
        Appointment.objects.filter(course_id=OuterRef("pk"), status=AppointmentStatus.COMPLETED)
        .filter(Q(note_signed=True) | Exists(signed_note))
        .order_by()
        .values("course_id")
        .annotate(n=Count("pk"))
        .values("n")
    )


# What became of a course, as report_courses sorts them ("" for still going).
_COMPLETED, _CLOSED_EARLY, _DROPPED = "completed", "closed_early", "dropped"


def report_courses(*, scope: ReportFilter, now: dt.datetime | None = None) -> list[CourseRow]:
    """The courses that started in the period, per modality, by what became of them (as of
    `now`): completed, closed below their minimum, dropped off (still open, nothing booked ahead,
    no session for three weeks), or still going. One query, and a last row for all of them.

    Each course is sorted by one CASE and counted per modality and outcome: its sessions done
    are counted once, where a COUNT ... FILTER for each outcome counted them again for each."""
    now = now or timezone.now()
    done = Coalesce(_sessions_done(), 0)
    last_session = Subquery(
        Appointment.objects.filter(course_id=OuterRef("pk"), starts_at__lte=now)
        .exclude(status=AppointmentStatus.CANCELLED)
        .order_by()
        .values("course_id")
        .annotate(last=Max("starts_at"))
        .values("last")
    )
    booked_ahead = Exists(
        Appointment.objects.filter(course_id=OuterRef("pk"), status__in=OPEN_STATUSES, starts_at__gt=now)
    )
    quiet_since = now - DROP_OFF_AFTER
    # Open and quiet: the last session three weeks ago or more (with none, the start).
    quiet = Q(LessThan(last_session, quiet_since)) | (
        Q(IsNull(last_session, True)) & Q(starts_on__lt=timezone.localtime(quiet_since).date())
    )
    dropped = Q(status__in=OPEN_COURSE_STATUSES) & ~Q(booked_ahead) & quiet
    closed = Q(status__in=[CourseStatus.COMPLETED, CourseStatus.CANCELLED])
    # Closed: completed with at least the minimum done, or closed early below it (a course
    # cancelled after its minimum is neither, and counts as still going).
    text = CharField()
    enough = Case(When(Q(status=CourseStatus.COMPLETED), then=Value(_COMPLETED)), default=Value(""), output_field=text)
    closed_as = Case(
        When(GreaterThanOrEqual(done, F("min_sessions")), then=enough), default=Value(_CLOSED_EARLY), output_field=text
    )
    outcome = Case(
        When(closed, then=closed_as),
        When(dropped, then=Value(_DROPPED)),
        default=Value(""),
        output_field=text,
    )
    courses = scope.courses(Course.objects.filter(starts_on__gte=scope.starts_on, starts_on__lte=scope.ends_on))
    rows = (
        courses.annotate(outcome=outcome)
        .values("modality__name", "outcome")
        .annotate(n=Count("pk"))
        .order_by("modality__name")
    )
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row["modality__name"], {})[row["outcome"]] = row["n"]
    result = []
    for name, by_outcome in counts.items():
        started = sum(by_outcome.values())
        completed, closed_early, dropped_off = (by_outcome.get(key, 0) for key in (_COMPLETED, _CLOSED_EARLY, _DROPPED))
        ongoing = started - completed - closed_early - dropped_off
        result.append(CourseRow(name, started, completed, closed_early, dropped_off, ongoing))
    fields = ("started", "completed", "closed_early", "dropped", "ongoing")
    total = CourseRow(gettext("All modalities"), *(sum(getattr(r, f) for r in result) for f in fields))
    return [*result, total]


# Outcomes ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeRow:
    """Courses with a session in the period: how the pain changed from the first session to
    the last, how the functional score changed from the first time to the latest, and how many
    courses reached each measure's MCID. `*_change` is the mean improvement (positive = better)."""

    name: str
    courses: int
    pain_courses: int
    pain_change: Decimal | None
    pain_reached: int
    function_courses: int
    function_change: Decimal | None
    function_reached: int

    pain_reached_share = _share_of("pain_reached", "pain_courses")
    function_reached_share = _share_of("function_reached", "function_courses")


def _improvement(first, last, measure: Measure | None):
    """The improvement: positive when the patient is better."""
    return last - first if measure is not None and measure.higher_is_better else first - last


def _mean(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.1"))


class _Change:
    """The courses of a group with a change of one measure known: how many, the mean
    improvement, and how many reached the MCID."""

    def __init__(self, mcid: Decimal):
        self.mcid = mcid
        self.courses = self.reached = 0
        self.total = Decimal(0)

    def add(self, gain: Decimal, courses: int = 1) -> None:
        """`courses` courses, each with the improvement `gain`."""
        self.courses += courses
        self.total += gain * courses
        self.reached += courses if gain >= self.mcid else 0

    @property
    def mean(self) -> Decimal | None:
        return _mean(self.total / self.courses) if self.courses else None


# What the outcomes are grouped by: the course's modality, or its diagnosis by ICD-10 code. The
# code is looked up per course, one index probe each: joined, PostgreSQL hashed every diagnosis
# ever recorded, and the year's page grew with the years of history (docs/PERFORMANCE.md,
# "Tenth round").
OUTCOME_GROUPS = {"modality": "modality__name", "diagnosis": "diagnosis_code"}


def report_outcomes(*, scope: ReportFilter, by: str = "modality") -> list[OutcomeRow]:
    """Outcomes per modality (`by="modality"`) or per diagnosis (`by="diagnosis"`, by ICD-10
    code) of the courses with a completed session in the period. The pain change runs from the
    pain before the first signed session to the pain after the last (sessions.course_progress
    counts the same way); the functional change from the first functional score to the latest,
    for courses scored at least twice. Two queries."""
    return report_outcomes_grouped(scope=scope, groupings=(by,))[by]


def report_outcomes_grouped(
    *, scope: ReportFilter, groupings: tuple[str, ...] = tuple(OUTCOME_GROUPS)
) -> dict[str, list[OutcomeRow]]:
    """report_outcomes for each of `groupings` (keys of OUTCOME_GROUPS) from the same two
    queries: the reports page shows the outcomes per modality and per diagnosis, and each
    course's figures are the same in both.

    Each course's first and last figures are read once, in one row per course, and summed up
    here: written as aggregates, the database worked out every subquery again inside each
    FILTER and AVG (about ten times per course; seconds for a year of a large practice). The
    first and last pain are the course's own copies (Course.first_pain), where looking up two
    notes per course was a third of the year's reports page. The rows come in the order of the
    first grouping's key; the others' groups are put in the order of theirs by the rank the
    database gives each key (its collation, not Python's, decides)."""
    measures = {m.code: m for m in Measure.objects.filter(code__in=[PAIN_CODE, FUNCTION_CODE])}
    pain, function = measures.get(PAIN_CODE), measures.get(FUNCTION_CODE)
    figures = {}
    if function is not None:
        scores = OutcomeScore.objects.filter(course_id=OuterRef("pk"), measure_id=function.pk)
        figures = {
            "first_score": Subquery(scores.order_by("recorded_at", "pk").values("score")[:1]),
            "last_score": Subquery(scores.order_by("-recorded_at", "-pk").values("score")[:1]),
            "scores": Subquery(scores.order_by().values("course_id").annotate(n=Count("pk")).values("n")),
        }
    keys = {by: OUTCOME_GROUPS[by] for by in groupings}
    ranks = {f"{by}_rank": Window(DenseRank(), order_by=F(keys[by]).asc()) for by in groupings[1:]}
    held = scope.appointments().filter(course_id=OuterRef("pk"), status=AppointmentStatus.COMPLETED)
    names = [*keys.values(), "first_pain", "last_pain", *figures, *ranks]
    courses = scope.courses(Course.objects.filter(Exists(held)))
    if "diagnosis" in keys:
        code = Diagnosis.objects.filter(pk=OuterRef("diagnosis_id")).values("icd10_code")
        courses = courses.annotate(diagnosis_code=Subquery(code))
    rows = courses.annotate(**figures, **ranks).order_by(keys[groupings[0]]).values_list(*names)
    at = {name: i for i, name in enumerate(names)}
    pain_mcid = pain.mcid if pain else Decimal(2)
    function_mcid = function.mcid if function else Decimal(2)
    groups: dict[str, dict] = {by: {} for by in groupings}
    # Thousands of courses, far fewer different rows (a pain score is 0 to 10): each different
    # row is worked out once, with the number of courses that have it.
    for row, n in Counter(rows).items():
        pain_gain = function_gain = None
        first_pain, last_pain = row[at["first_pain"]], row[at["last_pain"]]
        if first_pain is not None and last_pain is not None:
            pain_gain = _improvement(Decimal(first_pain), Decimal(last_pain), pain)
        if "scores" in at and (row[at["scores"]] or 0) >= 2:
            function_gain = _improvement(Decimal(row[at["first_score"]]), Decimal(row[at["last_score"]]), function)
        for by, key in keys.items():
            group = groups[by].get(row[at[key]])
            if group is None:
                rank = row[at[f"{by}_rank"]] if by != groupings[0] else None
                group = groups[by][row[at[key]]] = [0, _Change(pain_mcid), _Change(function_mcid), rank]
            group[0] += n
            if pain_gain is not None:
                group[1].add(pain_gain, n)
            if function_gain is not None:
                group[2].add(function_gain, n)
    result = {}
    for by in groupings:
        items = list(groups[by].items())
        if by != groupings[0]:
            items.sort(key=lambda item: item[1][3])
        result[by] = [
            OutcomeRow(name, courses, pain_change.courses, pain_change.mean, pain_change.reached,
                       function_change.courses, function_change.mean, function_change.reached)
            for name, (courses, pain_change, function_change, _) in items
        ]  # fmt: skip
    return result


# Busy hours -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BusyHours:
    """Sessions (not cancelled) starting in each hour of each weekday: counts[(weekday, hour)],
    weekday 0 = Monday, in the clinic's local time; `hours` spans the hours with any session."""

    counts: dict[tuple[int, int], int]
    hours: list[int]

    @property
    def busiest(self) -> int:
        return max(self.counts.values(), default=0)


def report_busy_hours(*, scope: ReportFilter) -> BusyHours:
    """One query. The sessions are counted per start time first, and only those counts are put
    in local weekdays and hours: converting every session's start to the local time and taking
    its weekday and hour was most of the query's time (a year: 96-147 ms against 39-56; sessions
    share their start times, about 11,000 for 79,000 sessions; docs/PERFORMANCE.md, "Tenth
    round"). Django's ORM cannot select from a grouped subquery, so the outer query is written
    here, with the database's own local weekday and hour from Django's backend."""
    starts = (
        scope.appointments()
        .exclude(status=AppointmentStatus.CANCELLED)
        .order_by()
        .values("starts_at")
        .annotate(sessions=Count("pk"))
    )
    connection = connections[starts.db]
    inner, params = starts.query.get_compiler(connection=connection).as_sql()
    zone = timezone.get_current_timezone_name()
    weekday, weekday_params = connection.ops.datetime_extract_sql("iso_week_day", "starts.starts_at", (), zone)
    hour, hour_params = connection.ops.datetime_extract_sql("hour", "starts.starts_at", (), zone)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {weekday}, {hour}, SUM(starts.sessions) FROM ({inner}) starts GROUP BY 1, 2",
            (*weekday_params, *hour_params, *params),
        )
        counts = {(int(weekday) - 1, int(hour)): int(sessions) for weekday, hour, sessions in cursor.fetchall()}
    hours = [h for _, h in counts]
    span = list(range(min(hours), max(hours) + 1)) if hours else list(range(8, 18))
    return BusyHours(counts, span)


# Today ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Today:
    sessions: int  # not cancelled
    checked_in: int  # arrived: checked in or already completed
    no_shows: int
    working_minutes: int
    booked_minutes: int

    @property
    def free_hours(self) -> Decimal:
        return (Decimal(max(self.working_minutes - self.booked_minutes, 0)) / 60).quantize(Decimal("0.1"))


def day_at_a_glance(*, day: dt.date) -> Today:
    """The clinic's day: sessions, arrivals, no-shows so far, and the working time still unbooked
    (every active therapist's hours that day, minus closures, minus the sessions booked). Four
    queries."""
    scope = ReportFilter(day, day)
    duration = ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField())
    figures = (
        scope.appointments()
        .exclude(status=AppointmentStatus.CANCELLED)
        .aggregate(
            sessions=Count("pk"),
            checked_in=Count("pk", filter=Q(status__in=[AppointmentStatus.CHECKED_IN, AppointmentStatus.COMPLETED])),
            no_shows=Count("pk", filter=Q(status=AppointmentStatus.NO_SHOW)),
            booked=Sum(duration),
        )
    )
    therapists = list(Therapist.objects.filter(active=True))
    per_therapist, _ = working_minutes(therapists=therapists, days=[day])
    return Today(
        figures["sessions"],
        figures["checked_in"],
        figures["no_shows"],
        sum(per_therapist.values()),
        _minutes(figures["booked"]),
    )
