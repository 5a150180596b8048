import datetime as dt

from django.urls import reverse

from patients.models import Study, StudyKind
from tests.conftest import client_for
from tests.pages.chart.forms import study_data
from tests.scenes import messages_of, shows, url_of

url = url_of("chart:study_create")


def test_it_shows_the_form_for_the_diagnosis(as_lena, disc):
    inputs = [f'name="{field}"' for field in ("kind", "performed_on", "findings")]
    shows(as_lena.get(url(disc)), "Behind M51.1 Lumbar disc disorder with radiculopathy", *inputs, status=200)


def test_it_records_the_study_and_returns_to_the_chart(as_lena, disc):
    response = as_lena.post(url(disc), study_data())
    assert response.status_code == 302
    assert response.url == reverse("chart:patient_chart", args=[disc.patient.pk])
    study = Study.objects.get()
    assert (study.diagnosis, study.kind, study.performed_on) == (disc, StudyKind.MRI, dt.date(2026, 1, 8))
    assert study.findings == "L5–S1 protrusion touching the S1 root."
    assert messages_of(response) == ["Recorded the MRI for M51.1 Lumbar disc disorder with radiculopathy."]


def test_a_manager_may_add_a_study(manager, disc):
    assert client_for(manager).post(url(disc), study_data()).status_code == 302
    assert Study.objects.filter(diagnosis=disc).exists()
