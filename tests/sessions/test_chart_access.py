"""Who treats a patient (sessions.chart_access): the one home of the policy the chart, the notes,
the addenda and "My patients" ask."""

import datetime as dt

import pytest
from django.utils import timezone

from patients.models import Patient, Phase
from patients.services import break_glass_open
from sessions.chart_access import (
    _counted_sessions,
    chart_patient,
    patients_treated_by,
    therapist_may_open_chart,
    therapist_treats_patient,
)
from sessions.models import AppointmentStatus
from tests.factories import (
    AppointmentFactory,
    CourseFactory,
    DiagnosisFactory,
    PatientFactory,
    PhaseRecordFactory,
    TherapistFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ines():
    return TherapistFactory(user__username="ines")


def treats(therapist, patient) -> bool:
    return therapist_treats_patient(user=therapist.user, patient=patient)


@pytest.mark.parametrize(
    "status", [AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN, AppointmentStatus.COMPLETED]
)
def test_a_booked_checked_in_or_completed_session_makes_a_patient_hers(ines, maria, status):
    AppointmentFactory(patient=maria, therapist=ines, status=status)
    assert treats(ines, maria)


@pytest.mark.parametrize("status", [AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW])
def test_a_cancelled_or_missed_session_does_not(ines, maria, status):
    AppointmentFactory(patient=maria, therapist=ines, status=status, cancellation_reason="Booked by mistake")
    assert not treats(ines, maria)
    assert not therapist_may_open_chart(user=ines.user, patient=maria)


def test_the_assigned_therapist_treats_the_patient_before_any_session(ines, maria):
    maria.assigned_therapist = ines
    maria.save()
    assert treats(ines, maria)


def test_prescribing_a_course_makes_a_patient_hers(ines, maria):
    CourseFactory(patient=maria, prescribed_by=ines.user)
    assert treats(ines, maria)


def test_recording_a_diagnosis_makes_a_patient_hers(ines, maria):
    DiagnosisFactory(patient=maria, recorded_by=ines.user)
    assert treats(ines, maria)


def test_recording_a_phase_makes_a_patient_hers_even_without_a_course(ines, maria):
    # The acute patient without a course: whoever recorded the phase opens the chart again.
    PhaseRecordFactory(diagnosis=DiagnosisFactory(patient=maria), phase=Phase.ACUTE, recorded_by=ines.user)
    assert treats(ines, maria)
    assert therapist_may_open_chart(user=ines.user, patient=maria)


def test_nothing_of_another_patient_counts(ines, maria):
    other = PatientFactory()
    AppointmentFactory(patient=other, therapist=ines)
    CourseFactory(patient=other, prescribed_by=ines.user)
    DiagnosisFactory(patient=other, recorded_by=ines.user)
    other.assigned_therapist = ines
    other.save()
    assert not treats(ines, maria)


def test_another_therapists_work_does_not_count(ines, maria):
    anna = TherapistFactory()
    AppointmentFactory(patient=maria, therapist=anna)
    maria.assigned_therapist = anna
    maria.save()
    assert not treats(ines, maria)


def test_emergency_access_opens_the_chart_but_does_not_make_a_patient_hers(ines, maria):
    break_glass_open(user=ines.user, patient=maria, reason="Patient collapsed in the waiting room")
    assert therapist_may_open_chart(user=ines.user, patient=maria)
    assert not treats(ines, maria)
    assert maria not in patients_treated_by(user=ines.user)


def test_expired_emergency_access_no_longer_opens_the_chart(ines, maria):
    access = break_glass_open(user=ines.user, patient=maria, reason="Patient collapsed in the waiting room")
    assert not therapist_may_open_chart(user=ines.user, patient=maria, at=access.expires_at + dt.timedelta(minutes=1))


def test_the_list_of_her_patients_names_each_once_in_the_search_order(ines):
    berg = PatientFactory(first_name="Anna", last_name="Berg", assigned_therapist=ines)
    AppointmentFactory(patient=berg, therapist=ines)
    CourseFactory(patient=berg, prescribed_by=ines.user)
    adler = PatientFactory(first_name="Tom", last_name="Adler")
    DiagnosisFactory(patient=adler, recorded_by=ines.user)
    PatientFactory(first_name="Zoe", last_name="Stranger")
    AppointmentFactory(therapist=ines, status=AppointmentStatus.CANCELLED, cancellation_reason="Mistake")
    assert list(patients_treated_by(user=ines.user)) == [adler, berg]
    assert list(patients_treated_by(user=ines.user, query="berg")) == [berg]
    assert list(patients_treated_by(user=ines.user, query="zoe")) == []


def test_a_patient_of_a_past_session_stays_hers(ines, maria):
    AppointmentFactory(
        patient=maria,
        therapist=ines,
        status=AppointmentStatus.COMPLETED,
        starts_at=timezone.now() - dt.timedelta(days=400),
    )
    assert maria in patients_treated_by(user=ines.user)
    assert Patient.objects.count() == 1


@pytest.mark.parametrize("status", list(AppointmentStatus))
def test_the_chart_s_one_statement_asks_what_the_rule_asks(ines, maria, status):
    """chart_patient reads the patient with the first question of the rule, written as SQL: it
    must answer as _counted_sessions does, for every status, and for her sessions only."""
    AppointmentFactory(patient=maria, therapist=ines, status=status, cancellation_reason="Booked by mistake")
    other = TherapistFactory()
    for therapist in (ines, other):
        patient, has_session = chart_patient(pk=maria.pk, user=therapist.user)
        assert patient == maria
        assert has_session == _counted_sessions(therapist.user.pk, maria.pk).exists()
        assert therapist_may_open_chart(user=therapist.user, patient=patient, has_session=has_session) == (
            therapist_may_open_chart(user=therapist.user, patient=maria)
        )


def test_the_chart_s_statement_finds_no_patient_for_an_unknown_id(ines, maria):
    assert chart_patient(pk=maria.pk + 1000, user=ines.user) is None


def test_the_chart_s_statement_finds_no_patient_for_an_id_beyond_the_column(ines):
    assert chart_patient(pk=10**20, user=ines.user) is None
