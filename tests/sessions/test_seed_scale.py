"""`manage.py seed_scale` on small numbers: what it makes, that the data keeps the booking rules
(on PostgreSQL the exclusion constraints check them too), and that a seed gives the same rows."""

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic import roles
from clinic.models import Closure, Location, Room, Therapist, WorkingHours
from patients.models import Diagnosis, HealthFlag, Patient, Phase, PhaseRecord, Study
from patients.selectors import diagnoses_with_current_phase
from sessions.management.seeding import scale
from sessions.models import Addendum, Appointment, AppointmentStatus, Course, CourseStatus, SessionNote
from sessions.note_seal import note_hash_matches
from sessions.schedule import Schedule, local_date
from tests.conftest import rebooking_problems
from tests.factories import PatientFactory, TherapistFactory

pytestmark = pytest.mark.django_db

SMALL = ["--therapists", "3", "--rooms", "2", "--patients", "50", "--years", "0.1", "--seed", "7"]
MODELS = [
    User,
    Therapist,
    Room,
    WorkingHours,
    Closure,
    Patient,
    HealthFlag,
    Diagnosis,
    Study,
    PhaseRecord,
    Course,
    Appointment,
    SessionNote,
    Addendum,
]
OVERLAPPING_PAIRS = """
    SELECT count(*) FROM treatment_sessions_appointment a
    JOIN treatment_sessions_appointment b ON a.id < b.id
    WHERE a.status <> 'cancelled' AND b.status <> 'cancelled'
      AND a.{resource}_id = b.{resource}_id AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
"""


def seed(*extra: str) -> str:
    out = StringIO()
    call_command("seed_scale", *SMALL, *extra, stdout=out)
    return out.getvalue()


def dump() -> dict[str, list[tuple]]:
    """Every row the command writes, without the ids the database hands out itself.

    A note is named by its session: after --flush new notes take ids above those the append-only
    audit log still holds, so a second seed numbers the same notes differently."""
    rows = {}
    for model in MODELS:
        names = [_stable(f) for f in model._meta.concrete_fields if f.attname not in ("id", "password", "last_login")]
        rows[model._meta.label] = list(model.objects.order_by(*names).values_list(*names))
    return rows


def _stable(field) -> str:
    return f"{field.name}__appointment_id" if field.related_model is SessionNote else field.attname


def acute_at_session(appointment: Appointment) -> bool:
    """The session's patient has a diagnosis in its acute phase when the session starts."""
    current = diagnoses_with_current_phase(patient=appointment.patient, at=appointment.starts_at)
    return any(d.current_phase and d.current_phase.phase == Phase.ACUTE for d in current)


@pytest.fixture
def seeded():
    seed()


@pytest.mark.usefixtures("seeded")
def test_it_makes_a_practice_of_the_size_asked():
    assert Therapist.objects.count() == 3
    assert Room.objects.count() == 2
    assert Patient.objects.count() == 50
    assert set(WorkingHours.objects.values_list("therapist_id", flat=True)) == set(
        Therapist.objects.values_list("pk", flat=True)
    )
    assert Closure.objects.filter(therapist__isnull=False).exists()
    assert Diagnosis.objects.exists() and Study.objects.exists() and PhaseRecord.objects.exists()
    assert HealthFlag.objects.exists()
    today = timezone.localdate()
    past = Appointment.objects.filter(starts_at__lt=timezone.make_aware(dt.datetime.combine(today, dt.time())))
    assert past.filter(status=AppointmentStatus.COMPLETED).count() > 100
    assert past.filter(status=AppointmentStatus.BOOKED).count() == 0
    assert Appointment.objects.filter(status=AppointmentStatus.BOOKED, starts_at__gt=timezone.now()).exists()
    assert Course.objects.filter(status=CourseStatus.ACTIVE).exists()


@pytest.mark.usefixtures("seeded")
def test_every_held_session_has_a_signed_note_with_a_valid_fingerprint():
    held = Appointment.objects.filter(status=AppointmentStatus.COMPLETED)
    assert SessionNote.objects.count() == held.count()
    assert not Appointment.objects.exclude(status=AppointmentStatus.COMPLETED).filter(note__isnull=False).exists()
    signed = list(SessionNote.objects.filter(signed_at__isnull=False))
    assert len(signed) > 0.9 * held.count()
    assert all(note_hash_matches(note) for note in signed)
    assert all(note.signed_by_id == note.author_id for note in signed)


@pytest.mark.usefixtures("seeded")
@pytest.mark.parametrize("resource", ["therapist", "room", "patient"])
def test_no_one_and_no_room_is_booked_twice_at_once(resource):
    with connection.cursor() as cursor:
        cursor.execute(OVERLAPPING_PAIRS.format(resource=resource))
        assert cursor.fetchone()[0] == 0


@pytest.mark.usefixtures("seeded")
def test_sessions_fall_inside_working_hours_and_outside_closures():
    appointments = list(Appointment.objects.exclude(status=AppointmentStatus.CANCELLED))
    days = [local_date(a.starts_at) for a in appointments]
    schedule = Schedule.load(
        starts_on=min(days), ends_on=max(days), therapists=Therapist.objects.all(), rooms=Room.objects.all()
    )
    for appointment, day in zip(appointments, days, strict=True):
        assert schedule.within_hours(appointment.therapist_id, appointment.starts_at, appointment.ends_at)
        assert schedule.closure_on(appointment.therapist_id, day) is None
        assert appointment.therapist.modalities.filter(pk=appointment.modality_id).exists()
        assert appointment.room.modalities.filter(pk=appointment.modality_id).exists()


@pytest.mark.usefixtures("seeded")
def test_every_session_ahead_passes_the_booking_checks_or_waits_for_review():
    ahead = Appointment.objects.filter(status=AppointmentStatus.BOOKED, starts_at__gt=timezone.now())
    for appointment in ahead.select_related("patient", "modality", "therapist__user", "room", "course"):
        if appointment.needs_review:
            assert acute_at_session(appointment)
            continue
        reasons = rebooking_problems(appointment)
        assert reasons == [], (appointment, reasons)


# Days on which a remission in the history once fell on the same moment as the flare-up, which
# then was not the current phase: the flagged sessions must belong to an acute patient on any day.
@pytest.mark.parametrize("today", [dt.date(2026, 12, 4), dt.date(2026, 12, 16)])
def test_the_sessions_flagged_for_review_belong_to_a_patient_who_is_acute_on_any_day(today):
    options = scale.ScaleOptions(therapists=3, rooms=2, patients=50, years=0.1, seed=7, today=today)
    scale.ScaleSeeder(options, log=None).run()
    flagged = Appointment.objects.filter(needs_review=True).select_related("patient")
    assert flagged
    for appointment in flagged:
        assert acute_at_session(appointment), appointment


@pytest.mark.usefixtures("seeded")
def test_the_practice_has_sites_and_books_each_session_at_the_site_of_the_hours():
    """Three sites with 20 rooms; two with the test's two rooms (one room a site at least)."""
    assert Location.objects.count() == 2
    assert set(Room.objects.values_list("location_id", flat=True)) == set(Location.objects.values_list("pk", flat=True))
    site_of = dict(WorkingHours.objects.values_list("therapist_id", "location_id"))
    rows = Appointment.objects.values_list("therapist_id", "room__location_id")
    assert rows and all(site_of[therapist] == site for therapist, site in rows)


@pytest.mark.usefixtures("seeded")
def test_the_logins_work_for_each_role():
    for username, role in [
        (scale.RECEPTION_USERNAME, roles.RECEPTIONIST),
        (scale.MANAGER_USERNAME, roles.MANAGER),
        ("scale.therapist01", roles.THERAPIST),
    ]:
        assert _logs_in(username), username
        assert roles.has_role(User.objects.get(username=username), role)
    portal = list(Patient.objects.filter(user__isnull=False).select_related("user"))
    assert all(p.user.email == p.email and roles.has_role(p.user, roles.PATIENT) for p in portal)
    assert portal and _logs_in(portal[0].email)


def _logs_in(username: str) -> bool:
    """Through the log-in form, as the benchmark does."""
    client = Client()
    data = {"username": username, "password": scale.SCALE_PASSWORD}
    response = client.post(reverse("login"), data, secure=True)
    return response.status_code == 302 and "_auth_user_id" in client.session


def test_the_same_seed_gives_the_same_rows():
    seed()
    first = dump()
    seed("--flush")
    assert dump() == first


def test_another_seed_gives_other_rows():
    seed()
    first = dump()
    call_command("seed_scale", *SMALL[:-1], "8", "--flush", stdout=StringIO())
    assert dump() != first


def test_it_refuses_a_database_that_has_data():
    PatientFactory()
    with pytest.raises(CommandError, match="--flush"):
        seed()
    assert Patient.objects.count() == 1


def test_force_adds_to_the_data_already_there():
    PatientFactory()
    TherapistFactory()
    seed("--force")
    assert Patient.objects.count() == 51
    assert Therapist.objects.count() == 4


def test_flush_replaces_what_was_there_and_keeps_the_superusers():
    admin = User.objects.create_superuser("root", "root@example.org", "a-long-enough-password")
    PatientFactory(first_name="Zebedee")
    seed("--flush")
    assert not Patient.objects.filter(first_name="Zebedee").exists()
    assert Patient.objects.count() == 50
    assert User.objects.filter(pk=admin.pk).exists()


@pytest.mark.parametrize("bad", [["--therapists", "0"], ["--years", "-1"]])
def test_it_rejects_impossible_numbers(bad):
    with pytest.raises(CommandError):
        call_command("seed_scale", *bad, stdout=StringIO())
