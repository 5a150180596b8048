"""The reception tablet's kiosk sessions (patients.kiosk): only reception opens one, for one
patient; its secret is kept only as a hash; it opens nothing once ended, expired or replaced."""

import datetime as dt
import hashlib

import pytest
from django.test import override_settings

from clinic import roles
from clinic.refusals import Refused
from patients.kiosk import kiosk_end, kiosk_open, kiosk_start
from patients.models import KioskSession
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def petra():
    return UserFactory(username="petra", role=roles.RECEPTIONIST)


@pytest.fixture
def clara():
    return PatientFactory(first_name="Clara", last_name="Becker")


def test_reception_opens_the_tablet_for_one_patient_and_only_a_hash_is_kept(petra, clara):
    kiosk, token = kiosk_start(patient=clara, started_by=petra)
    assert len(token) >= 40
    assert kiosk.token_hash == hashlib.sha256(token.encode()).hexdigest() != token
    assert not KioskSession.objects.filter(token_hash=token).exists()
    assert kiosk_open(token=token) == kiosk and kiosk_open(token=token).patient == clara
    assert kiosk.expires_at - kiosk.started_at == dt.timedelta(minutes=30)


@override_settings(CLINIC_KIOSK_MINUTES=5)
def test_it_expires(petra, clara):
    kiosk, token = kiosk_start(patient=clara, started_by=petra)
    assert kiosk_open(token=token, now=kiosk.started_at + dt.timedelta(minutes=4, seconds=59)) == kiosk
    assert kiosk_open(token=token, now=kiosk.started_at + dt.timedelta(minutes=5)) is None


def test_it_ends_when_finished(petra, clara):
    kiosk, token = kiosk_start(patient=clara, started_by=petra)
    kiosk_end(kiosk=kiosk)
    assert kiosk_open(token=token) is None
    kiosk.refresh_from_db()
    assert kiosk.ended_at is not None


def test_opening_it_again_for_the_patient_ends_the_one_before(petra, clara):
    first, old = kiosk_start(patient=clara, started_by=petra)
    second, new = kiosk_start(patient=clara, started_by=petra)
    assert kiosk_open(token=old) is None and kiosk_open(token=new) == second


@pytest.mark.parametrize("token", [None, "", "not-a-token", "x" * 5000, ["a list"]])
def test_no_or_a_wrong_secret_opens_nothing(petra, clara, token):
    kiosk_start(patient=clara, started_by=petra)
    assert kiosk_open(token=token) is None


@pytest.mark.parametrize("role", [roles.THERAPIST, roles.PATIENT, None])
def test_only_reception_or_a_manager_opens_it(clara, role):
    with pytest.raises(Refused) as refused:
        kiosk_start(patient=clara, started_by=UserFactory(role=role))
    assert refused.value.reasons == ["Only reception hands the tablet to a patient."]
    assert not KioskSession.objects.exists()
    assert kiosk_start(patient=clara, started_by=UserFactory(role=roles.MANAGER))[0].pk
