"""A patient's record version (patients/record_version.py): every write to the record, by any
path, gives the patient a new token and leaves every other patient's; every table the chart is
drawn from is watched; and the clock's own changes are foreseen."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.test import RequestFactory

from clinic.migrations._frozen import (
    RECORD_VERSION_TABLE,
    record_trigger_names,
    setup_trigger_names,
)
from pages.chart.views import _chart_content
from pages.portal.views import _home_content
from patients.models import Patient, RecordVersion, Study
from patients.record_version import record_steady_until, record_token
from patients.selectors import diagnoses_with_history
from sessions.models import SessionNote
from sessions.patient_export import SECTIONS
from tests.clinic.test_setup_cache import tables_read, triggers_on
from tests.factories import AddendumFactory, DiagnosisFactory, PatientFactory, PhaseRecordFactory, local
from tests.patient_data_scene import complete_record

pytestmark = pytest.mark.django_db


def watched(table: str) -> bool:
    return record_trigger_names(connection.vendor, table) <= triggers_on(table)


@pytest.fixture
def record():
    """(patient A with a row in every part of the record, patient B with a record of their own)."""
    users, objects, patient = complete_record()
    other = PatientFactory()
    DiagnosisFactory(patient=other)
    return patient, other


WATCHED_SECTIONS = [
    section
    for section in SECTIONS
    if section.model._meta.db_table
    in {
        "patients_diagnosis",
        "patients_phaserecord",
        "patients_study",
        "patients_healthflag",
        "patients_intakeresponse",
        "patients_intakeanswer",
        "patients_flagproposal",
        "patients_consentsignature",
        "treatment_sessions_course",
        "treatment_sessions_appointment",
        "treatment_sessions_sessionnote",
        "treatment_sessions_addendum",
        "treatment_sessions_outcomescore",
        "treatment_sessions_waitlistentry",
        "treatment_sessions_waitlistoffer",
    }
]


def test_the_watched_tables_are_parts_of_the_record():
    """Each table with the record's triggers is a section of the patient's record (its lookup to
    the patient is the export's): the tests below write each of them."""
    tables = {section.model._meta.db_table for section in WATCHED_SECTIONS}
    assert len(tables) == 15
    for table in tables | {"patients_patient"}:
        # Missing after a migration that SQLite carried out by rebuilding the table: the migration
        # must put the triggers back (WatchPatientRecord, clinic/migrations/_frozen.py).
        assert watched(table), table


@pytest.mark.parametrize("section", WATCHED_SECTIONS, ids=lambda section: section.model.__name__)
def test_a_change_to_any_part_of_the_record_gives_that_patient_a_new_token(record, section):
    patient, other = record
    rows = section.model.objects.filter(**{section.to_patient: patient})
    assert rows.exists()
    before, others_before = record_token(patient), record_token(other)
    rows.update(id=F("id"))  # an update that changes nothing is a write all the same
    assert record_token(patient) not in (before, None)
    assert record_token(other) == others_before


def test_adding_and_deleting_rows_give_new_tokens(record, lena):
    patient, other = record
    note = SessionNote.objects.filter(appointment__patient=patient).first()
    tokens = [record_token(patient)]
    AddendumFactory(note=note, author=lena.user)  # two tables away from the patient
    tokens.append(record_token(patient))
    Study.objects.filter(diagnosis__patient=patient).delete()
    tokens.append(record_token(patient))
    Patient.objects.filter(pk=patient.pk).update(first_name="Marie")
    tokens.append(record_token(patient))
    assert len(set(tokens)) == 4


def test_a_new_patient_has_a_token_and_a_rolled_back_write_keeps_it():
    patient = PatientFactory()
    token = record_token(patient)
    assert token
    with pytest.raises(RuntimeError), transaction.atomic():
        DiagnosisFactory(patient=patient)
        raise RuntimeError
    assert record_token(patient) == token


def test_without_a_row_there_is_no_token():
    patient = PatientFactory()
    RecordVersion.objects.filter(patient_id=patient.pk).delete()
    assert record_token(patient) is None


def test_every_table_the_chart_is_drawn_from_is_watched(record):
    """The chart's drawing reads the record and the set-up only: a table read without triggers
    would keep a chart that no longer shows the record (pages.kept_pages)."""
    patient, _ = record
    therapist = patient.appointments.first().therapist.user
    request = RequestFactory().get("/")
    request.user = therapist
    assert record_tables_watched(lambda: _chart_content(request, patient)) >= {
        "patients_diagnosis",
        "treatment_sessions_sessionnote",
        "patients_consentsignature",
    }


def test_every_table_the_portal_home_is_drawn_from_is_watched(record):
    patient, _ = record
    tables = record_tables_watched(lambda: _home_content(patient))
    assert tables >= {"treatment_sessions_appointment", "treatment_sessions_waitlistoffer"}


def record_tables_watched(read) -> set[str]:
    """The tables `read` reads with nothing kept (tests/clinic/test_setup_cache.py), once each is
    found watched by the record's triggers or the set-up's (the record's version table aside)."""
    tables = tables_read(read) - {RECORD_VERSION_TABLE}
    for table in tables:
        assert watched(table) or setup_trigger_names(connection.vendor, table) <= triggers_on(table), table
    return tables


def test_the_record_holds_until_midnight_or_a_phase_dated_ahead(maria):
    at = local(2026, 3, 10, 15, 30)
    diagnosis = DiagnosisFactory(patient=maria)
    PhaseRecordFactory(diagnosis=diagnosis, effective_from=at - dt.timedelta(days=3))
    read = diagnoses_with_history(patient=maria, at=at)
    assert record_steady_until(diagnoses=read, at=at) == local(2026, 3, 11, 0, 0)
    ahead = PhaseRecordFactory(diagnosis=diagnosis, effective_from=at + dt.timedelta(hours=2))
    read = diagnoses_with_history(patient=maria, at=at)
    assert record_steady_until(diagnoses=read, at=at) == ahead.effective_from
    assert record_steady_until(diagnoses=[], at=local(2026, 3, 10, 23, 59)) == local(2026, 3, 11, 0, 0)
