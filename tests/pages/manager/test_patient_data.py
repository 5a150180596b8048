"""The manager's page of a patient's data: the JSON download and the readable document (each
logged), and the erasure form (a tick, the typed word, the refusals shown)."""

import json

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic import roles
from clinic.audit import ERASE, EXPORT
from sessions.patient_erasure import ERASED_FIRST_NAME
from sessions.patient_export import SECTIONS
from tests.conftest import client_for, log_in_verified
from tests.factories import UserFactory
from tests.patient_data_scene import complete_record, nothing_open
from tests.scenes import shows


@pytest.fixture
def scene(db):
    users, _, patient = complete_record()
    return users, patient


def url(name: str, patient) -> str:
    return reverse(f"manager:{name}", args=[patient.pk])


def exports_logged(patient) -> list[str]:
    entries = LogEntry.objects.filter(additional_data__patient_id=patient.pk, additional_data__action=EXPORT)
    return [entry.additional_data["detail"] for entry in entries.order_by("pk")]


def test_the_page_offers_the_copies_and_the_erasure(scene):
    users, patient = scene
    response = client_for(users["manager"]).get(url("patient_data", patient))
    content = shows(
        response, "Download the data (JSON)", "Read the document", "Erasure", "must be kept until", status=200
    )
    assert 'name="csrfmiddlewaretoken"' in content
    assert url("patient_erase", patient) in content


def test_the_overview_links_a_manager_to_the_page(scene):
    users, patient = scene
    link = url("patient_data", patient)
    assert link in client_for(users["manager"]).get(url_for_overview(patient)).content.decode()
    assert link not in client_for(users["receptionist"]).get(url_for_overview(patient)).content.decode()


def url_for_overview(patient) -> str:
    return reverse("reception:patient_overview", args=[patient.pk])


def test_the_json_is_an_attachment_that_parses_and_is_logged(scene):
    users, patient = scene
    response = client_for(users["manager"]).get(url("patient_data_json", patient))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    filename = f"patient-{patient.pk}-data-{timezone.localdate():%Y-%m-%d}.json"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    export = json.loads(response.content)
    assert {section.key for section in SECTIONS} <= set(export)
    assert export["patient"]["last_name"] == patient.last_name
    assert exports_logged(patient) == ["json"]
    entry = LogEntry.objects.get(additional_data__action=EXPORT)
    assert entry.actor == users["manager"]


def test_the_document_shows_every_section_and_is_logged(scene):
    users, patient = scene
    response = client_for(users["manager"]).get(url("patient_data_document", patient))
    content = shows(response, f"Data held on {patient}", "Who read the record", "Not included, and why", status=200)
    for section in SECTIONS:
        assert f'id="{section.key}-heading"' in content
    assert "Content-Disposition" not in response
    assert exports_logged(patient) == ["html"]


def test_the_document_downloads_as_a_file(scene):
    users, patient = scene
    response = client_for(users["manager"]).get(url("patient_data_document", patient), {"download": "1"})
    assert response["Content-Disposition"].startswith(f'attachment; filename="patient-{patient.pk}-data-')
    assert response["Content-Disposition"].endswith('.html"')


@pytest.mark.parametrize("name", ["patient_data", "patient_data_json", "patient_data_document"])
@pytest.mark.parametrize("role", [roles.RECEPTIONIST, roles.THERAPIST, roles.PATIENT])
def test_only_the_manager_reaches_the_copies(scene, name, role):
    _, patient = scene
    response = client_for(UserFactory(role=role)).get(url(name, patient))
    assert response.status_code == 403
    assert exports_logged(patient) == []


def test_anonymous_visitors_are_sent_to_log_in(scene):
    _, patient = scene
    assert Client().get(url("patient_data_json", patient)).status_code == 302


def test_an_unknown_patient_is_404(scene):
    users, _ = scene
    assert client_for(users["manager"]).get(reverse("manager:patient_data_json", args=[999999])).status_code == 404


@pytest.mark.parametrize("name", ["patient_data", "patient_data_json", "patient_data_document"])
def test_the_copies_refuse_a_post(scene, name):
    users, patient = scene
    assert client_for(users["manager"]).post(url(name, patient)).status_code == 405


def test_the_erasure_refuses_a_get(scene):
    users, patient = scene
    assert client_for(users["manager"]).get(url("patient_erase", patient)).status_code == 405


@pytest.mark.parametrize("role", [roles.RECEPTIONIST, roles.THERAPIST, roles.PATIENT])
def test_only_the_manager_erases(scene, role):
    _, patient = scene
    response = client_for(UserFactory(role=role)).post(
        url("patient_erase", patient), {"understood": "on", "word": "ERASE"}
    )
    assert response.status_code == 403


def test_the_erasure_needs_the_tick_and_the_word(scene):
    users, patient = scene
    response = client_for(users["manager"]).post(url("patient_erase", patient), {"word": "erase"})
    shows(response, "Tick the box to confirm the erasure.", "Type ERASE in capitals", status=200)
    patient.refresh_from_db()
    assert patient.first_name != ERASED_FIRST_NAME


def test_the_erasure_shows_the_refusals(scene):
    users, patient = scene
    response = client_for(users["manager"]).post(url("patient_erase", patient), {"understood": "on", "word": "ERASE"})
    shows(response, "must be kept until", "still booked ahead", status=200)
    patient.refresh_from_db()
    assert patient.first_name != ERASED_FIRST_NAME


def test_the_manager_erases_a_record_past_retention(scene, settings):
    users, patient = scene
    nothing_open(patient)
    # The scene's dates are recent: a negative period puts its end before them.
    settings.CLINIC_RETENTION_YEARS = -1
    client = client_for(users["manager"])
    response = client.post(url("patient_erase", patient), {"understood": "on", "word": "ERASE"}, follow=True)
    shows(response, f"The record of patient {patient.pk} is erased", "This record was erased on", status=200)
    patient.refresh_from_db()
    assert str(patient) == f"Erased patient #{patient.pk}"
    assert LogEntry.objects.filter(additional_data__action=ERASE, actor=users["manager"]).count() == 1


def test_the_csrf_token_is_required(scene):
    users, patient = scene
    client = Client(enforce_csrf_checks=True)
    log_in_verified(client, users["manager"])
    response = client.post(url("patient_erase", patient), {"understood": "on", "word": "ERASE"})
    assert response.status_code == 403
