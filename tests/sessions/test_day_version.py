"""A day's version (sessions/day_version.py): what is booked on the day, and the records of the
day's patients, give it a new token; other days and other patients do not."""

import datetime as dt

import pytest

from patients.models import HealthFlag, RecordVersion
from sessions.day_version import day_token
from sessions.models import Appointment
from tests.factories import AppointmentFactory, HealthFlagFactory, PatientFactory, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(maria, massage, anna, linden, monday):
    return AppointmentFactory(patient=maria, modality=massage, therapist=anna, room=linden, starts_at=at(monday, 9))


def test_a_session_booked_onto_the_day_or_moved_off_it_gives_a_new_token(booked, massage, anna, linden, monday):
    empty_day = day_token(monday - dt.timedelta(days=1))
    before = day_token(monday)
    AppointmentFactory(modality=massage, therapist=anna, room=linden, starts_at=at(monday, 11))
    after_booking = day_token(monday)
    tuesday = monday + dt.timedelta(days=1)
    Appointment.objects.filter(pk=booked.pk).update(starts_at=at(tuesday, 9), ends_at=at(tuesday, 10))
    after_move = day_token(monday)
    assert len({before, after_booking, after_move}) == 3
    assert day_token(monday - dt.timedelta(days=1)) == empty_day


def test_the_record_of_a_patient_of_the_day_gives_a_new_token_and_another_s_does_not(booked, maria, monday):
    before = day_token(monday)
    HealthFlagFactory(patient=PatientFactory())  # not seen that day
    assert day_token(monday) == before
    HealthFlagFactory(patient=maria)
    assert day_token(monday) != before
    flagged = day_token(monday)
    HealthFlag.objects.filter(patient=maria).delete()
    assert day_token(monday) not in (before, flagged)


def test_a_patient_of_the_day_without_a_record_version_leaves_the_day_without_one(booked, maria, monday):
    RecordVersion.objects.filter(patient_id=maria.pk).delete()
    assert day_token(monday) is None
