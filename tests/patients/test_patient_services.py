"""Registering and editing a patient: reception's fields only, the model's own rules enforced, and the
assigned therapist reception sets, or refers them to."""

import pytest
from django.core.exceptions import ValidationError

from patients.models import Patient
from patients.services import patient_create, patient_update
from tests.factories import PatientFactory, TherapistFactory, UserFactory

pytestmark = pytest.mark.django_db

DETAILS = {"first_name": "Clara", "last_name": "Becker", "date_of_birth": "1980-03-02", "phone": "+49 30 555 0101"}


def test_a_patient_is_registered_with_an_assigned_therapist():
    ines = TherapistFactory()
    patient = patient_create(**DETAILS, assigned_therapist=ines)
    assert Patient.objects.get(pk=patient.pk).assigned_therapist == ines


def test_a_patient_is_registered_without_one():
    assert patient_create(**DETAILS).assigned_therapist is None


def test_a_patient_is_referred_to_another_therapist_and_back_to_none():
    first, second = TherapistFactory(), TherapistFactory()
    patient = PatientFactory(assigned_therapist=first)
    patient_update(patient=patient, assigned_therapist=second)
    assert Patient.objects.get(pk=patient.pk).assigned_therapist == second
    patient_update(patient=patient, assigned_therapist=None)
    assert Patient.objects.get(pk=patient.pk).assigned_therapist is None


def test_a_therapist_who_has_left_is_refused_for_a_new_assignment():
    gone = TherapistFactory(active=False)
    with pytest.raises(ValidationError) as caught:
        patient_create(**DETAILS, assigned_therapist=gone)
    assert caught.value.message_dict["assigned_therapist"] == [
        f"{gone} no longer works at the clinic; assign a therapist who does."
    ]
    assert not Patient.objects.exists()
    patient = PatientFactory()
    with pytest.raises(ValidationError):
        patient_update(patient=patient, assigned_therapist=gone)
    assert Patient.objects.get(pk=patient.pk).assigned_therapist is None


def test_a_patient_keeps_a_therapist_who_has_left_since_while_other_details_change():
    therapist = TherapistFactory()
    patient = PatientFactory(assigned_therapist=therapist)
    therapist.active = False
    therapist.save()
    patient_update(patient=patient, phone="+49 30 555 0999", assigned_therapist=therapist)
    assert Patient.objects.get(pk=patient.pk).phone == "+49 30 555 0999"


def test_it_registers_a_patient_with_the_details_reception_entered():
    patient = patient_create(**DETAILS)

    assert Patient.objects.get(pk=patient.pk).phone == "+49 30 555 0101"


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
