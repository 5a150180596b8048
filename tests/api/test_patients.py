"""/api/v1/patients/: search, register, read, contact details, as reception's pages allow."""

import pytest

from patients.models import ContactChannel, Patient
from tests.api.conftest import api_client, queries_of_api
from tests.factories import AppointmentFactory, PatientFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/patients/"


def test_reception_finds_a_patient_by_name(desk, maria_keller):
    PatientFactory(first_name="Otto", last_name="Brandt")

    response = desk.get(URL, {"q": "keller"})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["results"][0]["id"] == maria_keller.pk
    assert body["results"][0]["last_name"] == "Keller"


def test_a_therapist_lists_only_her_own_patients(as_anna, anna_berg, maria_keller):
    AppointmentFactory(patient=maria_keller, therapist=anna_berg)
    PatientFactory(first_name="Otto", last_name="Brandt")

    response = as_anna.get(URL)

    assert [row["id"] for row in response.json()["results"]] == [maria_keller.pk]


def test_a_patient_may_not_search(patient_login):
    _, client = patient_login

    assert client.get(URL).status_code == 403


def test_without_a_token_the_api_answers_401(db, client):
    response = client.get(URL)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_a_search_too_long_is_bad_input(desk):
    response = desk.get(URL, {"q": "x" * 101})

    assert response.status_code == 400
    assert "q" in response.json()


def test_the_list_takes_the_same_queries_for_many_patients(desk):
    PatientFactory.create_batch(3)
    few = queries_of_api(desk, URL)
    PatientFactory.create_batch(20)

    many = queries_of_api(desk, URL)

    # The token and its user, the role, the count, the page, the audit entry.
    assert many == few <= 6


def test_the_page_size_is_bounded(desk):
    PatientFactory.create_batch(3)

    response = desk.get(URL, {"page_size": 100000})

    assert response.status_code == 200
    assert response.json()["count"] == 3


# --- register -------------------------------------------------------------------------------------

NEW = {"first_name": "Jonas", "last_name": "Weber", "date_of_birth": "1980-02-03", "phone": "+49 30 123 4567"}


def test_reception_registers_a_patient(desk):
    response = desk.post(URL, NEW, format="json")

    assert response.status_code == 201, response.content
    patient = Patient.objects.get(pk=response.json()["id"])
    assert (patient.first_name, patient.last_name, patient.phone) == ("Jonas", "Weber", "+49 30 123 4567")
    # Reception's form chooses SMS when there is only a phone number.
    assert patient.contact_channel == ContactChannel.SMS


def test_a_therapist_may_not_register_a_patient(as_anna):
    response = as_anna.post(URL, NEW, format="json")

    assert response.status_code == 403
    assert not Patient.objects.exists()


def test_registering_without_a_contact_is_refused_with_the_forms_sentence(desk):
    response = desk.post(URL, {**NEW, "phone": ""}, format="json")

    assert response.status_code == 400
    assert response.json()["phone"] == ["Give a phone number or an e-mail address so the clinic can reach the patient."]
    assert not Patient.objects.exists()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"date_of_birth": "not a date"}, "date_of_birth"),
        ({"date_of_birth": "1850-01-01"}, "date_of_birth"),
        ({"phone": "call me maybe"}, "phone"),
        ({"first_name": ""}, "first_name"),
        ({"assigned_therapist": 987654}, "assigned_therapist"),
        ({"contact_channel": "pigeon"}, "contact_channel"),
    ],
)
def test_bad_input_is_answered_400_and_nothing_is_saved(desk, changes, field):
    response = desk.post(URL, {**NEW, **changes}, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Patient.objects.exists()


def test_a_namesake_born_the_same_day_needs_different_person(desk):
    PatientFactory(first_name="Jonas", last_name="Weber", date_of_birth="1980-02-03")

    refused = desk.post(URL, NEW, format="json")
    confirmed = desk.post(URL, {**NEW, "different_person": True}, format="json")

    assert refused.status_code == 400
    assert "different_person" in refused.json()
    assert confirmed.status_code == 201


# --- one patient ----------------------------------------------------------------------------------


def test_reception_reads_a_patient(desk, maria_keller):
    response = desk.get(f"{URL}{maria_keller.pk}/")

    assert response.status_code == 200
    assert response.json()["email"] == maria_keller.email


def test_a_therapist_reads_her_patient_but_not_another(as_anna, anna_berg, maria_keller):
    other = PatientFactory()
    AppointmentFactory(patient=maria_keller, therapist=anna_berg)

    assert as_anna.get(f"{URL}{maria_keller.pk}/").status_code == 200
    assert as_anna.get(f"{URL}{other.pk}/").status_code == 403


def test_a_missing_patient_is_404(desk):
    assert desk.get(f"{URL}987654/").status_code == 404


def test_reception_changes_contact_details(desk, maria_keller):
    response = desk.patch(f"{URL}{maria_keller.pk}/", {"phone": "+49 30 999 8888"}, format="json")

    assert response.status_code == 200, response.content
    maria_keller.refresh_from_db()
    assert maria_keller.phone == "+49 30 999 8888"
    assert maria_keller.last_name == "Keller"


def test_sms_without_a_phone_number_is_refused(desk, maria_keller):
    response = desk.patch(f"{URL}{maria_keller.pk}/", {"phone": "", "contact_channel": "sms"}, format="json")

    assert response.status_code == 400
    maria_keller.refresh_from_db()
    assert maria_keller.phone


def test_a_therapist_may_not_change_contact_details(as_anna, anna_berg, maria_keller):
    AppointmentFactory(patient=maria_keller, therapist=anna_berg)
    before = maria_keller.phone

    response = as_anna.patch(f"{URL}{maria_keller.pk}/", {"phone": "+49 30 999 8888"}, format="json")

    assert response.status_code == 403
    maria_keller.refresh_from_db()
    assert maria_keller.phone == before


def test_a_wrong_method_is_405(desk, maria_keller):
    assert desk.delete(f"{URL}{maria_keller.pk}/").status_code == 405
    assert desk.put(URL, {}, format="json").status_code == 405


def test_a_manager_registers_too(manager):
    assert api_client(manager).post(URL, NEW, format="json").status_code == 201


def test_a_contact_change_changes_nothing_else(desk, maria_keller):
    response = desk.patch(
        f"{URL}{maria_keller.pk}/", {"email": "maria@example.org", "last_name": "Schmidt"}, format="json"
    )

    assert response.status_code == 200
    maria_keller.refresh_from_db()
    assert (maria_keller.email, maria_keller.last_name) == ("maria@example.org", "Keller")
