"""Registering and editing a patient: reception's fields only, the model's own rules enforced."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from patients.models import Patient
from patients.services import patient_create, patient_update
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DETAILS = {"first_name": "Jana", "last_name": "Novak", "date_of_birth": dt.date(1984, 5, 2), "phone": "030 555 0101"}


def test_it_registers_a_patient_with_the_details_reception_entered():
    patient = patient_create(**DETAILS)

    assert Patient.objects.get(pk=patient.pk).phone == "030 555 0101"


@pytest.mark.parametrize("service", ["create", "update"])
def test_it_refuses_to_set_a_field_reception_does_not_edit(service):
    login = UserFactory()
    with pytest.raises(TypeError, match="cannot set user"):
        if service == "create":
            patient_create(**DETAILS, user=login)
        else:
            patient_update(patient=patient_create(**DETAILS), user=login)
    assert not Patient.objects.filter(user=login).exists()


def test_it_refuses_a_patient_without_a_name_and_saves_nothing():
    with pytest.raises(ValidationError):
        patient_create(**{**DETAILS, "last_name": ""})
    assert not Patient.objects.exists()
