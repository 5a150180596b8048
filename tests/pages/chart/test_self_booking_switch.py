"""The chart's switch: the treating therapist stops (or allows again) a patient's booking in the
portal; the change is the patient's record's, in the audit log."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import TherapistFactory
from tests.scenes import messages_of, shows, url_of

pytestmark = pytest.mark.django_db


url = url_of("chart:patient_self_booking")


def test_the_treating_therapist_stops_and_allows_booking_online(as_lena, maria, lena):
    shows(as_lena.get(reverse("chart:patient_chart", args=[maria.pk])), "Stop booking online", status=200)

    response = as_lena.post(url(maria))

    assert response.status_code == 302
    maria.refresh_from_db()
    assert maria.self_booking is False
    assert messages_of(response) == ["Maria Lopez can no longer book online; the front desk books for them."]
    change = LogEntry.objects.get_for_object(maria).filter(action=LogEntry.Action.UPDATE).latest("timestamp")
    assert change.actor == lena.user and "self_booking" in change.changes_dict
    shows(as_lena.get(reverse("chart:patient_chart", args=[maria.pk])), "Allow booking online")

    as_lena.post(url(maria), {"self_booking": "on"})
    maria.refresh_from_db()
    assert maria.self_booking is True


def test_a_therapist_who_does_not_treat_the_patient_cannot(maria, massage):
    stranger = client_for(TherapistFactory(modalities=[massage]).user)

    assert stranger.post(url(maria)).status_code == 403
    maria.refresh_from_db()
    assert maria.self_booking is True


@pytest.mark.parametrize("role_client", ["reception", "patient"])
def test_reception_and_patients_are_refused(request, maria, role_client):
    if role_client == "patient":
        from tests.scenes import portal_patient

        client = client_for(portal_patient(email="other@example.org").user)
    else:
        client = request.getfixturevalue("reception")

    assert client.post(url(maria)).status_code == 403


def test_only_post(as_lena, maria):
    assert as_lena.get(url(maria)).status_code == 405
