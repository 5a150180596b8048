import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from patients.models import Patient
from tests.conftest import client_for
from tests.factories import PatientFactory
from tests.pages.reception.patient_form import BAD_INPUT, BAD_INPUT_IDS, field_html, typed
from tests.scenes import asks_to_log_in, shows

URL = reverse("reception:patient_create")
VALID = {
    "first_name": "Anna",
    "last_name": "Berg",
    "date_of_birth": "1975-04-12",
    "phone": "+49 30 555 0123",
    "email": "anna.berg@example.org",
    "consent_on": "2026-01-15",
}


def test_it_shows_an_empty_form_with_labels(reception):
    response = reception.get(URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert "csrfmiddlewaretoken" in content
    for name, label in [
        ("first_name", "First name"),
        ("last_name", "Last name"),
        ("date_of_birth", "Date of birth"),
        ("phone", "Phone"),
        ("email", "E-mail"),
        ("consent_on", "Consent given on"),
    ]:
        assert re.search(rf'<label\s+for="id_{name}"[^>]*>\s*{label}', content), name
    # The confirmation box only appears once there is a namesake to confirm against.
    assert "different_person" not in content


def test_it_registers_a_patient_and_opens_their_page(reception):
    response = reception.post(URL, VALID)
    patient = Patient.objects.get()
    assert response.status_code == 302
    assert response.url == patient.get_absolute_url()
    assert (patient.first_name, patient.last_name) == ("Anna", "Berg")
    assert patient.date_of_birth == dt.date(1975, 4, 12)
    assert patient.phone == "+49 30 555 0123"
    assert patient.email == "anna.berg@example.org"
    assert patient.consent_on == dt.date(2026, 1, 15)
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Anna Berg is registered."]


@pytest.mark.parametrize("missing", ["phone", "email"])
def test_it_registers_a_patient_with_one_way_of_contact(reception, missing):
    assert reception.post(URL, {**VALID, missing: "", "consent_on": ""}).status_code == 302
    patient = Patient.objects.get()
    assert getattr(patient, missing) == ""
    assert patient.consent_on is None


def test_it_accepts_a_date_of_birth_typed_the_local_way(reception):
    reception.post(URL, {**VALID, "date_of_birth": "12.04.1975"})
    assert Patient.objects.get().date_of_birth == dt.date(1975, 4, 12)


def test_it_tidies_spaces_in_names_and_phone(reception):
    reception.post(URL, {**VALID, "first_name": "  Anna  Maria ", "phone": " 030  555 0123 "})
    patient = Patient.objects.get()
    assert patient.first_name == "Anna Maria"
    assert patient.phone == "030 555 0123"


@pytest.mark.parametrize(("changes", "field", "message"), BAD_INPUT, ids=BAD_INPUT_IDS)
def test_it_explains_bad_input_next_to_the_field_and_saves_nothing(reception, changes, field, message):
    response = reception.post(URL, {**VALID, **typed(changes)})
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert message in field_html(response.content.decode(), field)
    assert "Nothing is saved yet" in response.content.decode()
    assert not Patient.objects.exists()


@pytest.fixture
def existing(db):
    return PatientFactory(first_name="Anna", last_name="Berg", date_of_birth=dt.date(1975, 4, 12), phone="0171 999")


def test_it_warns_about_a_patient_with_the_same_name_and_birthday(reception, existing):
    response = reception.post(URL, {**VALID, "first_name": "ANNA", "last_name": "berg"})
    assert response.status_code == 200
    assert Patient.objects.count() == 1
    content = shows(
        response,
        "A patient with the same name and date of birth is already in the records",
        f'href="{existing.get_absolute_url()}"',
        "12.04.1975",
    )
    assert re.search(r'<label\s+for="id_different_person"', content)
    assert "This is a different person" in content
    assert "tick this box if this is someone else" in field_html(content, "different_person")
    # Said once: the warning names the records, the box's error says what to do.
    assert content.count("name and date of birth") == 1
    assert content.count("someone else") == 1
    # Only the namesake is in question, so the page does not claim the entries are wrong.
    assert "Nothing is saved yet" not in content


def test_it_registers_the_namesake_once_reception_confirms_it_is_someone_else(reception, existing):
    response = reception.post(URL, {**VALID, "different_person": "on"})
    assert response.status_code == 302
    assert Patient.objects.filter(first_name="Anna", last_name="Berg").count() == 2
    assert response.url == Patient.objects.latest("pk").get_absolute_url()


def test_it_keeps_the_warning_when_the_confirmed_form_has_another_error(reception, existing):
    response = reception.post(URL, {**VALID, "different_person": "on", "phone": "12"})
    assert response.status_code == 200
    assert response.context["form"].same_identity == [existing]
    assert "different_person" not in response.context["form"].errors
    assert Patient.objects.count() == 1


def test_it_does_not_warn_about_the_same_name_born_on_another_day(reception, existing):
    response = reception.post(URL, {**VALID, "date_of_birth": "1975-04-13"})
    assert response.status_code == 302
    assert Patient.objects.count() == 2


def test_managers_may_register_patients(manager):
    assert client_for(manager).post(URL, VALID).status_code == 302
    assert Patient.objects.filter(last_name="Berg").exists()


def test_it_asks_anonymous_visitors_to_log_in(client, db):
    for response in (client.get(URL), client.post(URL, VALID)):
        asks_to_log_in(response)
    assert not Patient.objects.exists()


@pytest.mark.parametrize("role", ["therapist", "patient_user"])
def test_it_refuses_therapists_and_patients(request, role):
    user = request.getfixturevalue(role)
    client = client_for(getattr(user, "user", user))
    assert client.get(URL).status_code == 403
    assert client.post(URL, VALID).status_code == 403
    assert not Patient.objects.filter(last_name="Berg").exists()


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_it_rejects_other_methods(reception, method):
    assert getattr(reception, method)(URL).status_code == 405


def test_reception_assigns_a_therapist_when_registering(reception, lena):
    content = reception.get(URL).content.decode()
    assert re.search(r'<label\s+for="id_assigned_therapist"[^>]*>\s*Assigned therapist', content)
    assert "Lena Hoffmann" in content
    reception.post(URL, {**VALID, "assigned_therapist": lena.pk})
    assert Patient.objects.get().assigned_therapist == lena


def test_a_therapist_who_has_left_is_not_offered(reception, lena):
    lena.active = False
    lena.save()
    assert "Lena Hoffmann" not in reception.get(URL).content.decode()
    response = reception.post(URL, {**VALID, "assigned_therapist": lena.pk})
    assert response.status_code == 200
    assert "Select a valid choice" in field_html(response.content.decode(), "assigned_therapist")
    assert not Patient.objects.exists()
