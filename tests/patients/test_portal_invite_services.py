"""patient_portal_invite, the service behind reception's invitation: its own refusals and the link it builds."""

import pytest
from django.core import mail

from clinic.refusals import Refused
from patients.services import patient_portal_invite
from tests.factories import PatientFactory


@pytest.fixture
def anna(db):
    return PatientFactory(first_name="Anna", last_name="Roth", email="anna.roth@example.org")


def test_the_service_refuses_an_address_too_long_to_be_a_username(receptionist):
    patient = PatientFactory(email=("a" * 150) + "@example.org")

    with pytest.raises(Refused, match="too long"):
        patient_portal_invite(patient=patient, invited_by=receptionist, base_url="https://clinic.example.org")


def test_the_service_builds_the_link_on_the_given_address(receptionist, anna):
    patient_portal_invite(patient=anna, invited_by=receptionist, base_url="https://clinic.example.org/")

    assert "https://clinic.example.org/accounts/reset/" in mail.outbox[0].body
