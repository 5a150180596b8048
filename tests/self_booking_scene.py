"""The self-booking scene, shared by the service's tests (tests/sessions/test_self_booking.py) and
the portal's pages (tests/pages/portal/test_portal_self_booking.py): a test module imports both
fixtures, which stand in there for the conftest's `maria`."""

import pytest

from patients.models import Patient
from sessions.models import Course
from tests.factories import CourseFactory
from tests.scenes import portal_patient


@pytest.fixture(name="maria")
def self_booking_maria(db) -> Patient:
    """Maria Keller, who books her own sessions in the portal."""
    return portal_patient(email="maria.keller@example.org", first_name="Maria", last_name="Keller")


@pytest.fixture(name="course")
def self_booking_course(maria, back_massage, anna_berg) -> Course:
    """Anna prescribed Maria ten back massages, free cadence (one day at least between two)."""
    return CourseFactory(
        patient=maria, modality=back_massage, prescribed_by=anna_berg.user, min_sessions=10, max_sessions=10
    )
