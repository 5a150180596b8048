"""Recording a health flag from the chart, and ending one."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from patients.models import FlagKind, HealthFlag
from tests.conftest import client_for
from tests.factories import HealthFlagFactory, TherapistFactory
from tests.pages.chart.forms import chart, health_flag_data
from tests.scenes import messages_of, url_of

create_url = url_of("chart:health_flag_create")
end_url = url_of("chart:health_flag_end")


@pytest.fixture
def pregnancy(maria):
    return HealthFlagFactory(patient=maria, kind=FlagKind.PREGNANCY, active_from=dt.date(2026, 1, 1))


def test_it_shows_the_flag_form(as_lena, maria):
    response = as_lena.get(create_url(maria))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Record a health flag" in content
    for name in ("kind", "substance", "active_from", "active_to", "note"):
        assert f'name="{name}"' in content
    assert f'value="{timezone.localdate().isoformat()}"' in content  # applies from today unless changed


def test_it_records_the_flag_and_returns_to_the_chart(as_lena, lena, maria):
    response = as_lena.post(create_url(maria), health_flag_data())
    assert response.status_code == 302
    assert response.url == chart(maria)
    flag = HealthFlag.objects.get()
    assert (flag.patient, flag.kind, flag.substance, flag.note) == (
        maria,
        FlagKind.OIL_ALLERGY,
        "Lavender oil",
        "Rash on the forearm",
    )
    assert (flag.active_from, flag.active_to, flag.recorded_by) == (dt.date(2026, 2, 1), None, lena.user)
    assert messages_of(response) == ["Recorded the health flag “Allergy to an aromatic oil: Lavender oil”."]


def test_the_flag_shows_as_a_warning_for_oil_modalities(as_lena, maria):
    as_lena.post(create_url(maria), health_flag_data())
    content = as_lena.get(chart(maria)).content.decode()
    assert "<strong>Warnings:</strong>" in content
    assert "Allergy to an aromatic oil: Lavender oil:" in content


def test_it_ends_a_flag(as_lena, maria, pregnancy):
    response = as_lena.post(end_url(pregnancy), {"on": "2026-03-01"})
    assert response.status_code == 302
    assert response.url == chart(maria)
    pregnancy.refresh_from_db()
    assert pregnancy.active_to == dt.date(2026, 3, 1)
    assert messages_of(response) == ["“Pregnancy” no longer applies after 1 March 2026."]


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("2025-12-31", "The flag cannot end before it started, on 1 January 2026."),
        ("2099-01-01", "“Pregnancy” was not ended: A flag cannot be ended ahead of time."),
        ("", "“Pregnancy” was not ended: This field is required."),
    ],
)
def test_it_says_why_a_flag_was_not_ended(as_lena, pregnancy, day, message):
    response = as_lena.post(end_url(pregnancy), {"on": day})
    assert response.status_code == 302
    assert messages_of(response) == [message]
    pregnancy.refresh_from_db()
    assert pregnancy.active_to is None


def test_it_refuses_to_end_a_flag_twice(as_lena, maria):
    ended = HealthFlagFactory(patient=maria, active_from=dt.date(2026, 1, 1), active_to=dt.date(2026, 2, 1))
    response = as_lena.post(end_url(ended), {"on": "2026-03-01"})
    assert messages_of(response) == ["This flag already ended on 1 February 2026."]
    ended.refresh_from_db()
    assert ended.active_to == dt.date(2026, 2, 1)


def test_a_manager_may_record_and_end_flags(manager, maria, pregnancy):
    client = client_for(manager)
    assert client.post(create_url(maria), health_flag_data()).status_code == 302
    assert client.post(end_url(pregnancy), {"on": "2026-03-01"}).status_code == 302
    pregnancy.refresh_from_db()
    assert pregnancy.active_to == dt.date(2026, 3, 1)
    assert HealthFlag.objects.count() == 2


def test_a_therapist_who_does_not_treat_the_patient_is_refused(lena, maria, pregnancy):
    stranger = client_for(TherapistFactory().user)
    assert stranger.get(create_url(maria)).status_code == 403
    assert stranger.post(create_url(maria), health_flag_data()).status_code == 403
    assert stranger.post(end_url(pregnancy), {"on": "2026-03-01"}).status_code == 403
    pregnancy.refresh_from_db()
    assert pregnancy.active_to is None
    assert HealthFlag.objects.count() == 1


@pytest.mark.parametrize("role", ["receptionist", "patient_user"])
def test_reception_and_patients_are_refused(request, role, maria, pregnancy):
    client = client_for(request.getfixturevalue(role))
    assert client.get(create_url(maria)).status_code == 403
    assert client.post(create_url(maria), health_flag_data()).status_code == 403
    assert client.post(end_url(pregnancy), {"on": "2026-03-01"}).status_code == 403
    assert HealthFlag.objects.count() == 1


def test_it_asks_anonymous_visitors_to_log_in(client, maria, pregnancy):
    assert client.get(create_url(maria)).url.startswith(reverse("login"))
    assert client.post(end_url(pregnancy), {"on": "2026-03-01"}).url.startswith(reverse("login"))


def test_it_answers_404_for_unknown_patients_and_flags(manager):
    client = client_for(manager)
    assert client.get(reverse("chart:health_flag_create", args=[999999])).status_code == 404
    assert client.post(reverse("chart:health_flag_end", args=[999999]), {"on": "2026-03-01"}).status_code == 404


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_the_flag_form_rejects_other_methods(as_lena, maria, method):
    assert getattr(as_lena, method)(create_url(maria)).status_code == 405


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_ending_takes_only_post(as_lena, pregnancy, method):
    assert getattr(as_lena, method)(end_url(pregnancy)).status_code == 405
    pregnancy.refresh_from_db()
    assert pregnancy.active_to is None
