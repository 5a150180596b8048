"""Registering and editing a patient: the assigned therapist reception sets, or refers them to."""

import pytest
from django.core.exceptions import ValidationError

from patients.models import Patient
from patients.services import patient_create, patient_update
from tests.factories import PatientFactory, TherapistFactory

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
