"""What the chart's forms share: a login first, 404 for an unknown patient or diagnosis, and only
GET and POST. Each form is named with the cast member its address takes."""

import pytest
from django.urls import reverse

from tests.conftest import client_for

FORMS = [
    pytest.param("sessions:course_prescribe", "maria", id="course_prescribe"),
    pytest.param("sessions:phase_record_create", "sciatica", id="phase_record_create"),
    pytest.param("sessions:study_create", "disc", id="study_create"),
]


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
