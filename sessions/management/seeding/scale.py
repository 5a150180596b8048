"""Scale data for performance work: a large multi-site practice over several years.

`manage.py seed_scale` (see docs/PERFORMANCE.md) fills an empty database with therapists, rooms,
working hours, closures, patients with diagnoses, studies, phase records and health flags,
courses, and appointments: the past years held (completed with signed notes, some cancelled or
missed) and the coming weeks booked.

Everything comes from `random.Random(seed)` and `today`, so two runs on the same day give the
same rows, ids included. Rows are written with PostgreSQL's COPY (or plain INSERTs elsewhere),
not through the booking service, so the generator itself keeps the invariants the database
cannot check: each therapist's day is filled slot by slot inside their working hours, a room
is handed out only when it is free, a patient has one course at a time and at most one session
a day, and every future session belongs to a patient who is not acute (or is flagged for
review). The exclusion constraints check the rest on PostgreSQL.

A note on size: with 60 therapists the data cannot reach a million sessions in three years
(that would be some 22 sessions per therapist per working day); 20 rooms open 07:00-20:30 cap it
lower still. The defaults give about 255,000 appointments and 230,000 session notes.
"""

import datetime as dt
import heapq
import json
import random
import time
import unicodedata
from collections import deque
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from types import SimpleNamespace

from auditlog.models import LogEntry
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from clinic import roles
from clinic.catalogue import DEFAULT_MODALITIES
from clinic.models import Cadence, Closure, Location, Modality, Room, Therapist, WorkingHours
from clinic.public_holidays import public_holidays
from patients.models import Cause, Diagnosis, FlagKind, HealthFlag, Patient, Phase, PhaseRecord, Side, Study
from patients.names import name_fields
from sessions.course_progress import courses_pain_record
from sessions.management.seeding.demo import (
    ASSESSMENT,
    CARE_TIPS,
    DIAGNOSES,
    DOCTORS,
    HOME_TIPS,
    OBJECTIVE,
    OILS,
    PLAN,
    STOPPED_REASON,
    SUBJECTIVE_FIRST,
    SUBJECTIVE_LATER,
    TECHNIQUES,
    WAITLIST_MODELS,
)
from sessions.models import Addendum, Appointment, AppointmentStatus, Course, CourseStatus, SessionNote
from sessions.note_seal import SEAL_FIELD, SIGN, note_seal
from sessions.notes import appointments_note_signed_mark

SCALE_PASSWORD = "scale-password-2026"
RECEPTION_USERNAME = "scale.reception"
MANAGER_USERNAME = "scale.manager"
STEP = 15  # minutes: the booking page offers starts on a quarter-hour grid
# Plain strings: COPY would write a Python enum member by its name, not its value.
BOOKED, COMPLETED = AppointmentStatus.BOOKED.value, AppointmentStatus.COMPLETED.value
CANCELLED, NO_SHOW = AppointmentStatus.CANCELLED.value, AppointmentStatus.NO_SHOW.value
ACUTE, SUBACUTE, REMISSION = Phase.ACUTE.value, Phase.SUBACUTE.value, Phase.REMISSION.value
SIDES = [Side.LEFT.value, Side.LEFT.value, Side.RIGHT.value, Side.RIGHT.value, Side.BOTH.value]

# Early and late shifts on weekdays (two blocks each, a break between), and a Saturday morning
# for every fifth therapist: 60 therapists share 20 rooms from 07:00 to 20:30.
SHIFTS = [
    ((dt.time(7), dt.time(11)), (dt.time(11, 30), dt.time(14, 30))),
    ((dt.time(13, 30), dt.time(17)), (dt.time(17, 30), dt.time(20, 30))),
]
SATURDAY = (dt.time(8), dt.time(13))
CASELOAD = 16  # open courses a therapist carries at most
PAST_FILL, NEAR_FILL, FILL_DROP_PER_DAY, FAR_FILL = 0.93, 0.9, 0.035, 0.1
CANCELLED_SHARE, NO_SHOW_SHARE, STOPPED_COURSE_SHARE = 0.05, 0.03, 0.04
FLAGGED_SHARE = 0.004  # patients with future sessions who turned acute yesterday
# Tables with more rows than this load without their indexes and constraints (PostgreSQL).
BULK_LOAD_ROWS = 20_000
PORTAL_EVERY = 40  # one treated patient in this many has a portal login

MODALITY_WEIGHTS = {
    "Therapeutic massage": 34,
    "Vacuum (cupping) massage": 12,
    "Deep tissue massage": 10,
    "Acupressure": 10,
    "Swedish massage": 8,
    "Nerve massage": 8,
    "Myofascial release": 11,
    "Hot stone massage": 7,
}
CAUSE_WEIGHTS = {
    Cause.DISC_HERNIATION: 35,
    Cause.OSTEOCHONDROSIS: 20,
    Cause.SPINAL_STENOSIS: 12,
    Cause.PIRIFORMIS: 12,
    Cause.SPONDYLOLISTHESIS: 7,
    Cause.INJURY: 14,
}
AREAS = ["lumbar", "sacral", "gluteal", "thigh", "calf", "foot_heel"]
CANCEL_REASONS = [
    "Patient called in sick.",
    "Patient had to work; will call to rebook.",
    "Therapist ill; the patient was informed by phone.",
    "Childcare fell through.",
    "Travel delay; the patient could not make it.",
]
GOALS = [
    "Less pain when sitting; walk 30 minutes without leg pain.",
    "Sleep through the night; return to work without pain in the leg.",
    "Ease the muscle spasm in the lower back and the buttock.",
    "Reduce numbness in the foot; bend to tie shoes without pain.",
]
FIRST_NAMES = (
    "Anna Ben Clara David Elena Felix Greta Hannah Ida Jonas Katarina Leon Lina Lukas Maja Marek Maria Mehmet "
    "Mia Milan Nadia Niklas Noah Olga Oskar Paula Peter Rosa Sabine Sara Selin Sofia Stefan Tobias Ursula "
    "Valentina Viktor Wiebke Yusuf Zofia Ahmet Aylin Bettina Carlos Dorota Emil Fatma Gregor Helga Igor "
    "Julia Karim Laura Magnus Nina Omar Pia Rafael Svenja Theo Ulrich Vera Walter Xenia Yasmin Zeynep"
).split()
LAST_NAMES = (
    "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Richter Klein Wolf "
    "Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange Schmitt Werner Krause Meier "
    "Lehmann Schmid Schulze Maier Köhler Herrmann König Walter Mayer Huber Kaiser Fuchs Peters Lang Scholz "
    "Möller Weiß Jung Hahn Vogel Friedrich Keller Günther Frank Berger Winkler Roth Beck Lorenz Baumann "
    "Franke Albrecht Schuster Simon Ludwig Böhm Winter Kraus Martin Schumacher Krämer Vogt Stein Jäger Otto "
    "Sommer Groß Seidel Heinrich Brandt Haas Schreiber Graf Schulte Dietrich Ziegler Kuhn Kühn Pohl Engel "
    "Horn Busch Bergmann Thomas Voigt Sauer Arnold Wolff Pfeiffer Yılmaz Kaya Demir Şahin Çelik Nowak "
    "Kowalski Wiśniewski Wójcik Kowalczyk Popescu Rossi Russo Ferrari Novák Horváth Petrović Ivanova "
    "Kovalenko Haddad Nguyen Tran Papadopoulos Lindqvist Jansen Dubois Garcia Fernández Silva Okafor Mensah"
).split()
SUBSTANCES = ["lavender oil", "sweet almond oil", "eucalyptus oil", "tea tree oil", "peppermint oil"]
COLOURS = ["#2a9d8f", "#e76f51", "#8e44ad", "#d4a017", "#4c8bf5", "#c0392b", "#16a085", "#7f8c8d"]


def ascii_name(text: str) -> str:
    text = text.translate(str.maketrans({"ı": "i", "ł": "l", "ß": "ss", "ş": "s"}))
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


@dataclass(frozen=True)
class ScaleOptions:
    therapists: int = 60
    rooms: int = 20
    patients: int = 50_000
    years: float = 3.0
    seed: int = 1
    weeks_ahead: int = 4
    today: dt.date | None = None


# -- writing rows -------------------------------------------------------------------------------


class RowWriter:
    """Writes plain tuples into a model's table: COPY on PostgreSQL, INSERT batches elsewhere."""

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"
        self.quote = connection.ops.quote_name

    def next_id(self, model) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MAX({self.quote('id')}) FROM {self.quote(model._meta.db_table)}")
            return (cursor.fetchone()[0] or 0) + 1

    def insert(self, model, columns: list[str], rows) -> int:
        if not rows:
            return 0
        fields = [model._meta.get_field(name) for name in columns]
        # A column added to the model since this was written gets its default in every row.
        defaults = [f for f in model._meta.concrete_fields if f not in fields and not f.primary_key and not f.null]
        if defaults:
            fields += defaults
            extra = tuple(f.get_default() for f in defaults)
            rows = [(*row, *extra) for row in rows]
        table = self.quote(model._meta.db_table)
        names = ", ".join(self.quote(f.column) for f in fields)
        if self.postgres:
            json_at = [i for i, f in enumerate(fields) if f.get_internal_type() == "JSONField"]
            with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    if json_at:
                        row = list(row)
                        for i in json_at:
                            row[i] = json.dumps(row[i])
                    copy.write_row(row)
            return len(rows)
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(fields))})"
        prepared = [tuple(f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)) for row in rows]
        with connection.cursor() as cursor:
            for start in range(0, len(prepared), 500):
                cursor.executemany(sql, prepared[start : start + 500])
        return len(rows)

    @contextmanager
    def bulk_load(self, model, rows: int):
        """On PostgreSQL, a big table loads much faster without its indexes and constraints: COPY
        then builds each index in one sort and checks each foreign key and exclusion constraint
        with one query, instead of row by row (deferred foreign keys would all fire at COMMIT).
        They come back under the same names and definitions, in the same transaction."""
        if not self.postgres or rows < BULK_LOAD_ROWS:
            yield
            return
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('f', 'u', 'x') ORDER BY conname",
                [table],
            )
            constraints = cursor.fetchall()
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) ORDER BY i.relname",
                [table],
            )
            indexes = cursor.fetchall()
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for name, _ in constraints:
                cursor.execute(f"ALTER TABLE {self.quote(table)} DROP CONSTRAINT {self.quote(name)}")
            for name, _ in indexes:
                cursor.execute(f"DROP INDEX {self.quote(name)}")
            yield
            for _, definition in indexes:
                cursor.execute(definition)
            for name, definition in constraints:
                cursor.execute(f"ALTER TABLE {self.quote(table)} ADD CONSTRAINT {self.quote(name)} {definition}")

    def reset_sequences(self, models) -> None:
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)


# -- what the simulation keeps track of --------------------------------------------------------


@dataclass
class _Patient:
    id: int
    index: int
    first_name: str
    last_name: str
    email: str
    side: str
    oil_allergy: bool
    busy_day: dt.date | None = None
    in_course: bool = False
    courses: int = 0
    first_day: dt.date | None = None
    diagnosis: tuple | None = None  # (id, code, title) of the latest diagnosis
    future: list = field(default_factory=list)  # rows of booked sessions ahead


@dataclass
class _Therapist:
    id: int
    user_id: int
    name: str
    modalities: list
    hours: dict  # weekday -> [(start minute, end minute)]
    site: int = 0  # index into ScaleSeeder.site_ids: where all of the therapist's hours are
    off: set = field(default_factory=set)
    caseload: list = field(default_factory=list)


@dataclass
class _Course:
    row: list
    patient: _Patient
    therapist: _Therapist
    modality: Modality
    target: int
    gap: int
    stop_after: int | None
    diagnosis: tuple
    pain: float
    counted: int = 0
    held: int = 0
    last_day: dt.date | None = None
    week: tuple | None = None
    in_week: int = 0

    def due(self, day: dt.date) -> bool:
        if self.last_day is None:
            return True
        if self.last_day == day:
            return False
        if self.modality.cadence == Cadence.CONSECUTIVE_DAYS:
            return True
        if self.modality.cadence == Cadence.PER_WEEK:
            return day.isocalendar()[:2] != self.week or self.in_week < (self.modality.sessions_per_week or 7)
        return (day - self.last_day).days >= self.gap


def _minutes(value: dt.time) -> int:
    return value.hour * 60 + value.minute


def _round_up(minutes: int) -> int:
    return -(-minutes // STEP) * STEP


class ScaleSeeder:
    """Builds every row in memory (a few hundred MB at the defaults), then writes table by table."""

    def __init__(self, options: ScaleOptions, log=None):
        self.o = options
        self.log = log or (lambda message: None)
        self.rng = random.Random(options.seed)
        self.today = options.today or timezone.localdate()
        self.first_day = self.today - dt.timedelta(days=round(options.years * 365.25))
        self.last_day = self.today + dt.timedelta(days=7 * options.weeks_ahead - 1)
        self.writer = RowWriter()
        self.rows: dict = {}
        self._day_base: dict[dt.date, dt.datetime] = {}

    # -- helpers ------------------------------------------------------------------------------

    def at(self, day: dt.date, minutes: int) -> dt.datetime:
        """The UTC moment of a local wall-clock time. Clocks change at night, so the offset at
        noon holds for the whole working day."""
        base = self._day_base.get(day)
        if base is None:
            noon = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
            base = (noon - dt.timedelta(hours=12)).astimezone(dt.UTC)
            self._day_base[day] = base
        return base + dt.timedelta(minutes=minutes)

    def table(self, model, columns: str) -> list:
        rows: list = []
        self.rows[model] = (columns.split(), rows)
        return rows

    def ids(self, model) -> "IdCounter":
        return IdCounter(self.writer.next_id(model))

    # -- the run ------------------------------------------------------------------------------

    def run(self) -> dict[str, int]:
        started = time.monotonic()
        with transaction.atomic():
            self._modalities()
            self._users_and_staff()
            self._sites()
            self._therapists()
            self._rooms()
            self._closures()
            self._patients()
            self._simulate()
            self._finish_courses()
            self._flag_acute()
            self._untreated_diagnoses()
            self._patient_rows()
            self._portal_users()
            self._hash_signed_notes()
            self.log(f"generated in {time.monotonic() - started:.1f} s")
            return self._write()

    def _modalities(self) -> None:
        for defaults in DEFAULT_MODALITIES:
            values = dict(defaults)
            Modality.objects.get_or_create(name=values.pop("name"), defaults=values)
        self.modalities = list(Modality.objects.filter(active=True).order_by("pk"))
        self.therapeutic = next(m for m in self.modalities if m.name == "Therapeutic massage")

    def _users_and_staff(self) -> None:
        self.user_ids = self.ids(User)
        self.groups = {g.name: g.pk for g in Group.objects.filter(name__in=roles.ROLES)}
        missing = set(roles.ROLES) - set(self.groups)
        if missing:
            raise ValueError(f"The role groups are missing ({', '.join(sorted(missing))}); run migrate first.")
        salt = "".join(self.rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(22))
        self.password = make_password(SCALE_PASSWORD, salt=salt)
        self.users = self.table(
            User, "id password is_superuser username first_name last_name email is_staff is_active date_joined"
        )
        self.user_groups = self.table(User.groups.through, "user_id group_id")
        joined = self.at(self.first_day, 8 * 60)
        self.reception_id = self._user(RECEPTION_USERNAME, "Petra", "Sommer", roles.RECEPTIONIST, joined)
        self.manager_id = self._user(MANAGER_USERNAME, "Karin", "Albrecht", roles.MANAGER, joined, is_staff=True)

    def _user(self, username, first, last, role, joined, email="", is_staff=False) -> int:
        user_id = self.user_ids.take()
        email = email or f"{username}@example.org"
        self.users.append((user_id, self.password, False, username, first, last, email, is_staff, True, joined))
        self.user_groups.append((user_id, self.groups[role]))
        return user_id

    def _sites(self) -> None:
        """Three sites (fewer with fewer than three rooms): each room at one, each therapist's
        hours at one, taken in turn."""
        count = max(1, min(len(SITES), self.o.rooms))
        self.site_ids = [Location.objects.get_or_create(name=name, defaults={"address": address})[0].pk
                         for name, address in SITES[:count]]  # fmt: skip

    def _therapists(self) -> None:
        rng, ids = self.rng, self.ids(Therapist)
        rows = self.table(Therapist, "id user_id calendar_colour active")
        links = self.table(Therapist.modalities.through, "therapist_id modality_id")
        hours = self.table(WorkingHours, "therapist_id weekday starts ends location_id")
        joined = self.at(self.first_day, 8 * 60)
        others = [m for m in self.modalities if m != self.therapeutic]
        self.therapists: list[_Therapist] = []
        for index in range(self.o.therapists):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            user_id = self._user(f"scale.therapist{index + 1:02d}", first, last, roles.THERAPIST, joined)
            therapist_id = ids.take()
            rows.append((therapist_id, user_id, COLOURS[index % len(COLOURS)], True))
            # Everyone gives the classic massage, so "any therapist" really means all of them.
            qualified = [self.therapeutic, *rng.sample(others, k=min(len(others), rng.randint(3, 5)))]
            qualified.sort(key=lambda m: m.pk)
            links.extend((therapist_id, m.pk) for m in qualified)
            blocks = {}
            for weekday in range(5):
                blocks[weekday] = [(_minutes(s), _minutes(e)) for s, e in SHIFTS[index % 2]]
            if index % 5 == 4:
                blocks[5] = [(_minutes(SATURDAY[0]), _minutes(SATURDAY[1]))]
            site = index % len(self.site_ids)
            for weekday, day_blocks in blocks.items():
                for starts, ends in day_blocks:
                    hours.append((therapist_id, weekday, _time(starts), _time(ends), self.site_ids[site]))
            name = f"{first} {last}"
            self.therapists.append(_Therapist(therapist_id, user_id, name, qualified, blocks, site=site))

    def _rooms(self) -> None:
        ids = self.ids(Room)
        rows = self.table(Room, "id name active location_id")
        links = self.table(Room.modalities.through, "room_id modality_id")
        self.room_ids: list[int] = []
        self.room_site: list[int] = []  # each room's index into site_ids
        self.rooms_for: dict[int, list[int]] = {m.pk: [] for m in self.modalities}
        for index in range(self.o.rooms):
            room_id = ids.take()
            site = index % len(self.site_ids)
            rows.append((room_id, f"Room {index + 1:02d}", True, self.site_ids[site]))
            self.room_site.append(site)
            self.room_ids.append(room_id)
            for modality in self.modalities:
                # Stones and cupping sets are kept in some rooms only.
                if modality.name == "Hot stone massage" and index % 4:
                    continue
                if modality.name == "Vacuum (cupping) massage" and index % 2:
                    continue
                links.append((room_id, modality.pk))
                self.rooms_for[modality.pk].append(index)

    def _closures(self) -> None:
        rows = self.table(Closure, "starts_on ends_on reason therapist_id")
        self.clinic_closed: set[dt.date] = set()
        # Public holidays close the clinic without a row (sessions.schedule.closures_load).
        self.clinic_closed.update(public_holidays(self.first_day, self.last_day))
        for therapist in self.therapists:
            for year in range(self.first_day.year, self.last_day.year + 1):
                monday = dt.date.fromisocalendar(year, self.rng.randint(2, 50), 1)
                ends_on = monday + dt.timedelta(days=11)
                rows.append((monday, ends_on, "Annual leave", therapist.id))
                therapist.off.update(monday + dt.timedelta(days=i) for i in range(12))

    def _patients(self) -> None:
        rng, ids = self.rng, self.ids(Patient)
        self.patients: list[_Patient] = []
        self.flags = self.table(
            HealthFlag, "patient_id kind substance active_from active_to note recorded_by_id created_at"
        )
        for index in range(self.o.patients):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            patient_id = ids.take()
            email = f"{ascii_name(first)}.{ascii_name(last)}.{patient_id}@example.net" if rng.random() < 0.7 else ""
            side = rng.choice(SIDES)
            oil_allergy = rng.random() < 0.03
            self.patients.append(_Patient(patient_id, index, first, last, email, side, oil_allergy))
        self.queue = deque()

    def _next_patient(self, day: dt.date) -> _Patient | None:
        for _ in range(50):
            if not self.queue:
                order = list(range(len(self.patients)))
                self.rng.shuffle(order)
                self.queue.extend(order)
            patient = self.patients[self.queue.popleft()]
            if not patient.in_course and patient.busy_day != day:
                return patient
            self.queue.append(patient.index)
        return None

    # -- the days -------------------------------------------------------------------------------

    def _simulate(self) -> None:
        self.course_ids, self.appointment_ids = self.ids(Course), self.ids(Appointment)
        # Above every note id the audit log has seen: after --flush the log keeps the old notes'
        # entries (it is append-only), and a new note under an old id would inherit their seals.
        logged = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(SessionNote)).aggregate(
            top=Max("object_id")
        )["top"]
        self.diagnosis_ids = self.ids(Diagnosis)
        self.note_ids = IdCounter(max(self.writer.next_id(SessionNote), (logged or 0) + 1))
        self.courses = self.table(
            Course,
            "id patient_id diagnosis_id modality_id prescribed_by_id min_sessions max_sessions session_minutes "
            "cadence sessions_per_week starts_on status goals home_programme discharge_summary created_at updated_at",
        )
        self.appointments = self.table(
            Appointment,
            "id patient_id course_id modality_id therapist_id room_id starts_at ends_at status needs_review "
            "review_reason booked_by_id cancellation_reason cancelled_at checked_in_at reminder_sent_at "
            "created_at updated_at",
        )
        self.notes = self.table(
            SessionNote,
            "id appointment_id author_id pain_before pain_after areas_treated techniques oils_used minutes "
            "stopped_early stopped_early_reason subjective objective assessment plan patient_summary signed_at "
            "signed_by_id created_at updated_at",
        )
        self.addenda = self.table(Addendum, "note_id author_id text created_at")
        self.diagnoses = self.table(
            Diagnosis, "id patient_id icd10_code title cause side diagnosed_on diagnosed_by active created_at"
        )
        self.studies = self.table(Study, "diagnosis_id kind performed_on findings")
        self.phases = self.table(PhaseRecord, "diagnosis_id phase effective_from recorded_by_id recorded_at note")
        self.open_courses: list[_Course] = []
        day = self.first_day
        while day <= self.last_day:
            if day not in self.clinic_closed:
                self._day(day)
            day += dt.timedelta(days=1)

    def _fill(self, day: dt.date) -> float:
        if day < self.today:
            return PAST_FILL
        return max(FAR_FILL, NEAR_FILL - FILL_DROP_PER_DAY * (day - self.today).days)

    def _day(self, day: dt.date) -> None:
        """One day, all therapists at once in time order, so rooms go to whoever is free first."""
        weekday, fill = day.weekday(), self._fill(day)
        room_free = [0] * len(self.room_ids)
        heap, due = [], {}
        for index, therapist in enumerate(self.therapists):
            blocks = therapist.hours.get(weekday)
            if blocks and day not in therapist.off:
                due[index] = [c for c in therapist.caseload if c.due(day)]
                heap.append((blocks[0][0], index, 0))
        heapq.heapify(heap)
        while heap:
            t, index, block = heapq.heappop(heap)
            therapist = self.therapists[index]
            blocks = therapist.hours[weekday]
            ends = blocks[block][1]
            if t + 20 > ends:  # nothing fits any more: on to the next block, if any
                if block + 1 < len(blocks):
                    heapq.heappush(heap, (blocks[block + 1][0], index, block + 1))
                continue
            if self.rng.random() > fill:  # nobody booked this hour: a gap that stays free
                heapq.heappush(heap, (t + 3 * STEP, index, block))
                continue
            course = self._pick(therapist, due[index], day, ends - t)
            if course is None:
                if block + 1 < len(blocks):
                    heapq.heappush(heap, (blocks[block + 1][0], index, block + 1))
                continue
            # Only the rooms at the site of the therapist's hours (a booking check refuses others).
            suitable = [r for r in self.rooms_for[course.modality.pk] if self.room_site[r] == therapist.site]
            if not suitable:  # nothing at this site is set up for it: the course waits
                due[index].append(course)
                if block + 1 < len(blocks):
                    heapq.heappush(heap, (blocks[block + 1][0], index, block + 1))
                continue
            room = next((r for r in suitable if room_free[r] <= t), None)
            if room is None:
                due[index].insert(0, course)
                heapq.heappush(heap, (_round_up(max(t + STEP, min(room_free[r] for r in suitable))), index, block))
                continue
            length = course.row[7]
            reused = self._session(course, day, t, length, self.room_ids[room])
            if not reused:
                room_free[room] = t + length
                t = _round_up(t + length)
            heapq.heappush(heap, (t, index, block))

    def _pick(self, therapist: _Therapist, due: list, day: dt.date, room_left: int) -> "_Course | None":
        for position, course in enumerate(due):
            if course.row[7] <= room_left and course.patient.busy_day != day:
                return due.pop(position)
        if len(therapist.caseload) >= CASELOAD:
            return None
        course = self._new_course(therapist, day)
        if course is None or course.row[7] > room_left:
            return None
        return course

    # -- courses and their sessions ---------------------------------------------------------------

    def _new_course(self, therapist: _Therapist, day: dt.date) -> _Course | None:
        patient = self._next_patient(day)
        if patient is None:
            return None
        rng = self.rng
        choices = [m for m in therapist.modalities if not (patient.oil_allergy and m.uses_oils)] or [self.therapeutic]
        modality = rng.choices(choices, weights=[MODALITY_WEIGHTS.get(m.name, 5) for m in choices])[0]
        # A new diagnosis starts with an acute phase, which must not reach back over sessions the
        # patient already had: right after an earlier course, it is the same diagnosis again.
        since_last = (day - patient.busy_day).days if patient.busy_day else 365
        diagnosis = patient.diagnosis if patient.diagnosis and (rng.random() < 0.3 or since_last < 12) else None
        if diagnosis is None:
            diagnosis = self._diagnosis(patient, day, therapist, not_before=day - dt.timedelta(days=since_last - 1))
        target = rng.randint(modality.course_min_sessions, modality.course_max_sessions)
        stop_after = rng.randint(1, target - 1) if target > 1 and rng.random() < STOPPED_COURSE_SHARE else None
        created = self.at(day - dt.timedelta(days=1), 12 * 60)
        row = [
            self.course_ids.take(),
            patient.id,
            diagnosis[0],
            modality.pk,
            therapist.user_id,
            modality.course_min_sessions,
            modality.course_max_sessions,
            modality.session_minutes,
            modality.cadence,
            modality.sessions_per_week,
            day,
            CourseStatus.ACTIVE.value,
            rng.choice(GOALS),
            "",
            "",
            created,
            created,
        ]
        self.courses.append(row)
        course = _Course(row, patient, therapist, modality, target, rng.randint(2, 4), stop_after, diagnosis, 0)
        course.pain = rng.uniform(5.5, 8.5)
        patient.in_course = True
        patient.courses += 1
        patient.first_day = patient.first_day or day
        therapist.caseload.append(course)
        return course

    def _diagnosis(self, patient: _Patient, day: dt.date, therapist: _Therapist, not_before=None) -> tuple:
        """A doctor's diagnosis some weeks before the course, with its studies, and the phases
        that lead from acute to subacute before the first session."""
        rng = self.rng
        cause = rng.choices(list(CAUSE_WEIGHTS), weights=list(CAUSE_WEIGHTS.values()))[0]
        code, title, studies = DIAGNOSES[cause]
        diagnosed_on = max(day - dt.timedelta(days=rng.randint(10, 45)), not_before or dt.date.min)
        diagnosis_id = self.diagnosis_ids.take()
        self.diagnoses.append(
            (
                diagnosis_id,
                patient.id,
                code,
                title,
                cause.value,
                patient.side,
                diagnosed_on,
                rng.choice(DOCTORS),
                True,
                self.at(diagnosed_on, 12 * 60),
            )
        )
        side = Side(patient.side).label.lower()
        for kind, findings in studies:
            performed = diagnosed_on - dt.timedelta(days=rng.randint(0, 7))
            self.studies.append((diagnosis_id, kind.value, performed, findings.format(side=side)))
        acute = self.at(diagnosed_on, 10 * 60)
        self.phases.append((diagnosis_id, ACUTE, acute, therapist.user_id, acute, "Exacerbation at diagnosis."))
        subacute = self.at(day - dt.timedelta(days=rng.randint(1, 7)), 9 * 60)
        self.phases.append((diagnosis_id, SUBACUTE, subacute, therapist.user_id, subacute, ""))
        remission_day = day + dt.timedelta(days=rng.randint(14, 35))
        if remission_day < self.today:
            remission = self.at(remission_day, 9 * 60)
            self.phases.append((diagnosis_id, REMISSION, remission, therapist.user_id, remission, ""))
        patient.diagnosis = (diagnosis_id, code, title)
        return patient.diagnosis

    def _session(self, course: _Course, day: dt.date, t: int, length: int, room_id: int) -> bool:
        """Write one appointment (and its note when held); True when it was cancelled and its
        slot went back to the pool."""
        rng, patient = self.rng, course.patient
        starts_at, ends_at = self.at(day, t), self.at(day, t + length)
        status, reused = BOOKED, False
        if day < self.today:
            draw = rng.random()
            if draw < CANCELLED_SHARE:
                status, reused = CANCELLED, rng.random() < 0.5
            elif draw < CANCELLED_SHARE + NO_SHOW_SHARE:
                status = NO_SHOW
            else:
                status = COMPLETED
        booked_at = starts_at - dt.timedelta(days=rng.randint(1, 14), minutes=rng.randint(0, 600))
        cancelled = status == CANCELLED
        held = status == COMPLETED
        row = [
            self.appointment_ids.take(),
            patient.id,
            course.row[0],
            course.modality.pk,
            course.therapist.id,
            room_id,
            starts_at,
            ends_at,
            status,
            False,
            "",
            self.reception_id,
            rng.choice(CANCEL_REASONS) if cancelled else "",
            starts_at - dt.timedelta(hours=rng.randint(2, 30)) if cancelled else None,
            starts_at - dt.timedelta(minutes=5) if held else None,
            starts_at - dt.timedelta(hours=20) if day < self.today and not cancelled else None,
            booked_at,
            ends_at if day < self.today else booked_at,
        ]
        self.appointments.append(row)
        patient.busy_day = day
        course.last_day = day
        week = day.isocalendar()[:2]
        course.in_week = course.in_week + 1 if week == course.week else 1
        course.week = week
        if status == BOOKED:
            patient.future.append(row)
        if not cancelled and status != NO_SHOW:
            course.counted += 1
        if held:
            course.held += 1
            self._note(course, row, day)
        stopped = course.stop_after is not None and course.held >= course.stop_after and day < self.today
        if course.counted >= course.target or stopped:
            self._close(course, stopped)
        return reused

    def _close(self, course: _Course, stopped: bool) -> None:
        course.therapist.caseload.remove(course)
        course.patient.in_course = False
        row = course.row
        if stopped:
            row[11] = CourseStatus.CANCELLED.value
            row[14] = "The patient stopped coming before the course was finished."
        elif course.last_day < self.today:
            row[11] = CourseStatus.COMPLETED.value
            row[14] = (
                f"{course.held} sessions held; pain eased from {round(course.pain + 0.4 * course.held)} "
                f"to about {round(course.pain)}. {self.rng.choice(HOME_TIPS)}"
            )
        row[16] = self.at(course.last_day, 19 * 60)

    def _note(self, course: _Course, appointment: list, day: dt.date) -> None:
        rng, index = self.rng, course.held - 1
        pain_before = max(0, min(10, round(course.pain + rng.uniform(-0.7, 0.7))))
        pain_after = max(0, pain_before - rng.choice([1, 1, 2, 2, 3]))
        course.pain = max(1.0, course.pain - rng.uniform(0.2, 0.6))
        side = Side(course.patient.side).label.lower()
        where = ["left", "right"] if course.patient.side == Side.BOTH else [course.patient.side]
        areas = [f"{area}:{w}" for area in AREAS[: rng.randint(3, 6)] for w in where]
        stopped = rng.random() < 0.008
        ends_at = appointment[7]
        signed_at = ends_at + dt.timedelta(minutes=rng.randint(5, 90))
        draft = day >= self.today - dt.timedelta(days=2) and rng.random() < 0.15
        if draft:
            signed_at = None
        user_id = course.therapist.user_id
        tips = HOME_TIPS if index >= 3 else CARE_TIPS
        note_id = self.note_ids.take()
        self.notes.append(
            (
                note_id,
                appointment[0],
                user_id,
                pain_before,
                pain_after,
                areas,
                TECHNIQUES.get(course.modality.name, course.modality.name),
                rng.choice(OILS) if course.modality.uses_oils else "",
                course.row[7] // 2 if stopped else course.row[7],
                stopped,
                STOPPED_REASON if stopped else "",
                (SUBJECTIVE_FIRST if index == 0 else rng.choice(SUBJECTIVE_LATER)).format(side=side),
                OBJECTIVE[min(index // 3, len(OBJECTIVE) - 1)].format(side=side),
                rng.choice(ASSESSMENT),
                rng.choice(PLAN),
                f"Session {index + 1}: pain {pain_before} before, {pain_after} after. {rng.choice(tips)}",
                signed_at,
                None if draft else user_id,
                ends_at,
                signed_at or ends_at,
            )
        )
        if not draft and rng.random() < 0.002:
            text = "Addendum: the patient reported the next day that the leg pain stayed lower for two days."
            self.addenda.append((note_id, user_id, text, signed_at + dt.timedelta(days=1)))

    # -- after the last day -------------------------------------------------------------------------

    def _finish_courses(self) -> None:
        for therapist in self.therapists:
            for course in therapist.caseload:
                course.row[16] = self.at(course.last_day or self.today, 19 * 60)
                if course.last_day is None:
                    course.row[11] = CourseStatus.PLANNED.value

    def _flag_acute(self) -> None:
        """A few patients with sessions ahead turned acute yesterday: their sessions wait for
        reception to review them, as the phase record would have flagged them (invariant 6)."""
        # In the evening, after the day's other phase records (morning ones); and only for a
        # diagnosis with no phase recorded after it, or that phase, not the flare-up, would be the
        # current one (a remission recorded the same morning once outranked it, on some days).
        when = self.at(self.today - dt.timedelta(days=1), 18 * 60)
        latest: dict[int, dt.datetime] = {}
        for diagnosis_id, _, effective_from, *_ in self.phases:
            latest[diagnosis_id] = max(latest.get(diagnosis_id, effective_from), effective_from)
        ahead = [p for p in self.patients if p.future and p.diagnosis and latest[p.diagnosis[0]] < when]
        count = max(1, round(len(ahead) * FLAGGED_SHARE)) if ahead else 0
        for patient in self.rng.sample(ahead, k=count):
            diagnosis_id, code, title = patient.diagnosis
            course_row = next(
                row for row in self.courses if row[1] == patient.id and row[11] == CourseStatus.ACTIVE.value
            )
            self.phases.append((diagnosis_id, ACUTE, when, course_row[4], when, "Flare-up; medication restarted."))
            reason = (
                f"Review: Acute phase of {code} {title} recorded on "
                f"{self.today - dt.timedelta(days=1):%d %B %Y}; massage is refused until a subacute or "
                "remission phase is recorded."
            )[:300]
            for row in patient.future:
                row[9], row[10] = True, reason

    def _untreated_diagnoses(self) -> None:
        """Some registered patients were diagnosed but never treated: half of them acute now."""
        doctor_user = self.therapists[0].user_id
        for patient in self.patients:
            if patient.first_day is None and self.rng.random() < 0.2:
                day = self.first_day + dt.timedelta(days=self.rng.randint(0, (self.today - self.first_day).days))
                patient.first_day = day
                diagnosis_id, code, title = self._diagnosis(patient, day, self.therapists[0])
                if self.rng.random() < 0.5:
                    # The generic history ends subacute; make the latest record acute again.
                    when = self.at(day, 11 * 60)
                    self.phases.append((diagnosis_id, ACUTE, when, doctor_user, when, ""))

    def _patient_rows(self) -> None:
        rng = self.rng
        self.patient_rows = self.table(
            Patient,
            "id first_name last_name date_of_birth phone email user_id consent_on created_at updated_at "
            "search_name sort_last_name sort_first_name",
        )
        span = (self.today - self.first_day).days
        for patient in self.patients:
            registered = (patient.first_day or self.first_day + dt.timedelta(days=rng.randint(0, span))) - (
                dt.timedelta(days=rng.randint(0, 30))
            )
            born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randint(0, 65 * 365))
            phone = f"+49 {rng.choice(['30', '40', '89', '221', '69'])} {rng.randint(1000000, 99999999)}"
            created = self.at(registered, 10 * 60)
            self.patient_rows.append(
                [patient.id, patient.first_name, patient.last_name, born, phone, patient.email, None, registered]
                + [created, created]
                # The insert bypasses Patient.save, which derives these.
                + list(name_fields(patient.first_name, patient.last_name).values())
            )
            self._health_flags(patient, registered, created)

    def _health_flags(self, patient: _Patient, registered: dt.date, created: dt.datetime) -> None:
        rng, recorder = self.rng, self.therapists[patient.index % len(self.therapists)].user_id
        if patient.oil_allergy:
            substance = rng.choice(SUBSTANCES)
            self.flags.append(
                (patient.id, FlagKind.OIL_ALLERGY.value, substance, registered, None, "", recorder, created)
            )
        if rng.random() < 0.08:
            self.flags.append((patient.id, FlagKind.HYPERTENSION.value, "", registered, None, "", recorder, created))
        if rng.random() < 0.02:
            ended = registered + dt.timedelta(days=rng.randint(10, 60))
            note = "Eczema on the lower back."
            self.flags.append(
                (patient.id, FlagKind.SKIN_CONDITION.value, "", registered, ended, note, recorder, created)
            )
        if rng.random() < 0.01:
            self.flags.append((patient.id, FlagKind.RECENT_SURGERY.value, "", registered, None, "", recorder, created))

    def _portal_users(self) -> None:
        """Portal logins for some treated patients, those with sessions ahead first."""
        treated = [p for p in self.patients if p.email and p.courses and p.future]
        treated += [p for p in self.patients if p.email and p.courses and not p.future]
        chosen = sorted(treated[::PORTAL_EVERY], key=lambda p: p.id)
        rows = {row[0]: row for row in self.patient_rows}
        for patient in chosen:
            joined = rows[patient.id][8]
            user_id = self._user(
                patient.email, patient.first_name, patient.last_name, roles.PATIENT, joined, email=patient.email
            )
            rows[patient.id][6] = user_id

    def _hash_signed_notes(self) -> None:
        """A signed note carries the seal of what was signed (sessions.note_seal), and the audit
        log the entry that records it, as if it had been signed in the app."""
        columns, rows = self.rows[SessionNote]
        columns.append("content_hash")
        appointment_columns, appointment_rows = self.rows[Appointment]
        at_id, at_patient = appointment_columns.index("id"), appointment_columns.index("patient_id")
        patient_of = {row[at_id]: row[at_patient] for row in appointment_rows}
        content_type_id = ContentType.objects.get_for_model(SessionNote).pk
        log = self.table(
            LogEntry,
            "content_type_id object_pk object_id object_repr action changes changes_text actor_id timestamp "
            "additional_data",
        )
        for position, row in enumerate(rows):
            note = SimpleNamespace(**dict(zip(columns, row, strict=False)))
            seal = note_seal(note) if note.signed_at else ""
            rows[position] = (*row, seal)
            if seal:
                log.append(
                    (
                        content_type_id,
                        str(note.id),
                        note.id,
                        f"Session note {note.id}",
                        LogEntry.Action.CREATE,
                        {SEAL_FIELD: ["None", seal], "signed_at": ["None", str(note.signed_at)]},
                        "",
                        # No actor: --flush deletes these users, and the log, append-only, would
                        # refuse to forget them (on PostgreSQL a trigger refuses the SET NULL).
                        None,
                        note.signed_at,
                        {
                            "patient_id": patient_of.get(note.appointment_id),
                            "action": SIGN,
                            "signed_by_id": note.signed_by_id,
                        },
                    )
                )

    def _write(self) -> dict[str, int]:
        counts = {}
        if self.writer.postgres:
            # Checked row by row as it goes: a table with deferred checks pending cannot be altered,
            # and bulk_load alters the tables that the big ones point at.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        # Parents first: a foreign key put back after a bulk load checks its rows at once.
        order = [Patient, HealthFlag, Diagnosis, Study, PhaseRecord, Course, Appointment, SessionNote, Addendum]
        order.append(LogEntry)
        for model in sorted(self.rows, key=lambda m: order.index(m) if m in order else -1):
            columns, rows = self.rows[model]
            started = time.monotonic()
            # The audit log keeps its indexes and its append-only triggers: only rows are added.
            with self.writer.bulk_load(model, len(rows)) if model is not LogEntry else nullcontext():
                counts[model._meta.label] = self.writer.insert(model, columns, rows)
            self.log(f"{model._meta.label}: {len(rows):,} rows in {time.monotonic() - started:.1f} s")
        # The notes were written in bulk, not signed through the service that flags their sessions
        # and copies their pain to their courses.
        appointments_note_signed_mark()
        courses_pain_record()
        self.writer.reset_sequences(
            [User, Therapist, Room, Patient, Diagnosis, Course, Appointment, SessionNote]
            + [WorkingHours, Closure, Study, PhaseRecord, HealthFlag, Addendum]
        )
        return counts


SITES = [
    ("Main site", "Hauptstraße 1, Berlin"),
    ("Riverside", "Uferweg 12, Berlin"),
    ("Old town", "Marktplatz 3, Berlin"),
]


class IdCounter:
    """Ids handed out in order from the table's current maximum, so rows can point at each
    other before anything is written."""

    def __init__(self, start: int):
        self.next = start

    def take(self) -> int:
        value = self.next
        self.next += 1
        return value


def _time(minutes: int) -> dt.time:
    return dt.time(minutes // 60, minutes % 60)


# -- the command's checks and clean-up ---------------------------------------------------------------

# What counts as "data": anything a clinic enters. The catalogue, the rules and the role groups
# come with the migrations and stay.
DATA_MODELS = [Patient, Therapist, Room, Appointment, Course]
# Emptied by --flush, children first.
FLUSH_MODELS = [
    *WAITLIST_MODELS,
    Addendum,
    SessionNote,
    Appointment,
    Course,
    Study,
    PhaseRecord,
    HealthFlag,
    Diagnosis,
    Patient,
    Closure,
    WorkingHours,
    Therapist.modalities.through,
    Therapist,
    Room.modalities.through,
    Room,
]


def database_has_data() -> bool:
    return any(model.objects.exists() for model in DATA_MODELS)


@transaction.atomic
def flush_clinic_data() -> None:
    """Delete every patient, booking, therapist and room, and every user but the superusers."""
    if connection.vendor == "postgresql":
        tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in FLUSH_MODELS)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses pending deferred checks
            cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    else:
        for model in FLUSH_MODELS:
            model.objects.all()._raw_delete(using="default")
    User.objects.filter(is_superuser=False).delete()


def analyze() -> None:
    """Fresh planner statistics; outside a transaction also the visibility map (VACUUM), so
    that index-only scans work from the first request."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
