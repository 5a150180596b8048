from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import transaction
from django.test import RequestFactory, override_settings
from django.utils import timezone

from clinic import roles
from clinic.models import Closure, Modality, Room, Therapist, WorkingHours
from patients.models import (
    ContraindicationRule,
    Diagnosis,
    FlagKind,
    HealthFlag,
    Patient,
    Phase,
    PhaseRecord,
    Study,
    StudyKind,
)
from patients.selectors import diagnoses_with_current_phase
from sessions.management.seeding.demo import PASSWORD
from sessions.models import Addendum, Appointment, AppointmentStatus, Course, SessionNote
from tests.conftest import rebooking_problems

pytestmark = pytest.mark.django_db(transaction=False)

MODELS = [
    User,
    Group,
    Modality,
    Therapist,
    Room,
    WorkingHours,
    Closure,
    Patient,
    Diagnosis,
    Study,
    PhaseRecord,
    HealthFlag,
    ContraindicationRule,
    Course,
    Appointment,
    SessionNote,
    Addendum,
]
FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"
ROLE_OF = {
    "reception": roles.RECEPTIONIST,
    "therapist": roles.THERAPIST,
    "patient": roles.PATIENT,
    "manager": roles.MANAGER,
}


def model_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def first_run(django_db_setup, django_db_blocker):
    """Seed once for the whole module, inside a transaction that is rolled back at its end (as
    Django's TestCase.setUpClass does); each test runs in a savepoint within it."""
    # The demo hashes its password once, but each login check hashes again; the production hasher
    # is slow on purpose.
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=[FAST_HASHER]):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            output = seed()
            yield output, model_counts()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def seeded(first_run, db):
    return first_run


def test_a_second_run_changes_nothing(seeded):
    first_output, first_counts = seeded
    assert "Demo data loaded" in first_output

    second_output = seed()

    assert model_counts() == first_counts
    assert "nothing changed" in second_output
    for output in (first_output, second_output):
        for username in ROLE_OF:
            assert username in output
        assert PASSWORD in output


def test_it_meets_the_minimums(seeded):
    counts = model_counts()
    assert counts["Therapist"] >= 4
    assert counts["Room"] == 3
    assert counts["Patient"] >= 30
    assert Closure.objects.filter(therapist__isnull=True, starts_on__gt=timezone.localdate()).exists()
    assert Closure.objects.filter(therapist__isnull=False, starts_on__gt=timezone.localdate()).exists()
    assert HealthFlag.objects.filter(kind=FlagKind.OIL_ALLERGY).exclude(substance="").exists()
    assert HealthFlag.objects.filter(kind=FlagKind.PREGNANCY).exists()
    assert set(Study.objects.values_list("kind", flat=True)) == set(StudyKind.values)
    assert HealthFlag.objects.filter(kind=FlagKind.HYPERTENSION).count() >= 2
    assert set(Diagnosis.objects.values_list("icd10_code", flat=True)) >= {
        "M54.3",
        "M54.4",
        "M51.1",
        "M48.06",
        "M43.1",
        "G57.0",
    }
    assert Appointment.objects.filter(starts_at__gt=timezone.now(), status=AppointmentStatus.BOOKED).count() >= 20
    assert Appointment.objects.filter(needs_review=True).exists()
    assert SessionNote.objects.filter(stopped_early=True).exclude(stopped_early_reason="").exists()


def test_every_modality_has_two_therapists_and_a_room(seeded):
    for modality in Modality.objects.filter(active=True):
        assert modality.therapists.filter(active=True).count() >= 2, modality
        assert modality.rooms.filter(active=True).exists(), modality
    for therapist in Therapist.objects.all():
        weekdays = list(therapist.working_hours.values_list("weekday", flat=True))
        # A lunch break every weekday; the seeding day may also have a late shift (_present_shifts).
        assert all(weekdays.count(day) >= 2 for day in range(5)), therapist
    assert WorkingHours.objects.filter(weekday=5).exists()


def test_some_patients_are_acute_and_most_in_remission(seeded):
    now = timezone.now()
    phases = [
        diagnosis.current_phase.phase
        for patient in Patient.objects.all()
        for diagnosis in diagnoses_with_current_phase(patient=patient, at=now)
    ]
    assert phases.count(Phase.ACUTE) >= 1
    assert phases.count(Phase.REMISSION) > len(phases) / 2


def test_the_demo_patient_has_a_course_with_falling_pain_and_sessions_ahead(seeded):
    patient = Patient.objects.get(user__username="patient")
    assert patient.email == "patient@example.org"
    notes = list(SessionNote.objects.filter(appointment__patient=patient).order_by("appointment__starts_at"))
    assert len(notes) >= 5
    assert all(note.is_signed for note in notes)
    pains = [note.pain_before for note in notes]
    assert pains[0] > pains[-1]
    assert pains == sorted(pains, reverse=True)
    assert any(note.areas_treated for note in notes)
    assert patient.appointments.filter(starts_at__gt=timezone.now(), status=AppointmentStatus.BOOKED).exists()
    current = diagnoses_with_current_phase(patient=patient, at=timezone.now())
    assert [d.current_phase.phase for d in current] == [Phase.REMISSION]


def test_future_sessions_obey_the_booking_rules(seeded):
    """Each one would still be accepted (itself aside), unless an acute phase has flagged it."""
    upcoming = Appointment.objects.filter(starts_at__gt=timezone.now(), status=AppointmentStatus.BOOKED)
    for appointment in upcoming.select_related("patient", "modality", "therapist__user", "room", "course"):
        reasons = rebooking_problems(appointment)
        if appointment.needs_review:
            assert reasons and all(reason.startswith("Acute phase") for reason in reasons)
        else:
            assert reasons == [], (appointment, reasons)


def test_no_resource_is_booked_twice_at_once(seeded):
    taken = Appointment.objects.exclude(status=AppointmentStatus.CANCELLED).order_by("starts_at")
    for resource in ("therapist_id", "room_id", "patient_id"):
        last_end = {}
        for appointment in taken:
            key = getattr(appointment, resource)
            assert key not in last_end or last_end[key] <= appointment.starts_at, (resource, appointment)
            last_end[key] = max(last_end.get(key, appointment.ends_at), appointment.ends_at)


def test_each_demo_login_works_with_its_role(seeded):
    for username, role in ROLE_OF.items():
        user = authenticate(RequestFactory().post("/accounts/login/"), username=username, password=PASSWORD)
        assert user is not None, username
        assert roles.user_roles(user) == {role}
        assert not user.is_superuser
        assert user.is_staff == (role == roles.MANAGER)
    therapist = Therapist.objects.get(user__username="therapist")
    assert therapist.appointments.filter(starts_at__gt=timezone.now()).exists()
    assert Therapist.objects.filter(user__groups__name=roles.THERAPIST).count() == Therapist.objects.count()
