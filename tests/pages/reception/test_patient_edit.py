import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from patients.models import Patient
from tests.conftest import client_for
from tests.factories import PatientFactory, UserFactory
from tests.pages.reception.patient_form import BAD_INPUT, BAD_INPUT_IDS, field_html, typed
from tests.scenes import DETAILS, asks_to_log_in, patient_form_data, shows, url_of

url = url_of("reception:patient_edit")


@pytest.fixture
def anna(db):
    return PatientFactory(first_name="Anna", last_name="Berg", email="anna@example.org", **DETAILS)


def test_it_shows_the_current_details(reception, anna):
    response = reception.get(url(anna))
    content = shows(
        response,
        "csrfmiddlewaretoken",
        'value="Anna"',
        'value="1975-04-12"',
        'value="+49 30 555 0123"',
        'value="2026-01-15"',
        status=200,
    )
    assert re.search(r'<label\s+for="id_phone"', content)


def test_it_saves_new_contact_details_and_opens_the_patients_page(reception, anna):
    data = patient_form_data(anna, phone="0171 222 3344", email="anna.berg@example.org", consent_on="2026-02-01")
    response = reception.post(url(anna), data)
    assert response.status_code == 302
    assert response.url == anna.get_absolute_url()
    anna.refresh_from_db()
    assert (anna.phone, anna.email, anna.consent_on) == ("0171 222 3344", "anna.berg@example.org", dt.date(2026, 2, 1))
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Anna Berg's details are saved."]


def test_it_corrects_the_name_and_date_of_birth(reception, anna):
    corrected = patient_form_data(anna, first_name="Ana", last_name="Berg-Lund", date_of_birth="12.05.1975")
    reception.post(url(anna), corrected)
    anna.refresh_from_db()
    assert (anna.first_name, anna.last_name, anna.date_of_birth) == ("Ana", "Berg-Lund", dt.date(1975, 5, 12))


def test_it_leaves_the_portal_login_alone(reception, anna):
    login = UserFactory(username="anna")
    anna.user = login
    anna.save()
    reception.post(url(anna), patient_form_data(anna, phone="0171 222 3344"))
    anna.refresh_from_db()
    assert anna.user == login
    assert anna.phone == "0171 222 3344"


def test_it_answers_404_for_an_unknown_patient(reception, anna):
    missing = reverse("reception:patient_edit", args=[anna.pk + 1000])
    assert reception.get(missing).status_code == 404
    assert reception.post(missing, patient_form_data(anna)).status_code == 404


@pytest.mark.parametrize(("changes", "field", "message"), BAD_INPUT, ids=BAD_INPUT_IDS)
def test_it_explains_bad_input_next_to_the_field_and_changes_nothing(reception, anna, changes, field, message):
    before = Patient.objects.values().get(pk=anna.pk)
    response = reception.post(url(anna), patient_form_data(anna, **typed(changes)))
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert message in field_html(response.content.decode(), field)
    assert Patient.objects.values().get(pk=anna.pk) == before


def test_it_warns_before_renaming_a_patient_into_someone_elses_identity(reception, anna):
    other = PatientFactory(first_name="Karl", last_name="Berg", date_of_birth=anna.date_of_birth)
    response = reception.post(url(other), patient_form_data(other, first_name="anna"))
    assert response.status_code == 200
    assert f'href="{anna.get_absolute_url()}"' in response.content.decode()
    other.refresh_from_db()
    assert other.first_name == "Karl"

    confirmed = patient_form_data(other, first_name="anna", different_person="on")
    assert reception.post(url(other), confirmed).status_code == 302
    other.refresh_from_db()
    assert other.first_name == "anna"


def test_it_does_not_ask_again_about_a_namesake_when_only_contact_details_change(reception, anna):
    namesake = PatientFactory(first_name="Anna", last_name="Berg", date_of_birth=anna.date_of_birth)
    response = reception.post(url(namesake), patient_form_data(namesake, phone="0171 222 3344"))
    assert response.status_code == 302
    namesake.refresh_from_db()
    assert namesake.phone == "0171 222 3344"


def test_managers_may_edit_patients(manager, anna):
    assert client_for(manager).post(url(anna), patient_form_data(anna, phone="0171 222 3344")).status_code == 302
    anna.refresh_from_db()
    assert anna.phone == "0171 222 3344"


def test_it_asks_anonymous_visitors_to_log_in(client, anna):
    for response in (client.get(url(anna)), client.post(url(anna), patient_form_data(anna, phone="0171 222 3344"))):
        asks_to_log_in(response)
    anna.refresh_from_db()
    assert anna.phone == "+49 30 555 0123"


@pytest.mark.parametrize("role", ["therapist", "patient_user"])
def test_it_refuses_therapists_and_patients(request, anna, role):
    user = request.getfixturevalue(role)
    client = client_for(getattr(user, "user", user))
    assert client.get(url(anna)).status_code == 403
    assert client.post(url(anna), patient_form_data(anna, phone="0171 222 3344")).status_code == 403
    anna.refresh_from_db()
    assert anna.phone == "+49 30 555 0123"


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_it_rejects_other_methods(reception, anna, method):
    assert getattr(reception, method)(url(anna)).status_code == 405
    assert Patient.objects.filter(pk=anna.pk).exists()


def test_reception_refers_the_patient_to_another_therapist(reception, anna, lena, ben):
    anna.assigned_therapist = ben
    anna.save()
    assert f'<option value="{ben.pk}" selected>Ben Ortiz</option>' in reception.get(url(anna)).content.decode()
    reception.post(url(anna), patient_form_data(anna, assigned_therapist=lena.pk))
    assert Patient.objects.get(pk=anna.pk).assigned_therapist == lena


def test_a_therapist_who_has_left_since_stays_selectable_for_her_patient(reception, anna, lena):
    anna.assigned_therapist = lena
    anna.save()
    lena.active = False
    lena.save()
    response = reception.post(url(anna), patient_form_data(anna, phone="+49 30 555 0999", assigned_therapist=lena.pk))
    assert response.status_code == 302
    anna.refresh_from_db()
    assert (anna.phone, anna.assigned_therapist) == ("+49 30 555 0999", lena)
