"""Demo data for trying the app locally: a small clinic with four therapists, three rooms and
32 patients at different points of their treatment, plus one login per role.

Everything is derived from `random.Random(2026)` and today's date, so two fresh databases seeded
on the same day hold the same data. History (past sessions and their signed notes) is written
directly, because the booking service refuses start times in the past; every future session is
booked through `sessions.booking.appointment_book`, so the demo obeys the booking rules.
"""

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

from auditlog.models import LogEntry
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone

from clinic import roles
from clinic.catalogue import DEFAULT_MODALITIES
from clinic.models import Cadence, Closure, ClosureKind, Modality, Room, Therapist, WorkingHours, location_default
from clinic.public_holidays import public_holidays
from clinic.refusals import Refused
from patients.consent import consent_sign, consent_topics_current
from patients.intake import Answer, intake_submit, intake_version_current
from patients.models import (
    Cause,
    ConsentSignature,
    Diagnosis,
    FlagKind,
    FlagProposal,
    HealthFlag,
    IntakeResponse,
    KioskSession,
    Patient,
    Phase,
    PhaseRecord,
    ProposalStatus,
    Side,
    Study,
    StudyKind,
    Via,
)
from patients.names import sort_key
from patients.services import phase_record_create
from sessions.booking import appointment_book
from sessions.course_progress import courses_pain_record
from sessions.models import (
    Addendum,
    Appointment,
    AppointmentStatus,
    Course,
    CourseStatus,
    FreedSlot,
    SessionNote,
    WaitlistEntry,
    WaitlistOffer,
)
from sessions.note_seal import note_seal, note_seal_log_entries
from sessions.notes import appointments_note_signed_mark
from sessions.schedule import at_local, closures_load

PASSWORD = "demo-password-2026"
SEED = 2026
UPCOMING_DAYS = 14
SLOT_STEP = dt.timedelta(minutes=15)

THERAPEUTIC = "Therapeutic massage"
CUPPING = "Vacuum (cupping) massage"
DEEP_TISSUE = "Deep tissue massage"
ACUPRESSURE = "Acupressure"
SWEDISH = "Swedish massage"
NERVE = "Nerve massage"
MYOFASCIAL = "Myofascial release"
HOT_STONE = "Hot stone massage"

# username, role, what the login shows
LOGINS = [
    ("reception", roles.RECEPTIONIST, "receptionist: day board, booking, patients"),
    ("therapist", roles.THERAPIST, "therapist Lena Hoffmann: her day, her patients, session notes"),
    ("patient", roles.PATIENT, "patient Clara Becker: her course, notes and upcoming sessions"),
    ("manager", roles.MANAGER, "manager: everything, and the admin at /admin/"),
]
STAFF = {"reception": ("Petra", "Sommer"), "manager": ("Karin", "Albrecht")}

MORNING, AFTERNOON = (dt.time(8), dt.time(12)), (dt.time(13), dt.time(17))
# The demo's shifts that keep it in the present (_Seeder._present_shifts).
WEEKEND = (dt.time(9), dt.time(13))
LATE_END = dt.time(23, 59)
LATEST_START = dt.time(23, 35)  # the shortest session (20 minutes) still ends before LATE_END
TODAY_AHEAD, TODAY_AHEAD_LENA = 4, 2
LATE_MORNING, LATE_AFTERNOON = (dt.time(9), dt.time(13)), (dt.time(14), dt.time(18))


@dataclass(frozen=True)
class TherapistPlan:
    username: str
    first_name: str
    last_name: str
    colour: str
    modalities: tuple[str, ...]
    weekday_blocks: tuple[tuple[dt.time, dt.time], ...] = (MORNING, AFTERNOON)
    saturday: tuple[dt.time, dt.time] | None = None


THERAPISTS = [
    TherapistPlan("therapist", "Lena", "Hoffmann", "#2a9d8f", (THERAPEUTIC, CUPPING, DEEP_TISSUE, ACUPRESSURE, NERVE)),
    TherapistPlan(
        "jonas.brandt",
        "Jonas",
        "Brandt",
        "#e76f51",
        (THERAPEUTIC, DEEP_TISSUE, SWEDISH, MYOFASCIAL, HOT_STONE),
        weekday_blocks=(LATE_MORNING, LATE_AFTERNOON),
        saturday=(dt.time(9), dt.time(13)),
    ),
    TherapistPlan(
        "marta.nowak", "Marta", "Nowak", "#8e44ad", (THERAPEUTIC, CUPPING, ACUPRESSURE, SWEDISH, NERVE, HOT_STONE)
    ),
    TherapistPlan(
        "daniel.okafor", "Daniel", "Okafor", "#d4a017", (THERAPEUTIC, CUPPING, DEEP_TISSUE, MYOFASCIAL, ACUPRESSURE)
    ),
]

ROOMS = [
    ("Room 1 (Linden)", (THERAPEUTIC, DEEP_TISSUE, ACUPRESSURE, NERVE, MYOFASCIAL, SWEDISH)),
    ("Room 2 (Birch)", (THERAPEUTIC, DEEP_TISSUE, SWEDISH, MYOFASCIAL, HOT_STONE, CUPPING)),
    ("Room 3 (cupping and stones)", (CUPPING, HOT_STONE, ACUPRESSURE, NERVE, THERAPEUTIC)),
]

REMISSION, SUBACUTE, ACUTE, FLAGGED, DISCHARGED = "remission", "subacute", "acute", "flagged", "discharged"
OIL, PREGNANT, BLOOD_PRESSURE = "oil", "pregnant", "blood_pressure"


@dataclass(frozen=True)
class Case:
    """One demo patient: who they are, where their treatment stands, and their course."""

    first_name: str
    last_name: str
    age: int
    cause: str
    side: str
    story: str  # REMISSION, SUBACUTE, ACUTE, FLAGGED (booked, then acute today) or DISCHARGED
    modality: str | None = None
    therapist: str | None = None
    done: int = 0
    upcoming: int = 0
    in_course: bool = True


L, R, B = Side.LEFT, Side.RIGHT, Side.BOTH
HERNIA, OSTEO, STENOSIS = Cause.DISC_HERNIATION, Cause.OSTEOCHONDROSIS, Cause.SPINAL_STENOSIS
PIRIFORMIS, SLIP, INJURY, PREGNANCY = Cause.PIRIFORMIS, Cause.SPONDYLOLISTHESIS, Cause.INJURY, Cause.PREGNANCY
LENA, JONAS, MARTA, DANIEL = "therapist", "jonas.brandt", "marta.nowak", "daniel.okafor"
CASES = [
    Case("Clara", "Becker", 38, HERNIA, L, REMISSION, THERAPEUTIC, LENA, 8, 4),
    Case("Mehmet", "Yılmaz", 45, HERNIA, R, REMISSION, CUPPING, LENA, 3, 3),
    Case("Katarzyna", "Wójcik", 52, OSTEO, L, REMISSION, DEEP_TISSUE, DANIEL, 5, 5),
    Case("Thomas", "Schneider", 71, STENOSIS, B, REMISSION, THERAPEUTIC, JONAS, 6, 3),
    Case("Aylin", "Demir", 31, PREGNANCY, R, REMISSION, SWEDISH, MARTA, 3, 2),
    Case("Jürgen", "Weber", 63, SLIP, L, REMISSION, THERAPEUTIC, LENA, 10, 2),
    Case("Elena", "Popescu", 34, PIRIFORMIS, R, REMISSION, THERAPEUTIC, MARTA, 4, 3),
    Case("Lukas", "Fischer", 29, INJURY, L, ACUTE),
    Case("Fatma", "Arslan", 48, OSTEO, R, REMISSION, CUPPING, DANIEL, 2, 3),
    Case("Peter", "Krause", 56, HERNIA, L, FLAGGED, THERAPEUTIC, LENA, 5, 3),
    Case("Ingrid", "Lehmann", 74, STENOSIS, B, REMISSION, ACUPRESSURE, MARTA, 4, 2),
    Case("Oleksandr", "Kovalenko", 41, INJURY, R, SUBACUTE, THERAPEUTIC, DANIEL, 0, 2),
    Case("Sabine", "Wolf", 50, HERNIA, R, DISCHARGED, THERAPEUTIC, JONAS, 14, 0),
    Case("Hannah", "Schulz", 27, PIRIFORMIS, L, REMISSION, NERVE, LENA, 3, 2),
    Case("Tobias", "Braun", 44, OSTEO, L, ACUTE),
    Case("Nadia", "Haddad", 36, HERNIA, R, FLAGGED, THERAPEUTIC, MARTA, 3, 2),
    Case("Stefan", "Zimmermann", 58, SLIP, R, REMISSION, MYOFASCIAL, JONAS, 4, 2),
    Case("Maria", "Rossi", 61, OSTEO, L, REMISSION, THERAPEUTIC, DANIEL, 7, 3),
    Case("Kemal", "Aydın", 39, HERNIA, L, DISCHARGED, DEEP_TISSUE, LENA, 10, 0),
    Case("Ursula", "Hartmann", 68, STENOSIS, L, REMISSION, THERAPEUTIC, JONAS, 2, 3),
    Case("Felix", "Koch", 33, INJURY, R, ACUTE),
    Case("Julia", "Richter", 30, PIRIFORMIS, R, REMISSION, ACUPRESSURE, LENA, 5, 2),
    Case("Andrzej", "Kowalski", 66, OSTEO, R, REMISSION, THERAPEUTIC, DANIEL, 9, 2),
    Case("Leonie", "Schäfer", 26, HERNIA, L, REMISSION, CUPPING, MARTA, 0, 3),
    Case("Dimitris", "Papadopoulos", 57, STENOSIS, R, REMISSION, THERAPEUTIC, LENA, 12, 1),
    Case("Emma", "Klein", 42, INJURY, L, SUBACUTE, SWEDISH, JONAS, 0, 1, in_course=False),
    Case("Wolfgang", "Meyer", 70, SLIP, B, REMISSION, THERAPEUTIC, JONAS, 2, 2),
    Case("Sara", "Lindqvist", 35, OSTEO, L, REMISSION, HOT_STONE, MARTA, 3, 1),
    Case("Niklas", "Vogel", 47, HERNIA, R, REMISSION, ACUPRESSURE, DANIEL, 0, 1, in_course=False),
    Case("Zeynep", "Çelik", 32, PIRIFORMIS, L, REMISSION, MYOFASCIAL, DANIEL, 2, 2),
    Case("Marco", "Bauer", 40, HERNIA, L, REMISSION, THERAPEUTIC, JONAS, 6, 2),
    Case("Greta", "Neumann", 77, OSTEO, B, REMISSION, THERAPEUTIC, LENA, 4, 2),
]
# Health flags by patient: (kind, the oil for an allergy).
FLAGS = {
    ("Thomas", "Schneider"): [(BLOOD_PRESSURE, "")],
    ("Aylin", "Demir"): [(PREGNANT, "")],
    ("Jürgen", "Weber"): [(BLOOD_PRESSURE, "")],
    ("Elena", "Popescu"): [(OIL, "lavender oil")],
    ("Ingrid", "Lehmann"): [(BLOOD_PRESSURE, "")],
    ("Maria", "Rossi"): [(OIL, "sweet almond oil")],
    ("Andrzej", "Kowalski"): [(BLOOD_PRESSURE, "")],
    ("Wolfgang", "Meyer"): [(BLOOD_PRESSURE, "")],
}
DEMO_PATIENT = ("Clara", "Becker")
DEMO_PATIENT_PAIN = (7, 3)  # her pain before the first and before the latest session
STOPPED_EARLY = ("Thomas", "Schneider", 1)  # whose session, and which one (0 = the first)
NO_SHOW = ("Marco", "Bauer", 2)
CANCELLED = ("Maria", "Rossi", 3)

# ICD-10 code, diagnosis title, and the studies that back it: (kind, findings with {side}).
DIAGNOSES = {
    Cause.DISC_HERNIATION: (
        "M51.1",
        "Lumbar disc herniation with radiculopathy",
        [
            (StudyKind.MRI, "Disc herniation at L5–S1 on the {side}, touching the S1 nerve root."),
            (StudyKind.LAB, "Blood count and CRP within normal limits: no sign of inflammation."),
        ],
    ),
    Cause.OSTEOCHONDROSIS: (
        "M54.4",
        "Lumbago with sciatica in lumbar osteochondrosis",
        [(StudyKind.XRAY, "Reduced height of the L4–L5 and L5–S1 discs with small bony spurs at the edges.")],
    ),
    Cause.SPINAL_STENOSIS: (
        "M48.06",
        "Lumbar spinal stenosis",
        [
            (StudyKind.CT, "Canal narrowed at L4–L5 by thickened facet joints and ligament."),
            (StudyKind.MRI, "Central narrowing at L4–L5, nerve roots crowded, more on the {side}."),
        ],
    ),
    Cause.PIRIFORMIS: (
        "G57.0",
        "Sciatic nerve irritation (piriformis syndrome)",
        [
            (StudyKind.MRI, "Lumbar discs unremarkable; nothing presses on the roots in the spine."),
            (StudyKind.LAB, "Inflammation markers normal."),
        ],
    ),
    Cause.SPONDYLOLISTHESIS: (
        "M43.1",
        "Spondylolisthesis of L5 over S1",
        [(StudyKind.XRAY, "Grade I forward slip of L5 over S1, unchanged between bending forward and back.")],
    ),
    Cause.INJURY: (
        "M54.3",
        "Sciatica after lifting a heavy load",
        [(StudyKind.XRAY, "No fracture; the lumbar curve is flattened by muscle guarding.")],
    ),
    Cause.PREGNANCY: (
        "M54.3",
        "Sciatica in pregnancy",
        [(StudyKind.LAB, "Routine pregnancy blood tests normal; imaging deliberately not done.")],
    ),
}
DOCTORS = ["Dr. Weber", "Dr. Aksoy", "Dr. Lindner", "Dr. Brandl", "Dr. Osei"]

TECHNIQUES = {
    THERAPEUTIC: "Stroking and kneading of the back muscles, friction beside the spine; gentle strokes down the leg",
    CUPPING: "Cups near the most painful point on oiled skin, then slow gliding cups along the lower back",
    DEEP_TISSUE: "Slow, firm pressure into the deep muscles of the lower back and buttock",
    ACUPRESSURE: "Thumb and elbow pressure on points along the lower back, buttock and back of the leg",
    SWEDISH: "Long, light gliding strokes and gentle kneading to relax the whole back",
    NERVE: "Pressure along the path of the sciatic nerve combined with stimulation of tight muscles",
    MYOFASCIAL: "Sustained pressure and stretch on trigger points of the piriformis and gluteal muscles",
    HOT_STONE: "Warm stones laid along the lower back, then flowing strokes holding a stone",
}
PREGNANCY_TECHNIQUE = "Side-lying on cushions; light gliding strokes only, no deep pressure over the sacrum"
OILS = ["Sunflower oil, unscented", "Apricot kernel oil", "Jojoba oil", "Grapeseed oil, unscented"]
HOME_TIPS = [
    "Tennis-ball massage for the buttock: five minutes a day, lying on the floor.",
    "Seated spine stretch twice a day, holding each side for 30 seconds.",
    "Ball-and-chair massage for the lower back when you have been sitting a long time.",
    "Short walks every day; avoid sitting for more than an hour at a stretch.",
]
CARE_TIPS = [
    "Keep the lower back warm and avoid lifting anything heavy this week.",
    "Take short walks and stand up every hour; no exercises at home yet.",
]
SUBJECTIVE_FIRST = "Pain from the lower back into the {side} leg with tingling in the calf; worse after sitting."
SUBJECTIVE_LATER = [
    "Pain eased since the last visit; sleeps through the night more often.",
    "Some stiffness in the morning, better after moving around.",
    "Tingling in the {side} foot now only now and then.",
    "Walked to the clinic today without stopping.",
]
OBJECTIVE = [
    "Tight muscles beside the spine at L4–S1, tender point in the {side} buttock.",
    "Muscle tone lower than last time; the tender point in the buttock is smaller.",
    "Spasm gone from the lower back; slight tension left in the {side} hamstring.",
]
ASSESSMENT = ["Tolerated the session well.", "Good response; pain lower after the session.", "Steady progress."]
PLAN = ["Continue the course as planned.", "Continue; a little more work on the leg next time.", "Continue the course."]
STOPPED_REASON = (
    "A sharp pain shot down the leg when the thigh was worked; the session was stopped at once "
    "and the patient advised to see the doctor before the next visit."
)
FLARE_NOTE = "New flare-up after gardening: sharp pain down the leg again. Medication restarted; massage on hold."


def logins() -> list[tuple[str, str, str]]:
    return [(username, PASSWORD, description) for username, _, description in LOGINS]


def demo_usernames() -> set[str]:
    return {username for username, _, _ in LOGINS} | {plan.username for plan in THERAPISTS}


LOADED, UNCHANGED, MOVED = "loaded", "unchanged", "moved"


def demo_seed(*, now: dt.datetime | None = None, reset: bool = False) -> str:
    """Load the demo clinic as of `now` (default: the present). LOADED into an empty database;
    UNCHANGED when the demo is already there from today; MOVED when it was from an earlier day
    (or `reset`): the demo's rows are deleted and the clinic is seeded again, so that the demo
    always lives in the present.

    Raises ValueError, touching nothing, when the database holds anything that is not the
    demo's (a real clinic's data) or only part of the demo."""
    now = now or timezone.now()
    foreign = non_demo_data()
    if foreign:
        raise ValueError(
            f"This database holds data that is not the demo's ({', '.join(foreign)}); the demo never "
            "loads into or resets such a database. Point DATABASE_URL at a fresh one."
        )
    existing = set(User.objects.filter(username__in=demo_usernames()).values_list("username", flat=True))
    if existing and existing != demo_usernames():
        raise ValueError(
            f"Some demo users already exist ({', '.join(sorted(existing))}) but not all of them; "
            "load the demo into a fresh database."
        )
    if existing and not reset and demo_seeded_on() >= timezone.localdate(now):
        return UNCHANGED
    try:
        with transaction.atomic():
            if existing:
                _demo_delete()
            _Seeder(random.Random(SEED), now=now).run()
    except DatabaseError as error:
        raise ValueError(
            f"The demo could not be moved to today ({error}); start from a fresh database instead."
        ) from error
    return MOVED if existing else LOADED


def demo_seeded_on() -> dt.date:
    """The day the demo was seeded: its users joined then."""
    joined = User.objects.filter(username="reception").values_list("date_joined", flat=True).first()
    return timezone.localdate(joined) if joined else dt.date.min


def non_demo_data() -> list[str]:
    """What in the database is not the demo's: other accounts (superusers aside), patients or
    therapists. Empty for an empty database or the demo's own."""
    found = []
    users = User.objects.exclude(username__in=demo_usernames()).exclude(is_superuser=True).count()
    if users:
        found.append(f"{users} other user account{'s' if users != 1 else ''}")
    names = Q(pk__in=[])
    for case in CASES:
        names |= Q(first_name=case.first_name, last_name=case.last_name)
    patients = Patient.objects.exclude(names).count()
    if patients:
        found.append(f"{patients} other patient{'s' if patients != 1 else ''}")
    if Therapist.objects.exclude(user__username__in=demo_usernames()).exists():
        found.append("other therapists")
    return found


# The waitlist's rows, children first (the scale seeder's --flush empties them too).
WAITLIST_MODELS = (WaitlistOffer, WaitlistEntry, FreedSlot)


def _demo_delete() -> None:
    """Delete the demo's rows (non_demo_data has checked there is nothing else), newest first."""
    intake_and_consent = (ConsentSignature, FlagProposal, IntakeResponse, KioskSession)
    record = (Addendum, SessionNote, Appointment, Course, PhaseRecord, Study, Diagnosis, HealthFlag, Patient)
    for model in (*WAITLIST_MODELS, *intake_and_consent, *record):
        model.objects.all().delete()
    Closure.objects.all().delete()
    WorkingHours.objects.all().delete()
    Therapist.objects.all().delete()
    Room.objects.filter(name__in=[name for name, _ in ROOMS]).delete()
    User.objects.filter(username__in=demo_usernames()).delete()


def next_public_holiday(today: dt.date, within_days: int = 60) -> tuple[dt.date, str] | None:
    """The first public holiday on a weekday from three days ahead (clinic.public_holidays)."""
    found = public_holidays(today + dt.timedelta(days=3), today + dt.timedelta(days=within_days))
    return next(((day, name) for day, name in sorted(found.items()) if day.weekday() < 5), None)


class Planner:
    """The demo's own diary of who is busy when. History is written directly, and on PostgreSQL
    overlapping rows would break the exclusion constraints; future sessions aim at free slots
    so that the booking service seldom has to refuse one."""

    def __init__(self, hours: dict[int, dict[int, list]], closures: list[Closure], rooms: dict[int, list[Room]]):
        self.hours, self.closures, self.rooms = hours, closures, rooms
        self.busy: dict[tuple[str, int], list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)

    def works_on(self, therapist: Therapist, day: dt.date) -> bool:
        closed = any(c.starts_on <= day <= c.ends_on and c.therapist_id in (None, therapist.pk) for c in self.closures)
        return not closed and bool(self.hours[therapist.pk].get(day.weekday()))

    def _free(self, key, starts_at, ends_at) -> bool:
        return all(not (start < ends_at and starts_at < end) for start, end in self.busy[key])

    def find(self, *, day, therapist, patient, modality, minutes, preferred, not_before=None, not_after=None):
        """The free start nearest the preferred time of day, with a free room suited to the modality."""
        length = dt.timedelta(minutes=minutes)
        starts = []
        for block_start, block_end in self.hours[therapist.pk].get(day.weekday(), []):
            start, block_ends_at = at_local(day, block_start), at_local(day, block_end)
            while start + length <= block_ends_at:
                starts.append(start)
                start += SLOT_STEP
        target = at_local(day, preferred)
        for start in sorted(starts, key=lambda s: (abs(s - target), s)):
            end = start + length
            if (not_before and start < not_before) or (not_after and end > not_after):
                continue
            if not (
                self._free(("therapist", therapist.pk), start, end) and self._free(("patient", patient.pk), start, end)
            ):
                continue
            room = next((r for r in self.rooms[modality.pk] if self._free(("room", r.pk), start, end)), None)
            if room is not None:
                return start, room
        return None

    def take(self, *, therapist, room, patient, starts_at, ends_at) -> None:
        for key in (("therapist", therapist.pk), ("room", room.pk), ("patient", patient.pk)):
            self.busy[key].append((starts_at, ends_at))


def fits_cadence(*, cadence: str, per_week: int | None, chosen: list[dt.date], day: dt.date) -> bool:
    """Whether a session on `day` keeps the course's rhythm next to the days already chosen:
    every other day at least for a free cadence, at most N in a calendar week for N per week."""
    if cadence == Cadence.FREE and chosen:
        return min(abs((day - other).days) for other in chosen) >= 2
    if cadence == Cadence.PER_WEEK:
        week = day.isocalendar()[:2]
        return sum(1 for other in chosen if other.isocalendar()[:2] == week) < (per_week or 7)
    return True


@dataclass
class _Plan:
    """What the seeder worked out for one case before writing it."""

    case: Case
    therapist: Therapist | None
    modality: Modality | None
    preferred: dt.time
    past_days: list[dt.date]
    patient: Patient | None = None
    diagnosis: Diagnosis | None = None
    course: Course | None = None
    history: list[Appointment] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return (self.case.first_name, self.case.last_name)

    @property
    def minutes(self) -> int:
        return self.course.session_minutes if self.course else self.modality.session_minutes

    @property
    def in_remission(self) -> bool:
        return self.case.story in (REMISSION, FLAGGED, DISCHARGED)


class _Seeder:
    def __init__(self, rng: random.Random, *, now: dt.datetime):
        self.rng = rng
        self.now = now
        self.today = timezone.localdate(now)
        self.yesterday = self.today - dt.timedelta(days=1)
        self.password = make_password(PASSWORD)  # hashed once: hashing is slow on purpose
        self.users: dict[str, User] = {}
        self.modalities: dict[str, Modality] = {}
        self.therapists: dict[str, Therapist] = {}
        self.rooms: list[Room] = []
        self.plans: list[_Plan] = []

    def run(self) -> bool:
        self._catalogue()
        self._staff()
        self._therapists()
        self._rooms()
        self._closures()
        self.planner = self._planner()
        self.plans = [self._plan(case) for case in CASES]
        for plan in self.plans:
            self._record(plan)
        self._history()
        # Historical phases are recorded before any future booking exists, so only the flare-ups
        # below flag sessions for review, as they would in real life.
        for plan in self.plans:
            self._upcoming(plan)
        self._today_ahead()
        for plan in self.plans:
            if plan.case.story == FLAGGED:
                phase_record_create(
                    diagnosis=plan.diagnosis, phase=Phase.ACUTE, recorded_by=plan.therapist.user, note=FLARE_NOTE
                )
        # Last, so the random draws above stay as they were; it draws none.
        self._intake_and_consent()
        return True

    # -- intake and consent ------------------------------------------------------------------

    def _intake_and_consent(self) -> None:
        """Every patient answered the health questions and signed the consents on the day they
        consented to treatment, their yes answers confirmed as the flags on their chart; except
        Clara (the portal's demo login), who has both still to do, and one of Lena's patients,
        whose yes to high blood pressure waits for Lena to confirm on the chart."""
        version = intake_version_current()
        consents = consent_topics_current()
        pending = next(
            plan
            for plan in self.plans
            if plan.therapist.user.username == LENA and plan.key != DEMO_PATIENT and plan.key not in FLAGS
        )
        for plan in self.plans:
            patient = plan.patient
            if plan.key == DEMO_PATIENT:
                continue
            when = min(at_local(patient.consent_on, dt.time(8, 45)), self.now - dt.timedelta(hours=1))
            flags = {flag.kind: flag for flag in patient.health_flags.all()}
            if pending is plan:
                flags[FlagKind.HYPERTENSION] = None
            if version is not None:
                answers = {
                    q.pk: Answer(yes=q.proposes in flags, detail=getattr(flags.get(q.proposes), "substance", ""))
                    for q in version.question_list
                }
                channel = Via.PORTAL if patient.user_id else Via.KIOSK
                intake_submit(
                    patient=patient, version=version, answers=answers, channel=channel, submitted_by=patient.user,
                    now=when,
                )  # fmt: skip
                for kind, flag in flags.items():
                    if flag is not None:
                        FlagProposal.objects.filter(patient=patient, kind=kind).update(
                            status=ProposalStatus.CONFIRMED,
                            decided_by=plan.therapist.user,
                            decided_at=when + dt.timedelta(minutes=30),
                            health_flag=flag,
                        )
            for _, consent in consents:
                consent_sign(
                    patient=patient,
                    version=consent,
                    typed_name=str(patient),
                    agreed=True,
                    channel=Via.KIOSK,
                    now=when + dt.timedelta(minutes=5),
                )

    # -- the clinic ------------------------------------------------------------------------

    def _catalogue(self) -> None:
        # The data migration made the catalogue; make sure the modalities the demo uses exist.
        for defaults in DEFAULT_MODALITIES:
            values = dict(defaults)
            name = values.pop("name")
            self.modalities[name], _ = Modality.objects.get_or_create(name=name, defaults=values)

    def _user(self, username: str, first_name: str, last_name: str, role: str, email: str = "", **extra) -> User:
        user = User.objects.create(
            username=username,
            first_name=first_name,
            last_name=last_name,
            email=email or f"{username}@example.org",
            password=self.password,
            date_joined=self.now,  # demo_seeded_on() reads it
            **extra,
        )
        user.groups.add(Group.objects.get(name=role))
        self.users[username] = user
        return user

    def _staff(self) -> None:
        self._user("reception", *STAFF["reception"], roles.RECEPTIONIST)
        self._user("manager", *STAFF["manager"], roles.MANAGER, is_staff=True)

    def _therapists(self) -> None:
        blocks = []
        for plan in THERAPISTS:
            user = self._user(plan.username, plan.first_name, plan.last_name, roles.THERAPIST)
            therapist = Therapist.objects.create(user=user, calendar_colour=plan.colour)
            therapist.modalities.set([self.modalities[name] for name in plan.modalities])
            for weekday in range(5):
                for starts, ends in plan.weekday_blocks:
                    blocks.append(WorkingHours(therapist=therapist, weekday=weekday, starts=starts, ends=ends))
            if plan.saturday:
                starts, ends = plan.saturday
                blocks.append(WorkingHours(therapist=therapist, weekday=5, starts=starts, ends=ends))
            blocks += self._present_shifts(therapist, [b for b in blocks if b.therapist is therapist])
            self.therapists[plan.username] = therapist
        site = location_default()  # the demo has one site: every block is there
        for block in blocks:
            block.location_id = site
        WorkingHours.objects.bulk_create(blocks)
        # A modality the clinic added to the catalogue itself still gets two therapists.
        planned = {name for plan in THERAPISTS for name in plan.modalities}
        for modality in Modality.objects.filter(active=True).exclude(name__in=planned):
            for therapist in list(self.therapists.values())[:2]:
                therapist.modalities.add(modality)

    def _present_shifts(self, therapist: Therapist, blocks: list[WorkingHours]) -> list[WorkingHours]:
        """Hours that make the demo live in the present, whatever the day and hour it is seeded:
        a weekend shift when yesterday or today is a day off (so yesterday has sessions and notes,
        and today has sessions), and a late shift until nearly midnight when today's hours are
        mostly over (so today's board and My day still have sessions ahead, even at 23:30)."""
        extra = []
        for day in (self.yesterday, self.today):
            if not any(block.weekday == day.weekday() for block in blocks + extra):
                extra.append(
                    WorkingHours(therapist=therapist, weekday=day.weekday(), starts=WEEKEND[0], ends=WEEKEND[1])
                )
        today = [block for block in blocks + extra if block.weekday == self.today.weekday()]
        local_now = timezone.localtime(self.now)
        soonest = _round_up(local_now + dt.timedelta(minutes=5), minutes=5)
        ahead = sum(
            max(0, (at_local(self.today, b.ends) - max(at_local(self.today, b.starts), soonest)).total_seconds())
            for b in today
        )
        if ahead >= 2 * 3600 or soonest.date() != self.today or soonest.time() > LATEST_START:
            return extra
        # Starts at quarter hours from `starts` (Planner.find): one of them is `soonest`.
        last_end = max((b.ends for b in today), default=dt.time.min)
        starts = soonest
        while (starts - SLOT_STEP).time() >= last_end and (starts - SLOT_STEP).date() == self.today:
            starts -= SLOT_STEP
            if soonest - starts >= dt.timedelta(hours=3):
                break
        extra.append(
            WorkingHours(therapist=therapist, weekday=self.today.weekday(), starts=starts.time(), ends=LATE_END)
        )
        return extra

    def _rooms(self) -> None:
        for name, modality_names in ROOMS:
            room, _ = Room.objects.get_or_create(name=name)
            room.modalities.add(*[self.modalities[m] for m in modality_names])
            self.rooms.append(room)
        planned = {name for _, names in ROOMS for name in names}
        for modality in Modality.objects.filter(active=True).exclude(name__in=planned):
            self.rooms[0].modalities.add(modality)

    def _closures(self) -> None:
        # Public holidays close the clinic by themselves (clinic.public_holidays). The demo opens
        # on one that falls today or yesterday, so that it still shows a working day.
        for day in (self.yesterday, self.today):
            for holiday, name in public_holidays(day, day).items():
                Closure.objects.create(
                    kind=ClosureKind.HOLIDAY_OPEN, starts_on=holiday, ends_on=holiday, reason=f"Demo: open on {name}"
                )
        day = _weekday_from(self.today + dt.timedelta(days=10))
        Closure.objects.create(starts_on=day, ends_on=day, reason="Staff training day: the clinic is closed")
        # A therapist's own days off, early enough to shape the coming two weeks of bookings.
        first = _weekday_from(self.today + dt.timedelta(days=3))
        Closure.objects.create(
            starts_on=first,
            ends_on=_weekday_from(first + dt.timedelta(days=1)),
            reason="Further training: a course in myofascial techniques",
            therapist=self.therapists["marta.nowak"],
        )

    def _planner(self) -> Planner:
        hours: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
        for block in WorkingHours.objects.order_by("starts"):
            hours[block.therapist_id][block.weekday].append((block.starts, block.ends))
        rooms: dict[int, list[Room]] = defaultdict(list)
        for room in Room.objects.filter(active=True).prefetch_related("modalities").order_by("name"):
            for modality in room.modalities.all():
                rooms[modality.pk].append(room)
        closures = closures_load(
            starts_on=self.today - dt.timedelta(days=200), ends_on=self.today + dt.timedelta(days=UPCOMING_DAYS + 1)
        )
        return Planner(hours, closures, rooms)

    # -- patients and their record ---------------------------------------------------------

    def _plan(self, case: Case) -> _Plan:
        therapist = self.therapists[case.therapist or LENA]
        modality = self.modalities[case.modality] if case.modality else None
        preferred = self.rng.choice([dt.time(h, m) for h in (8, 9, 10, 11, 13, 14, 15, 16) for m in (0, 30)])
        past_days: list[dt.date] = []
        if case.done:
            latest = self.today - dt.timedelta(days=1)
            if case.story == DISCHARGED:
                latest -= dt.timedelta(days=self.rng.randint(20, 35))
            elif modality.cadence == Cadence.FREE:
                latest -= dt.timedelta(days=self.rng.randint(0, 1))
            day = latest
            while len(past_days) < case.done and day > latest - dt.timedelta(days=150):
                if self.planner.works_on(therapist, day) and fits_cadence(
                    cadence=modality.cadence, per_week=modality.sessions_per_week, chosen=past_days, day=day
                ):
                    past_days.append(day)
                day -= dt.timedelta(days=1)
            past_days.reverse()
        return _Plan(case, therapist, modality, preferred, past_days)

    def _phases(self, plan: _Plan) -> list[tuple[dt.date, str]]:
        """The phase history as (day, phase), oldest first."""
        rng, story = self.rng, plan.case.story
        anchor = plan.past_days[0] if plan.past_days else self.today
        if story == ACUTE:
            flare = self.today - dt.timedelta(days=rng.randint(1, 6))
            if rng.random() < 0.5:
                return [(flare, Phase.ACUTE)]
            # An earlier episode that had settled, then this new flare-up.
            old = flare - dt.timedelta(days=rng.randint(100, 140))
            return [
                (old, Phase.ACUTE),
                (old + dt.timedelta(days=14), Phase.SUBACUTE),
                (old + dt.timedelta(days=30), Phase.REMISSION),
                (flare, Phase.ACUTE),
            ]
        if story == SUBACUTE:
            subacute = anchor - dt.timedelta(days=rng.randint(2, 6))
            return [(subacute - dt.timedelta(days=rng.randint(10, 16)), Phase.ACUTE), (subacute, Phase.SUBACUTE)]
        # Massage starts once remission has begun: a few days before the first session.
        remission = anchor - dt.timedelta(days=rng.randint(3, 8) if plan.past_days else rng.randint(10, 40))
        subacute = remission - dt.timedelta(days=rng.randint(10, 16))
        acute = subacute - dt.timedelta(days=rng.randint(10, 18))
        return [(acute, Phase.ACUTE), (subacute, Phase.SUBACUTE), (remission, Phase.REMISSION)]

    def _record(self, plan: _Plan) -> None:
        case, rng = plan.case, self.rng
        phases = self._phases(plan)
        diagnosed_on = phases[0][0]
        born = dt.date(self.today.year - case.age, rng.randint(1, 12), rng.randint(1, 28))
        is_demo = plan.key == DEMO_PATIENT
        user = None
        if is_demo:
            user = self._user("patient", case.first_name, case.last_name, roles.PATIENT, "patient@example.org")
        plan.patient = Patient.objects.create(
            first_name=case.first_name,
            last_name=case.last_name,
            date_of_birth=born,
            # 030 23125 xxx is the Berlin range set aside for fiction, so no real person is called.
            phone=f"+49 30 23125 {100 + 7 * CASES.index(case) + rng.randint(0, 6):03d}",
            email=user.email if user else f"{sort_key(case.first_name)}.{sort_key(case.last_name)}@example.net",
            user=user,
            consent_on=diagnosed_on + dt.timedelta(days=rng.randint(1, 3)),
            # Reception assigned the patient to the therapist who treats them (My patients).
            assigned_therapist=plan.therapist,
        )
        self._flags(plan, diagnosed_on)
        code, title, studies = DIAGNOSES[case.cause]
        plan.diagnosis = Diagnosis.objects.create(
            patient=plan.patient,
            icd10_code=code,
            title=title,
            cause=case.cause,
            side=case.side,
            diagnosed_on=diagnosed_on,
            diagnosed_by=rng.choice(DOCTORS),
            recorded_by=plan.therapist.user,
        )
        side = Side(case.side).label.lower()
        Study.objects.bulk_create(
            Study(
                diagnosis=plan.diagnosis,
                kind=kind,
                performed_on=diagnosed_on - dt.timedelta(days=rng.randint(1, 5)),
                findings=findings.format(side=side if case.side != Side.BOTH else "both sides"),
            )
            for kind, findings in studies
        )
        for day, phase in phases:
            phase_record_create(
                diagnosis=plan.diagnosis,
                phase=phase,
                recorded_by=plan.therapist.user,
                effective_from=at_local(day, dt.time(11)),
                note=PHASE_NOTES[phase],
            )
        if case.in_course and plan.modality:
            plan.course = self._course(plan)

    def _flags(self, plan: _Plan, diagnosed_on: dt.date) -> None:
        rng = self.rng
        flags = []
        for kind, substance in FLAGS.get(plan.key, []):
            if kind == OIL:
                flags.append(
                    HealthFlag(
                        kind=FlagKind.OIL_ALLERGY,
                        substance=substance,
                        active_from=diagnosed_on - dt.timedelta(days=rng.randint(200, 900)),
                        note="Itchy rash after a massage with this oil; use an unscented base oil.",
                    )
                )
            elif kind == PREGNANT:
                due = self.today + dt.timedelta(days=130)
                flags.append(
                    HealthFlag(
                        kind=FlagKind.PREGNANCY,
                        active_from=self.today - dt.timedelta(days=140),
                        active_to=due,
                        note=f"Due on {due:%d %b %Y}. Side-lying on cushions, never prone; light pressure only.",
                    )
                )
            else:
                flags.append(
                    HealthFlag(
                        kind=FlagKind.HYPERTENSION,
                        active_from=diagnosed_on - dt.timedelta(days=rng.randint(365, 2000)),
                        note="On tablets; blood pressure taken before each session.",
                    )
                )
        for flag in flags:
            flag.patient, flag.recorded_by = plan.patient, plan.therapist.user
        HealthFlag.objects.bulk_create(flags)

    def _course(self, plan: _Plan) -> Course:
        modality, case = plan.modality, plan.case
        if case.story == DISCHARGED:
            status = CourseStatus.COMPLETED
        else:
            status = CourseStatus.ACTIVE if plan.past_days else CourseStatus.PLANNED
        side = Side(case.side).label.lower()
        return Course.objects.create(
            patient=plan.patient,
            diagnosis=plan.diagnosis,
            modality=modality,
            prescribed_by=plan.therapist.user,
            min_sessions=modality.course_min_sessions,
            max_sessions=modality.course_max_sessions,
            session_minutes=modality.session_minutes,
            cadence=modality.cadence,
            sessions_per_week=modality.sessions_per_week,
            starts_on=plan.past_days[0] if plan.past_days else self.today,
            status=status,
            goals=f"Less pain in the lower back and the {side} leg; sitting through a working day again.",
            home_programme=" ".join(HOME_TIPS[:2]) if plan.in_remission else "",
        )

    # -- history: written directly, since the booking service refuses the past ----------------

    def _history(self) -> None:
        reception = self.users["reception"]
        rows = []
        for plan in self.plans:
            for index, day in enumerate(plan.past_days):
                found = self.planner.find(
                    day=day,
                    therapist=plan.therapist,
                    patient=plan.patient,
                    modality=plan.modality,
                    minutes=plan.minutes,
                    preferred=plan.preferred,
                    not_after=self.now,
                )
                if found is None:
                    continue
                starts_at, room = found
                appointment = self._past_appointment(plan, index, starts_at, room, reception)
                self.planner.take(
                    therapist=plan.therapist,
                    room=room,
                    patient=plan.patient,
                    starts_at=starts_at,
                    ends_at=appointment.ends_at,
                )
                plan.history.append(appointment)
                rows.append(appointment)
        Appointment.objects.bulk_create(rows)
        self._notes()

    def _past_appointment(self, plan: _Plan, index: int, starts_at, room, reception) -> Appointment:
        appointment = Appointment(
            patient=plan.patient,
            course=plan.course,
            modality=plan.modality,
            therapist=plan.therapist,
            room=room,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(minutes=plan.minutes),
            status=AppointmentStatus.COMPLETED,
            booked_by=reception,
            checked_in_at=starts_at - dt.timedelta(minutes=5),
        )
        if (*plan.key, index) == NO_SHOW:
            appointment.status, appointment.checked_in_at = AppointmentStatus.NO_SHOW, None
        elif (*plan.key, index) == CANCELLED:
            appointment.status, appointment.checked_in_at = AppointmentStatus.CANCELLED, None
            appointment.cancellation_reason = "Patient rang in with a fever; the session is made up at the end."
            appointment.cancelled_at = starts_at - dt.timedelta(hours=20)
        return appointment

    def _notes(self) -> None:
        notes = []
        stopped_note = None
        for plan in self.plans:
            completed = [a for a in plan.history if a.status == AppointmentStatus.COMPLETED]
            pains = self._pain_series(plan, len(completed))
            for index, (appointment, pain_before) in enumerate(zip(completed, pains, strict=True)):
                note = self._note(plan, appointment, index, pain_before)
                if (*plan.key, index) == STOPPED_EARLY:
                    note.stopped_early, note.stopped_early_reason, note.minutes = True, STOPPED_REASON, 15
                    note.pain_after = min(10, pain_before + 1)
                    note.areas_treated = note.areas_treated[:4]
                    stopped_note = note
                notes.append(note)
        for note in notes:
            # Yesterday's notes are still to be signed (the demo patient's aside, whose portal
            # shows them): My day for yesterday and the chart show drafts waiting.
            if (
                timezone.localdate(note.appointment.starts_at) == self.yesterday
                and note.appointment.patient.user_id is None
            ):
                note.signed_at = note.signed_by = None
                continue
            # Signed here, not through session_note_sign: seal them the same way.
            note.content_hash = note_seal(note)
        SessionNote.objects.bulk_create(notes)
        appointments_note_signed_mark()  # what session_note_sign flags on the session
        courses_pain_record()  # ...and copies to the course
        # ...and give each the audit log entry that signing writes, which verify_notes compares.
        signed = [note for note in notes if note.signed_at is not None]
        LogEntry.objects.bulk_create(note_seal_log_entries(signed), batch_size=1000)
        if stopped_note is not None:
            Addendum.objects.create(
                note=stopped_note,
                author=stopped_note.author,
                text=(
                    "Spoke with the patient's doctor by phone: no new flare-up. Carry on with lighter "
                    "pressure and leave the thigh out for the next two sessions."
                ),
            )

    def _pain_series(self, plan: _Plan, count: int) -> list[int]:
        """Pain before each session, falling over the course towards about 2."""
        if not count:
            return []
        if plan.key == DEMO_PATIENT:
            start, end, span = *DEMO_PATIENT_PAIN, count - 1
        else:
            start, end = self.rng.randint(6, 8), 2
            span = max(plan.course.max_sessions - 1 if plan.course else count - 1, 1)
        values: list[int] = []
        for index in range(count):
            # Falls fastest over the first sessions, then levels off.
            eased = (index / max(span, 1)) ** 0.7
            value = round(start - (start - end) * eased + self.rng.choice([0, 0, 0.4, -0.4]))
            values.append(max(0, min(value, values[-1] if values else start)))
        values[0] = start
        if plan.key == DEMO_PATIENT:
            values[-1] = end
        return values

    def _note(self, plan: _Plan, appointment: Appointment, index: int, pain_before: int) -> SessionNote:
        rng, case = self.rng, plan.case
        side = Side(case.side).label.lower()
        where = "both" if case.side == Side.BOTH else case.side
        areas = (
            ["lumbar", "sacral", "gluteal"]
            if index < 2
            else ["lumbar", "sacral", "gluteal", "thigh", "calf", "foot_heel"]
        )
        if plan.modality.name == HOT_STONE:
            areas = ["lumbar", "sacral"]
        pain_after = max(0, pain_before - rng.choice([1, 1, 2]))
        tips = HOME_TIPS if plan.in_remission else CARE_TIPS
        user = plan.therapist.user
        signed_at = min(appointment.ends_at + dt.timedelta(minutes=rng.randint(5, 45)), self.now)
        return SessionNote(
            appointment=appointment,
            author=user,
            pain_before=pain_before,
            pain_after=pain_after,
            areas_treated=[f"{area}:{where}" for area in areas],
            techniques=PREGNANCY_TECHNIQUE if case.cause == Cause.PREGNANCY else TECHNIQUES[plan.modality.name],
            oils_used=self._oil(plan) if plan.modality.uses_oils else "",
            minutes=plan.minutes,
            subjective=(SUBJECTIVE_FIRST if index == 0 else rng.choice(SUBJECTIVE_LATER)).format(side=side),
            objective=OBJECTIVE[min(index // 3, len(OBJECTIVE) - 1)].format(side=side),
            assessment=rng.choice(ASSESSMENT),
            plan=rng.choice(PLAN),
            patient_summary=f"Session {index + 1}: pain {pain_before} before, {pain_after} after. {rng.choice(tips)}",
            signed_at=signed_at,
            signed_by=user,
        )

    def _oil(self, plan: _Plan) -> str:
        allergies = [substance for kind, substance in FLAGS.get(plan.key, []) if kind == OIL]
        if allergies:
            return f"Unscented jojoba oil ({allergies[0]} avoided)"
        return self.rng.choice(OILS)

    # -- the coming two weeks: through the booking service ------------------------------------

    def _upcoming(self, plan: _Plan) -> None:
        if not plan.case.upcoming:
            return
        not_before = self.now + dt.timedelta(minutes=5)
        chosen = list(plan.past_days)
        booked = 0
        day = self.today
        while booked < plan.case.upcoming and day <= self.today + dt.timedelta(days=UPCOMING_DAYS):
            if self.planner.works_on(plan.therapist, day) and fits_cadence(
                cadence=plan.modality.cadence, per_week=plan.modality.sessions_per_week, chosen=chosen, day=day
            ):
                if self._book_on(plan, day, not_before):
                    chosen.append(day)
                    booked += 1
            day += dt.timedelta(days=1)

    def _today_ahead(self) -> None:
        """Today's board and My day show sessions still ahead: when the cadences left today thin,
        book a session today for patients in remission who have none yet (Lena's first)."""
        not_before = self.now + dt.timedelta(minutes=5)
        ahead = Appointment.objects.filter(
            starts_at__gt=self.now, starts_at__lt=at_local(self.today + dt.timedelta(days=1), dt.time.min)
        )
        candidates = sorted(
            (p for p in self.plans if p.course and p.case.story == REMISSION and p.case.upcoming),
            key=lambda p: p.therapist.user.username != LENA,
        )
        for plan in candidates:
            if (
                ahead.filter(therapist=self.therapists[LENA]).count() >= TODAY_AHEAD_LENA
                and ahead.count() >= TODAY_AHEAD
            ):
                return
            if plan.therapist.user.username != LENA and ahead.count() >= TODAY_AHEAD:
                continue
            if not plan.patient.appointments.filter(
                starts_at__gte=at_local(self.today, dt.time.min),
                starts_at__lt=at_local(self.yesterday + dt.timedelta(days=2), dt.time.min),
            ).exists():
                self._book_on(plan, self.today, not_before)

    def _book_on(self, plan: _Plan, day: dt.date, not_before: dt.datetime) -> bool:
        for _attempt in range(4):
            found = self.planner.find(
                day=day,
                therapist=plan.therapist,
                patient=plan.patient,
                modality=plan.modality,
                minutes=plan.minutes,
                preferred=plan.preferred,
                not_before=not_before,
            )
            if found is None:
                return False
            starts_at, room = found
            ends_at = starts_at + dt.timedelta(minutes=plan.minutes)
            # Taken either way: booked now, or refused and not worth trying again.
            self.planner.take(
                therapist=plan.therapist, room=room, patient=plan.patient, starts_at=starts_at, ends_at=ends_at
            )
            try:
                appointment_book(
                    patient=plan.patient,
                    therapist=plan.therapist,
                    room=room,
                    starts_at=starts_at,
                    modality=plan.modality,
                    course=plan.course,
                    booked_by=self.users["reception"],
                    confirm_warnings=True,
                )
            except Refused:
                continue
            return True
        return False


PHASE_NOTES = {
    Phase.ACUTE: "Severe pain down the leg; painkillers and rest prescribed. No massage or exercise for now.",
    Phase.SUBACUTE: "Pain easing with the medication; still guarded when bending.",
    Phase.REMISSION: "Pain mild and steady. Massage and exercise therapy may start.",
}


def _round_up(moment: dt.datetime, *, minutes: int) -> dt.datetime:
    moment = moment.replace(second=0, microsecond=0) + dt.timedelta(
        minutes=1 if moment.second or moment.microsecond else 0
    )
    return moment + dt.timedelta(minutes=-moment.minute % minutes)


def _weekday_from(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def counts() -> dict[str, int]:
    now = timezone.now()
    return {
        "therapists": Therapist.objects.count(),
        "rooms": Room.objects.count(),
        "patients": Patient.objects.count(),
        "appointments": Appointment.objects.count(),
        "upcoming": Appointment.objects.filter(starts_at__gte=now, status=AppointmentStatus.BOOKED).count(),
        "needs review": Appointment.objects.filter(needs_review=True).count(),
        "signed notes": SessionNote.objects.filter(signed_at__isnull=False).count(),
    }
