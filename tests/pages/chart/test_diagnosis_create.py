import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from patients.models import Cause, Diagnosis, Side
from tests.conftest import client_for
from tests.pages.chart.forms import chart, diagnosis_data
from tests.scenes import asks_to_log_in, messages_of, shows, url_of

url = url_of("chart:diagnosis_create")


def test_it_shows_the_form_with_common_codes_to_pick(as_lena, maria):
    fields = ("icd10_code", "title", "cause", "side", "diagnosed_on", "diagnosed_by")
    shows(
        as_lena.get(url(maria)),
        "Record a diagnosis",
        *(f'name="{name}"' for name in fields),
        'list="icd10-codes"',
        '<option value="M54.3">Sciatica</option>',
        f'max="{timezone.localdate().isoformat()}"',
        f'href="{chart(maria)}"',
        status=200,
    )


def test_it_records_the_diagnosis_and_returns_to_the_chart(as_lena, maria):
    response = as_lena.post(url(maria), diagnosis_data())
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
    as_lena.post(url(maria), diagnosis_data(diagnosed_on="03.02.2026"))
    assert Diagnosis.objects.get().diagnosed_on == dt.date(2026, 2, 3)


def test_a_manager_may_record_a_diagnosis(manager, maria):
    response = client_for(manager).post(url(maria), diagnosis_data())
    assert response.status_code == 302
    assert Diagnosis.objects.filter(patient=maria).count() == 1


def test_it_asks_anonymous_visitors_to_log_in(client, maria):
    asks_to_log_in(client.post(url(maria), diagnosis_data()))
    assert not Diagnosis.objects.exists()


def test_it_answers_404_for_an_unknown_patient(manager):
    assert client_for(manager).get(reverse("chart:diagnosis_create", args=[999999])).status_code == 404


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_it_rejects_other_methods(as_lena, maria, method):
    assert getattr(as_lena, method)(url(maria)).status_code == 405
