"""What the chart's forms share: bad input shown next to its field with nothing saved, only the
patient's therapists and managers let in, a login first, 404 for an unknown patient or diagnosis,
and only GET and POST. Each form is named with the cast member its address takes."""

import pytest
from django.urls import reverse

from patients.models import Diagnosis, HealthFlag, Study
from tests.conftest import client_for
from tests.factories import TherapistFactory
from tests.pages.chart.forms import diagnosis_data, health_flag_data, study_data
from tests.scenes import refused_form

FORMS = [
    pytest.param("chart:course_prescribe", "maria", id="course_prescribe"),
    pytest.param("chart:phase_record_create", "sciatica", id="phase_record_create"),
    pytest.param("chart:study_create", "disc", id="study_create"),
]

# The form, what a valid post (`data`) gets instead, the field that then shows `message`.
DIAGNOSIS = ("chart:diagnosis_create", "maria", diagnosis_data, Diagnosis)
STUDY = ("chart:study_create", "disc", study_data, Study)
HEALTH_FLAG = ("chart:health_flag_create", "maria", health_flag_data, HealthFlag)
BAD_INPUT = [
    (DIAGNOSIS, {"icd10_code": "sciatica"}, "icd10_code", "Enter an ICD-10 code such as M54.3 or G57.0."),
    (DIAGNOSIS, {"icd10_code": ""}, "icd10_code", "This field is required."),
    (DIAGNOSIS, {"title": ""}, "title", "This field is required."),
    (DIAGNOSIS, {"diagnosed_on": "2099-01-01"}, "diagnosed_on", "A diagnosis cannot be dated in the future."),
    (DIAGNOSIS, {"diagnosed_on": "yesterday"}, "diagnosed_on", "Enter a valid date."),
    (DIAGNOSIS, {"cause": "stress"}, "cause", "Select a valid choice. stress is not one of the available choices."),
    (DIAGNOSIS, {"diagnosed_by": ""}, "diagnosed_by", "This field is required."),
    (STUDY, {"kind": "ultrasound"}, "kind", "Select a valid choice. ultrasound is not one of the available choices."),
    (STUDY, {"performed_on": "2099-05-01"}, "performed_on", "A study cannot be dated in the future."),
    (STUDY, {"performed_on": ""}, "performed_on", "This field is required."),
    (STUDY, {"findings": ""}, "findings", "This field is required."),
    (
        HEALTH_FLAG,
        {"substance": ""},
        "substance",
        "Name the oil the patient is allergic to, so the therapist can avoid it.",
    ),
    (HEALTH_FLAG, {"active_to": "2026-01-31"}, "active_to", "The flag cannot end before it starts."),
    (HEALTH_FLAG, {"kind": ""}, "kind", "This field is required."),
    (HEALTH_FLAG, {"active_from": "not a day"}, "active_from", "Enter a valid date."),
]


def case_id(value) -> str | None:
    if isinstance(value, tuple):
        return value[0].split(":")[1]
    if isinstance(value, dict):
        return "-".join(f"{key}={value!r}" for key, value in value.items())
    return None  # the field and the message: the form and the change name the case


@pytest.mark.parametrize(("form", "changes", "field", "message"), BAD_INPUT, ids=case_id)
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_saved(as_lena, request, form, changes, field, message):
    name, member, data, model = form
    url = reverse(name, args=[request.getfixturevalue(member).pk])
    response = as_lena.post(url, data(**changes))
    refused_form(response, field, message, model)
    assert f'id="error_1_id_{field}"' in response.content.decode()


@pytest.mark.parametrize("form", [DIAGNOSIS, STUDY], ids=case_id)
def test_a_therapist_who_does_not_treat_the_patient_is_refused(lenas_session, request, form):
    name, member, data, model = form
    url = reverse(name, args=[request.getfixturevalue(member).pk])
    stranger = client_for(TherapistFactory().user)
    assert stranger.get(url).status_code == 403
    assert stranger.post(url, data()).status_code == 403
    assert not model.objects.exists()


@pytest.mark.parametrize("role", ["receptionist", "patient_user"])
@pytest.mark.parametrize("form", [DIAGNOSIS, STUDY], ids=case_id)
def test_reception_and_patients_are_refused(request, role, form):
    name, member, data, model = form
    url = reverse(name, args=[request.getfixturevalue(member).pk])
    client = client_for(request.getfixturevalue(role))
    assert client.get(url).status_code == 403
    assert client.post(url, data()).status_code == 403
    assert not model.objects.exists()


@pytest.mark.parametrize(("name", "member"), FORMS)
def test_it_asks_anonymous_visitors_to_log_in(client, request, name, member):
    url = reverse(name, args=[request.getfixturevalue(member).pk])
    assert client.get(url).url.startswith(reverse("login"))


@pytest.mark.parametrize(("name", "member"), FORMS)
def test_it_answers_404_for_an_unknown_patient_or_diagnosis(manager, name, member):
    assert client_for(manager).get(reverse(name, args=[999999])).status_code == 404


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
@pytest.mark.parametrize(("name", "member"), FORMS)
def test_it_rejects_other_methods(as_lena, request, name, member, method):
    url = reverse(name, args=[request.getfixturevalue(member).pk])
    assert getattr(as_lena, method)(url).status_code == 405
