"""Emergency ("break-glass") access: a therapist who does not treat a patient opens the chart
only by giving a reason, for a limited time; it is logged and the manager sees it."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clinic import roles
from patients import services as patient_services
from patients.models import BreakGlassAccess
from sessions.chart_access import therapist_may_open_chart
from tests.conftest import client_for
from tests.factories import DiagnosisFactory, PatientFactory, TherapistFactory, UserFactory
from tests.pages.chart.forms import chart
from tests.scenes import shows, url_of

REASON = "Patient collapsed in the waiting room; her therapist is away today."
ADDRESS = "10.9.8.7"


@pytest.fixture
def jonas(db):
    return TherapistFactory(user__username="jonas").user


@pytest.fixture
def as_jonas(jonas):
    return client_for(jonas)


open_url = url_of("chart:break_glass_open")


def test_a_therapist_who_does_not_treat_the_patient_gets_the_form_with_403(as_jonas, maria):
    response = as_jonas.get(chart(maria))
    content = shows(
        response,
        "Emergency access: give the reason",
        f'action="{open_url(maria)}"',
        f'name="next" value="{chart(maria)}"',
        str(maria),
        status=403,
    )
    # Nothing of the record shows.
    assert "Health flags" not in content


def test_a_record_page_offers_the_form_too(as_jonas, maria):
    diagnosis = DiagnosisFactory(patient=maria)
    response = as_jonas.get(reverse("chart:phase_record_create", args=[diagnosis.pk]))
    assert response.status_code == 403
    assert "Emergency access: give the reason" in response.content.decode()


@pytest.mark.parametrize("reason", ["", "   ", "urgent"])
def test_without_a_real_reason_it_is_refused(as_jonas, maria, reason):
    response = as_jonas.post(open_url(maria), {"reason": reason, "next": chart(maria)})
    assert response.status_code == 403
    assert "Emergency access: give the reason" in response.content.decode()
    assert not BreakGlassAccess.objects.exists()
    assert as_jonas.get(chart(maria)).status_code == 403


def test_with_a_reason_it_opens_the_chart_and_is_logged(as_jonas, jonas, maria):
    before = timezone.now()
    response = as_jonas.post(open_url(maria), {"reason": REASON, "next": chart(maria)}, REMOTE_ADDR=ADDRESS)
    assert response.status_code == 302
    assert response.url == chart(maria)
    access = BreakGlassAccess.objects.get()
    assert (access.user, access.patient, access.reason, access.address) == (jonas, maria, REASON, ADDRESS)
    assert access.expires_at - access.created_at == dt.timedelta(hours=12)
    assert before <= access.created_at <= timezone.now()

    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS, additional_data__action="break_glass")
    assert (entry.actor, entry.remote_addr) == (jonas, ADDRESS)
    assert entry.additional_data["patient_id"] == maria.pk
    assert entry.additional_data["detail"] == REASON

    assert as_jonas.get(chart(maria)).status_code == 200
    # Recording is open too.
    assert as_jonas.get(reverse("chart:diagnosis_create", args=[maria.pk])).status_code == 200


def test_it_does_not_open_another_patients_chart(as_jonas, maria):
    as_jonas.post(open_url(maria), {"reason": REASON})
    assert as_jonas.get(chart(PatientFactory())).status_code == 403


def test_a_foreign_next_address_is_ignored(as_jonas, maria):
    response = as_jonas.post(open_url(maria), {"reason": REASON, "next": "https://evil.example/"})
    assert response.url == chart(maria)


def test_it_expires_after_the_window(jonas, maria):
    start = timezone.now() - dt.timedelta(hours=13)
    patient_services.break_glass_open(user=jonas, patient=maria, reason=REASON, now=start)
    assert therapist_may_open_chart(user=jonas, patient=maria, at=start + dt.timedelta(hours=11)) is True
    assert therapist_may_open_chart(user=jonas, patient=maria, at=start + dt.timedelta(hours=12)) is False
    assert client_for(jonas).get(chart(maria)).status_code == 403


def test_the_window_comes_from_the_settings(jonas, maria, settings):
    settings.CLINIC_BREAK_GLASS_HOURS = 2
    access = patient_services.break_glass_open(user=jonas, patient=maria, reason=REASON)
    assert access.expires_at - access.created_at == dt.timedelta(hours=2)


@pytest.mark.parametrize("role", [roles.RECEPTIONIST, roles.PATIENT, roles.MANAGER])
def test_only_therapists_can_break_the_glass(maria, role):
    user = UserFactory(username=f"u-{role}", role=role)
    assert client_for(user).post(open_url(maria), {"reason": REASON}).status_code == 403
    with pytest.raises(ValidationError):
        patient_services.break_glass_open(user=user, patient=maria, reason=REASON)
    assert not BreakGlassAccess.objects.exists()


def test_a_receptionist_refused_the_chart_gets_no_form(maria):
    user = UserFactory(username="desk", role=roles.RECEPTIONIST)
    response = client_for(user).get(chart(maria))
    assert response.status_code == 403
    assert "Emergency access" not in response.content.decode()


def test_it_rejects_get(as_jonas, maria):
    assert as_jonas.get(open_url(maria)).status_code == 405
