"""What the contraindication check reads of the records, in one statement
(patients/against_treatment.py): the acute diagnoses, the active flags and the consents signed, by
the same rules as the record's other readers, for one patient or many."""

import datetime as dt

import pytest
from django.utils import timezone

from patients.against_treatment import against_treatment_read
from patients.consent import consent_sign, consent_topics_current, consent_version_publish
from patients.models import FlagKind, Phase, Via
from tests.factories import DiagnosisFactory, HealthFlagFactory, PatientFactory, PhaseRecordFactory
from tests.scenes import consents_signed

pytestmark = pytest.mark.django_db

NOW = timezone.now()
TODAY = timezone.localdate(NOW)  # the clinic's day, which a flag's days are counted in


def acute(read, patient) -> list[tuple[str, str]]:
    return [(d.icd10_code, d.current_phase.phase) for d in read.acute.get(patient.pk, [])]


def test_many_patients_are_read_in_one_statement(django_assert_num_queries):
    patients = [PatientFactory() for _ in range(4)]
    HealthFlagFactory(patient=patients[1], kind=FlagKind.PREGNANCY)
    with django_assert_num_queries(1):
        read = against_treatment_read(patient_ids=[p.pk for p in patients], at=NOW)
    assert read.acute == {}
    assert {pk: [f.kind for f in flags] for pk, flags in read.flags.items()} == {patients[1].pk: [FlagKind.PREGNANCY]}


def test_no_patient_is_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert against_treatment_read(patient_ids=[], at=NOW).flags == {}


def test_an_acute_phase_comes_with_its_diagnosis_and_recorder_in_a_second_query(
    maria_keller, django_assert_num_queries
):
    record = PhaseRecordFactory(diagnosis__patient=maria_keller, phase=Phase.ACUTE, effective_from=NOW)
    with django_assert_num_queries(2):
        (diagnosis,) = against_treatment_read(patient_ids=[maria_keller.pk], at=NOW).acute[maria_keller.pk]
        assert (diagnosis.title, diagnosis.current_phase.recorded_by) == ("Sciatica", record.recorded_by)


def test_the_current_phase_is_the_latest_in_effect_at_the_moment_asked(maria_keller):
    calmed = DiagnosisFactory(patient=maria_keller, icd10_code="M54.3")
    PhaseRecordFactory(diagnosis=calmed, phase=Phase.ACUTE, effective_from=NOW - dt.timedelta(days=9))
    PhaseRecordFactory(diagnosis=calmed, phase=Phase.SUBACUTE, effective_from=NOW - dt.timedelta(days=2))
    flaring = DiagnosisFactory(patient=maria_keller, icd10_code="M51.1")
    PhaseRecordFactory(diagnosis=flaring, phase=Phase.REMISSION, effective_from=NOW - dt.timedelta(days=9))
    PhaseRecordFactory(diagnosis=flaring, phase=Phase.ACUTE, effective_from=NOW + dt.timedelta(hours=1))

    assert acute(against_treatment_read(patient_ids=[maria_keller.pk], at=NOW), maria_keller) == []
    a_week_ago = against_treatment_read(patient_ids=[maria_keller.pk], at=NOW - dt.timedelta(days=7))
    assert acute(a_week_ago, maria_keller) == [("M54.3", Phase.ACUTE)]
    later = against_treatment_read(patient_ids=[maria_keller.pk], at=NOW + dt.timedelta(hours=1))
    assert acute(later, maria_keller) == [("M51.1", Phase.ACUTE)]


def test_of_two_phases_from_the_same_moment_the_one_recorded_last_counts(maria_keller):
    diagnosis = DiagnosisFactory(patient=maria_keller)
    PhaseRecordFactory(diagnosis=diagnosis, phase=Phase.SUBACUTE, effective_from=NOW)
    PhaseRecordFactory(diagnosis=diagnosis, phase=Phase.ACUTE, effective_from=NOW)
    assert acute(against_treatment_read(patient_ids=[maria_keller.pk], at=NOW), maria_keller) == [("M54.3", "acute")]


def test_an_inactive_diagnosis_blocks_nothing(maria_keller):
    PhaseRecordFactory(diagnosis__patient=maria_keller, diagnosis__active=False, phase=Phase.ACUTE)
    assert against_treatment_read(patient_ids=[maria_keller.pk], at=NOW).acute == {}


def test_acute_diagnoses_come_newest_first(maria_keller):
    for code, day in (("M54.3", dt.date(2026, 1, 10)), ("M51.1", dt.date(2026, 3, 1)), ("M54.5", dt.date(2026, 2, 1))):
        PhaseRecordFactory(
            diagnosis__patient=maria_keller, diagnosis__icd10_code=code, diagnosis__diagnosed_on=day, phase=Phase.ACUTE
        )
    codes = [code for code, _ in acute(against_treatment_read(patient_ids=[maria_keller.pk], at=NOW), maria_keller)]
    assert codes == ["M51.1", "M54.5", "M54.3"]


def test_a_flag_counts_from_its_first_day_to_its_last(maria_keller):
    HealthFlagFactory(patient=maria_keller, kind=FlagKind.PREGNANCY, active_from=TODAY)
    HealthFlagFactory(patient=maria_keller, kind=FlagKind.HYPERTENSION, active_to=TODAY)
    HealthFlagFactory(patient=maria_keller, kind=FlagKind.OTHER, substance="ended", active_to=TODAY - dt.timedelta(1))
    HealthFlagFactory(patient=maria_keller, kind=FlagKind.OTHER, substance="ahead", active_from=TODAY + dt.timedelta(1))
    flags = against_treatment_read(patient_ids=[maria_keller.pk], at=NOW).flags[maria_keller.pk]
    assert sorted(flag.kind for flag in flags) == sorted([FlagKind.PREGNANCY, FlagKind.HYPERTENSION])
    assert [flag.note for flag in flags] == ["", ""]  # the rest of a row is read when asked for


def test_the_newest_version_signed_of_each_topic_asked_about(maria_keller, manager):
    consents_signed(maria_keller)
    topics = {topic.pk: (topic, version) for topic, version in consent_topics_current()}
    asked, other = list(topics)[:2]
    topic, version = topics[asked]
    newer = consent_version_publish(topic=topic, text="A new text.", created_by=manager)
    consent_sign(patient=maria_keller, version=newer, typed_name="Maria Keller", agreed=True, channel=Via.PORTAL)
    read = against_treatment_read(patient_ids=[maria_keller.pk, PatientFactory().pk], at=NOW, topic_ids=[asked])
    assert read.signed == {maria_keller.pk: {asked: newer.number}}
    assert other not in read.signed[maria_keller.pk]
