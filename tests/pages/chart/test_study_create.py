import datetime as dt

import pytest
from django.urls import reverse

from patients.models import Study, StudyKind
from tests.conftest import client_for
from tests.factories import TherapistFactory
from tests.scenes import messages_of, refused_form, shows


def url(diagnosis) -> str:
    return reverse("sessions:study_create", args=[diagnosis.pk])


def valid(**changes) -> dict:
    return {
        "kind": StudyKind.MRI,
        "performed_on": "2026-01-08",
        "findings": "L5–S1 protrusion touching the S1 root.",
        **changes,
    }


def test_it_shows_the_form_for_the_diagnosis(as_lena, disc):
    shows(
        as_lena.get(url(disc)),
        "Behind M51.1 Lumbar disc disorder with radiculopathy",
        'name="kind"',
        'name="performed_on"',
        'name="findings"',
        status=200,
    )


def test_it_records_the_study_and_returns_to_the_chart(as_lena, disc):
    response = as_lena.post(url(disc), valid())
    assert response.status_code == 302
    assert response.url == reverse("sessions:patient_chart", args=[disc.patient.pk])
    study = Study.objects.get()
    assert (study.diagnosis, study.kind, study.performed_on) == (disc, StudyKind.MRI, dt.date(2026, 1, 8))
    assert study.findings == "L5–S1 protrusion touching the S1 root."
    assert messages_of(response) == ["Recorded the MRI for M51.1 Lumbar disc disorder with radiculopathy."]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"kind": "ultrasound"}, "kind", "Select a valid choice. ultrasound is not one of the available choices."),
        ({"performed_on": "2099-05-01"}, "performed_on", "A study cannot be dated in the future."),
        ({"performed_on": ""}, "performed_on", "This field is required."),
        ({"findings": ""}, "findings", "This field is required."),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_saved(as_lena, disc, changes, field, message):
    refused_form(as_lena.post(url(disc), valid(**changes)), field, message, Study)


def test_a_manager_may_add_a_study(manager, disc):
    assert client_for(manager).post(url(disc), valid()).status_code == 302
    assert Study.objects.filter(diagnosis=disc).exists()


def test_a_therapist_who_does_not_treat_the_patient_is_refused(disc, as_lena):
    stranger = client_for(TherapistFactory().user)
    assert stranger.get(url(disc)).status_code == 403
    assert stranger.post(url(disc), valid()).status_code == 403
    assert not Study.objects.exists()


@pytest.mark.parametrize("role", ["receptionist", "patient_user"])
def test_reception_and_patients_are_refused(request, role, disc):
    client = client_for(request.getfixturevalue(role))
    assert client.get(url(disc)).status_code == 403
    assert client.post(url(disc), valid()).status_code == 403
    assert not Study.objects.exists()
