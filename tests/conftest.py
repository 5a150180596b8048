import pytest
from django.db import connection
from django.test import Client

from clinic import roles
from sessions.booking_checks import booking_problems
from tests.factories import PatientFactory, TherapistFactory, UserFactory


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests (exclusion constraints, real concurrency) skip on SQLite."""
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: run under scripts/with-postgres")
    for item in items:
        if "postgresql" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def receptionist(db):
    return UserFactory(username="reception", role=roles.RECEPTIONIST)


@pytest.fixture
def manager(db):
    return UserFactory(username="manager", role=roles.MANAGER, is_staff=True)


@pytest.fixture
def therapist(db):
    return TherapistFactory(user__username="therapist")


@pytest.fixture
def patient_user(db):
    user = UserFactory(username="patient", role=roles.PATIENT)
    PatientFactory(user=user, email=user.email)
    return user


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rebooking_problems(appointment) -> list[str]:
    """What the booking checks would refuse about an existing appointment, itself aside: seeded
    data must read as if every session had been booked through the booking service."""
    reasons, _ = booking_problems(
        patient=appointment.patient,
        modality=appointment.modality,
        therapist=appointment.therapist,
        room=appointment.room,
        starts_at=appointment.starts_at,
        ends_at=appointment.ends_at,
        course=appointment.course,
        exclude_appointment_id=appointment.pk,
    )
    return reasons
