import pytest
from django.db import connection
from django.test import Client

from clinic import roles
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
