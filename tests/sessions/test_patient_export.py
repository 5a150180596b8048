"""The copy of everything held on a patient (sessions.patient_export): every model that points at
a patient's record is a section, every concrete field of every row is in it (but the secrets it
names), and it is JSON that parses."""

import json

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder

from patients.models import Patient
from sessions.models import Appointment
from sessions.patient_export import EXCLUDED, SECTIONS, exported_fields, patient_document, patient_export
from tests.patient_data_scene import complete_record


def models_of_a_patients_record() -> set:
    """Every model whose rows belong to one patient: those with a relation to the patient, or to
    such a row, found by walking the models' foreign keys (so a model added later is found)."""
    found = {Patient}
    grew = True
    while grew:
        grew = False
        for model in apps.get_models():
            if model in found:
                continue
            if any(f.many_to_one or f.one_to_one for f in model._meta.concrete_fields if f.related_model in found):
                found.add(model)
                grew = True
    return found - {Patient}


def exported_rows(export: dict, section) -> dict[int, dict]:
    return {row["id"]: row for row in export[section.key]}


def assert_every_field_exported(patient: Patient, export: dict) -> list[str]:
    """Each row of each section of `patient`'s record is in the export with every concrete field
    holding its value; the sections that had rows."""
    filled = []
    for section in SECTIONS:
        rows = section.model._default_manager.filter(**{section.to_patient: patient})
        exported = exported_rows(export, section)
        assert set(exported) == set(rows.values_list("pk", flat=True)), section.key
        for obj in rows:
            for f in exported_fields(section.model):
                assert exported[obj.pk][f.name] == f.value_from_object(obj), (section.key, f.name)
        if exported:
            filled.append(section.key)
    for f in exported_fields(Patient):
        assert export["patient"][f.name] == f.value_from_object(patient), f.name
    return filled


def test_every_model_of_a_patients_record_is_a_section():
    sectioned = {section.model for section in SECTIONS}
    missing = sorted(model._meta.label for model in models_of_a_patients_record() - sectioned)
    assert not missing, f"add these to sessions.patient_export.SECTIONS: {missing}"


def test_each_sections_lookup_reaches_the_patient(db):
    patient = Patient.objects.create(first_name="Ada", last_name="Lovelace", date_of_birth="1980-12-10")
    for section in SECTIONS:
        assert list(section.model._default_manager.filter(**{section.to_patient: patient})) == []


@pytest.mark.django_db
def test_a_fully_recorded_patients_export_holds_every_field_of_every_row():
    _, _, patient = complete_record()
    export = patient_export(patient=patient)
    filled = assert_every_field_exported(patient, export)
    assert filled == [section.key for section in SECTIONS], "the scene leaves a section empty"
    account = export["portal_account"]
    assert account["username"] == patient.user.username
    assert account["email"] == patient.user.email
    assert export["record_reads"], "the therapist's read of the chart"


@pytest.mark.django_db
def test_secrets_are_left_out_and_named():
    _, objects, patient = complete_record()
    body = json.dumps(patient_export(patient=patient), cls=DjangoJSONEncoder)
    assert objects["token"] not in body
    assert patient.user.password not in body
    export = json.loads(body)
    assert "calendar_token" not in export["patient"]
    assert export["patient"]["calendar_subscription"] is True
    assert "password" not in export["portal_account"]
    assert all("token_hash" not in row for row in export["kiosk_sessions"])
    assert len(export["not_exported"]) == len(EXCLUDED) + 1


@pytest.mark.django_db
def test_the_json_parses_and_has_its_sections():
    _, _, patient = complete_record()
    export = json.loads(json.dumps(patient_export(patient=patient), cls=DjangoJSONEncoder))
    expected = {"format_version", "exported_at", "patient", "portal_account", "record_reads", "not_exported"}
    assert expected | {section.key for section in SECTIONS} == set(export)
    assert export["patient"]["first_name"] == patient.first_name
    signature = export["consent_signatures"][0]
    assert signature["version_number"] == 1
    assert signature["version_text_sha256"] == signature["text_sha256"]
    assert export["intake_answers"][0]["question_text"]


@pytest.mark.django_db
def test_the_readable_document_has_every_section_with_its_rows():
    _, _, patient = complete_record()
    document = patient_document(patient=patient)
    assert [s["key"] for s in document["sections"]] == [s.key for s in SECTIONS]
    assert all(s["rows"] for s in document["sections"])
    labels = [item.label for item in document["demographics"]]
    assert "First name" in labels and "Date of birth" in labels


@pytest.mark.django_db
def test_the_demos_most_complete_patient_is_exported_field_by_field():
    call_command("seed_demo", verbosity=0)

    def parts(patient: Patient) -> int:
        return sum(s.model._default_manager.filter(**{s.to_patient: patient}).exists() for s in SECTIONS)

    most = max(Patient.objects.all(), key=lambda patient: (parts(patient), -patient.pk))
    assert Appointment.objects.filter(patient=most).exists()
    filled = assert_every_field_exported(most, patient_export(patient=most))
    assert {"diagnoses", "phase_records", "health_flags", "courses", "appointments", "session_notes"} <= set(filled)
    print(f"The demo's most complete patient, {most}: {', '.join(filled)}")
