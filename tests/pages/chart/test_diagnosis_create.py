import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from patients.models import Cause, Diagnosis, Side
from tests.conftest import client_for
from tests.factories import TherapistFactory
from tests.scenes import asks_to_log_in, messages_of, refused_form


def url(patient) -> str:
    return reverse("sessions:diagnosis_create", args=[patient.pk])


def chart(patient) -> str:
    return reverse("sessions:patient_chart", args=[patient.pk])


def valid(**changes) -> dict:
    return {
        "icd10_code": "m54.4",
        "title": "Lumbago with sciatica",
        "cause": Cause.PIRIFORMIS,
        "side": Side.RIGHT,
        "diagnosed_on": "2026-02-03",
        "diagnosed_by": "Dr. Weber",
        **changes,
    }


def test_it_shows_the_form_with_common_codes_to_pick(as_lena, maria):
    response = as_lena.get(url(maria))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Record a diagnosis" in content
    for name in ("icd10_code", "title", "cause", "side", "diagnosed_on", "diagnosed_by"):
        assert f'name="{name}"' in content
    assert 'list="icd10-codes"' in content
    assert '<option value="M54.3">Sciatica</option>' in content
    assert f'max="{timezone.localdate().isoformat()}"' in content
    assert f'href="{chart(maria)}"' in content


def test_it_records_the_diagnosis_and_returns_to_the_chart(as_lena, maria):
    response = as_lena.post(url(maria), valid())
    assert response.status_code == 302
    assert response.url == chart(maria)
    diagnosis = Diagnosis.objects.get()
    assert (diagnosis.patient, diagnosis.icd10_code, diagnosis.title) == (maria, "M54.4", "Lumbago with sciatica")
    assert (diagnosis.cause, diagnosis.side, diagnosis.diagnosed_on) == (
        Cause.PIRIFORMIS,
        Side.RIGHT,
        dt.date(2026, 2, 3),
    )
    assert diagnosis.diagnosed_by == "Dr. Weber"
    assert messages_of(response) == ["Recorded the diagnosis M54.4 Lumbago with sciatica. Record its phase next."]


def test_a_typed_local_date_is_understood(as_lena, maria):
    as_lena.post(url(maria), valid(diagnosed_on="03.02.2026"))
    assert Diagnosis.objects.get().diagnosed_on == dt.date(2026, 2, 3)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"icd10_code": "sciatica"}, "icd10_code", "Enter an ICD-10 code such as M54.3 or G57.0."),
        ({"icd10_code": ""}, "icd10_code", "This field is required."),
        ({"title": ""}, "title", "This field is required."),
        ({"diagnosed_on": "2099-01-01"}, "diagnosed_on", "A diagnosis cannot be dated in the future."),
        ({"diagnosed_on": "yesterday"}, "diagnosed_on", "Enter a valid date."),
        ({"cause": "stress"}, "cause", "Select a valid choice. stress is not one of the available choices."),
        ({"diagnosed_by": ""}, "diagnosed_by", "This field is required."),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_saved(as_lena, maria, changes, field, message):
    response = as_lena.post(url(maria), valid(**changes))
    refused_form(response, field, message, Diagnosis)
    assert f'id="error_1_id_{field}"' in response.content.decode()


def test_a_manager_may_record_a_diagnosis(manager, maria):
    response = client_for(manager).post(url(maria), valid())
    assert response.status_code == 302
    assert Diagnosis.objects.filter(patient=maria).count() == 1


def test_a_therapist_who_does_not_treat_the_patient_is_refused(maria, lena):
    stranger = client_for(TherapistFactory().user)
    assert stranger.get(url(maria)).status_code == 403
    assert stranger.post(url(maria), valid()).status_code == 403
    assert not Diagnosis.objects.exists()


@pytest.mark.parametrize("role", ["receptionist", "patient_user"])
def test_reception_and_patients_are_refused(request, role, maria):
    client = client_for(request.getfixturevalue(role))
    assert client.get(url(maria)).status_code == 403
    assert client.post(url(maria), valid()).status_code == 403
    assert not Diagnosis.objects.exists()


def test_it_asks_anonymous_visitors_to_log_in(client, maria):
    asks_to_log_in(client.post(url(maria), valid()))
    assert not Diagnosis.objects.exists()


def test_it_answers_404_for_an_unknown_patient(manager):
    assert client_for(manager).get(reverse("sessions:diagnosis_create", args=[999999])).status_code == 404


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_it_rejects_other_methods(as_lena, maria, method):
    assert getattr(as_lena, method)(url(maria)).status_code == 405
