"""The chart's "Can be treated now?" box from the rows the chart reads anyway
(patient_booking_status_of_record): the very result patient_booking_status reads for itself,
whatever the record holds, in one query instead of six."""

import datetime as dt

import pytest
from django.utils import timezone

from clinic import roles
from patients.consent import consent_sign, consent_states, consent_topics_current, consent_version_publish
from patients.contraindications import patient_booking_status, patient_booking_status_of_record
from patients.models import ConsentTopic, FlagKind, Phase, RuleEffect, Via
from patients.selectors import diagnoses_with_history
from tests.factories import (
    ContraindicationRuleFactory,
    DiagnosisFactory,
    HealthFlagFactory,
    PhaseRecordFactory,
    UserFactory,
)
from tests.scenes import consent_rule

pytestmark = pytest.mark.django_db


def of_record(patient, at):
    flags = list(patient.health_flags.select_related("recorded_by").order_by("kind", "substance", "pk"))
    return patient_booking_status_of_record(
        diagnoses=diagnoses_with_history(patient=patient, at=at),
        flags=flags,
        consents=consent_states(patient=patient),
        at=at,
    )


def sign(patient, version):
    name = f"{patient.first_name} {patient.last_name}"
    return consent_sign(patient=patient, version=version, typed_name=name, agreed=True, channel=Via.PORTAL)


@pytest.fixture
def full_record(maria_keller, massage, cupping):
    """Something of everything the check reads: acute, remission and future phases on active and
    inactive diagnoses; flags past, current, ending today and ahead, two oils of one kind; rules for
    all modalities, for one, for oils only; consents signed, signed in an earlier version, unsigned."""
    now = timezone.now()
    today = timezone.localdate()
    berg = UserFactory(username="berg", first_name="Anna", last_name="Berg", role=roles.THERAPIST)
    sciatica = DiagnosisFactory(patient=maria_keller, icd10_code="M54.3", title="Sciatica")
    PhaseRecordFactory(
        diagnosis=sciatica, phase=Phase.ACUTE, effective_from=now - dt.timedelta(days=20), recorded_by=berg
    )
    PhaseRecordFactory(diagnosis=sciatica, phase=Phase.REMISSION, effective_from=now + dt.timedelta(days=3))
    lumbago = DiagnosisFactory(patient=maria_keller, icd10_code="M54.5", title="Lumbago")
    PhaseRecordFactory(diagnosis=lumbago, phase=Phase.SUBACUTE, effective_from=now - dt.timedelta(days=50))
    PhaseRecordFactory(diagnosis=lumbago, phase=Phase.ACUTE, effective_from=now + dt.timedelta(days=1))
    old = DiagnosisFactory(patient=maria_keller, icd10_code="M51.1", title="Disc herniation", active=False)
    PhaseRecordFactory(diagnosis=old, phase=Phase.ACUTE, effective_from=now - dt.timedelta(days=5))
    DiagnosisFactory(patient=maria_keller, icd10_code="M62.8", title="Myalgia")  # no phase yet
    for substance in ("lavender oil", "Almond oil", "ylang-ylang"):
        HealthFlagFactory(patient=maria_keller, kind=FlagKind.OIL_ALLERGY, substance=substance, active_from=today)
    HealthFlagFactory(patient=maria_keller, kind=FlagKind.HYPERTENSION, active_to=today - dt.timedelta(days=1))
    HealthFlagFactory(patient=maria_keller, kind=FlagKind.SKIN_CONDITION, active_to=today)
    HealthFlagFactory(
        patient=maria_keller, kind=FlagKind.PREGNANCY, active_from=today + dt.timedelta(days=2), active_to=None
    )
    HealthFlagFactory(patient=maria_keller, kind=FlagKind.FEVER_INFECTION, active_from=today - dt.timedelta(days=30))
    ContraindicationRuleFactory(flag_kind=FlagKind.PREGNANCY, modality=cupping, effect=RuleEffect.BLOCK)
    ContraindicationRuleFactory(flag_kind=FlagKind.SKIN_CONDITION, modality=massage, effect=RuleEffect.WARN)
    consent_rule(RuleEffect.WARN)
    consent_rule(RuleEffect.BLOCK, modality=cupping)
    consent_rule(RuleEffect.BLOCK, oil_modalities_only=True)
    versions = dict((t.name, v) for t, v in consent_topics_current())
    sign(maria_keller, versions["Massage"])
    sign(maria_keller, versions["Cupping"])
    manager = UserFactory(username="karin", role=roles.MANAGER)
    consent_version_publish(
        topic=ConsentTopic.objects.get(name="Cupping"), text="Cupping, new text.", created_by=manager
    )
    return maria_keller


@pytest.mark.parametrize("days", [-40, -1, 0, 1, 2, 4])
def test_the_chart_box_says_what_the_check_says(full_record, days):
    at = timezone.now() + dt.timedelta(days=days)
    expected = patient_booking_status(patient=full_record, at=at)
    assert of_record(full_record, at) == expected
    assert expected.blocks or expected.warnings


def test_for_an_empty_record_too(maria_keller):
    at = timezone.now()
    assert of_record(maria_keller, at) == patient_booking_status(patient=maria_keller, at=at)


def test_the_rules_are_its_one_query(full_record, django_assert_num_queries):
    at = timezone.now()
    diagnoses = diagnoses_with_history(patient=full_record, at=at)
    flags = list(full_record.health_flags.order_by("kind", "substance", "pk"))
    consents = consent_states(patient=full_record)
    with django_assert_num_queries(2):  # the set-up's version token, and the rules it has not kept yet
        first = patient_booking_status_of_record(diagnoses=diagnoses, flags=flags, consents=consents, at=at)
    with django_assert_num_queries(1):  # the token: the rules are kept (clinic/setup_cache.py)
        again = patient_booking_status_of_record(diagnoses=diagnoses, flags=flags, consents=consents, at=at)
    assert again == first and (first.blocks or first.warnings)
