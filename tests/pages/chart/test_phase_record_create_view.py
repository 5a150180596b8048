"""Recording a phase from the chart. An acute phase flags the patient's booked sessions for
review in the same transaction, and the page says how many."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from patients.models import Phase, PhaseRecord
from sessions.models import AppointmentStatus
from tests.conftest import client_for
from tests.factories import AppointmentFactory, PhaseRecordFactory, TherapistFactory
from tests.scenes import messages_of, shows, url_of

url = url_of("chart:phase_record_create")


def from_now(**delta) -> dt.datetime:
    return timezone.now().replace(microsecond=0) + dt.timedelta(**delta)


def local_input(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def lenas_session(maria, lena):
    """Lena treated Maria a week ago: Maria is her patient, with no session ahead to flag."""
    return AppointmentFactory(
        patient=maria, therapist=lena, starts_at=from_now(days=-7), status=AppointmentStatus.COMPLETED
    )


def test_it_shows_the_form_starting_now(as_lena, sciatica):
    response = as_lena.get(url(sciatica))
    content = shows(response, "Record the phase of M54.3 Sciatica", 'type="datetime-local"', status=200)
    assert (
        f'value="{local_input(timezone.now())}"' in content or f'value="{local_input(from_now(minutes=-1))}"' in content
    )
    for phase in Phase:
        assert f'value="{phase.value}"' in content
    # Radio buttons for the three phases, none chosen in advance and no empty choice.
    assert response.context["form"].fields["phase"].choices == Phase.choices
    assert 'type="radio" name="phase" value=""' not in content


def test_it_records_a_remission_and_returns_to_the_chart(as_lena, lena, sciatica):
    moment = from_now(hours=-2)
    response = as_lena.post(
        url(sciatica), {"phase": Phase.REMISSION, "effective_from": local_input(moment), "note": "Walks freely"}
    )
    assert response.status_code == 302
    assert response.url == reverse("chart:patient_chart", args=[sciatica.patient.pk])
    record = PhaseRecord.objects.get()
    assert (record.diagnosis, record.phase, record.recorded_by, record.note) == (
        sciatica,
        Phase.REMISSION,
        lena.user,
        "Walks freely",
    )
    assert record.effective_from == moment.replace(second=0)
    assert messages_of(response) == ["Recorded the remission phase of M54.3 Sciatica."]


def test_an_acute_phase_flags_the_future_sessions_and_says_how_many(as_lena, maria, sciatica):
    PhaseRecordFactory(diagnosis=sciatica, phase=Phase.REMISSION)
    tomorrow = AppointmentFactory(patient=maria, starts_at=from_now(days=1))
    next_week = AppointmentFactory(patient=maria, starts_at=from_now(days=7))
    cancelled = AppointmentFactory(
        patient=maria, starts_at=from_now(days=3), status=AppointmentStatus.CANCELLED, cancellation_reason="Holiday"
    )
    someone_else = AppointmentFactory(starts_at=from_now(days=1))

    response = as_lena.post(url(sciatica), {"phase": Phase.ACUTE, "effective_from": local_input(timezone.now())})

    assert response.status_code == 302
    for appointment in (tomorrow, next_week, cancelled, someone_else):
        appointment.refresh_from_db()
    assert (tomorrow.needs_review, next_week.needs_review) == (True, True)
    assert tomorrow.review_reason.startswith("Review: Acute phase of M54.3 Sciatica")
    assert (cancelled.needs_review, someone_else.needs_review) == (False, False)
    assert messages_of(response) == [
        "Recorded the acute phase of M54.3 Sciatica. 2 future sessions were flagged for reception to review."
    ]


def test_sessions_already_flagged_are_not_counted_again(as_lena, maria, sciatica):
    AppointmentFactory(patient=maria, starts_at=from_now(days=2), needs_review=True, review_reason="Review: earlier")
    AppointmentFactory(patient=maria, starts_at=from_now(days=4))
    response = as_lena.post(url(sciatica), {"phase": Phase.ACUTE, "effective_from": local_input(timezone.now())})
    assert messages_of(response) == [
        "Recorded the acute phase of M54.3 Sciatica. 1 future session was flagged for reception to review."
    ]


def test_an_acute_phase_without_bookings_says_nothing_needed_flagging(as_lena, sciatica):
    response = as_lena.post(url(sciatica), {"phase": Phase.ACUTE, "effective_from": local_input(timezone.now())})
    assert messages_of(response) == [
        "Recorded the acute phase of M54.3 Sciatica. No booked session of the patient needed flagging."
    ]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"effective_from": "now"}, "phase", "This field is required."),
        ({"phase": "chronic"}, "phase", "Select a valid choice. chronic is not one of the available choices."),
        ({"phase": "acute", "effective_from": "soon"}, "effective_from", "Enter a valid date/time."),
        ({"phase": "acute"}, "effective_from", "This field is required."),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_saved(as_lena, maria, sciatica, data, field, message):
    booked = AppointmentFactory(patient=maria, starts_at=from_now(days=1))
    response = as_lena.post(url(sciatica), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert "Nothing is saved yet" in response.content.decode()
    assert not PhaseRecord.objects.exists()
    booked.refresh_from_db()
    assert not booked.needs_review


def test_a_phase_cannot_be_recorded_ahead_of_time(as_lena, sciatica):
    response = as_lena.post(url(sciatica), {"phase": Phase.REMISSION, "effective_from": local_input(from_now(days=1))})
    assert response.status_code == 200
    assert response.context["form"].errors["effective_from"] == [
        "A phase cannot be recorded ahead of time; use the current time or earlier."
    ]
    assert not PhaseRecord.objects.exists()


def test_a_manager_may_record_a_phase(manager, sciatica):
    response = client_for(manager).post(
        url(sciatica), {"phase": Phase.SUBACUTE, "effective_from": local_input(timezone.now())}
    )
    assert response.status_code == 302
    assert PhaseRecord.objects.get().recorded_by == manager


def test_a_therapist_who_does_not_treat_the_patient_is_refused(lena, sciatica):
    stranger = client_for(TherapistFactory().user)
    assert stranger.get(url(sciatica)).status_code == 403
    assert (
        stranger.post(url(sciatica), {"phase": Phase.ACUTE, "effective_from": local_input(timezone.now())}).status_code
        == 403
    )
    assert not PhaseRecord.objects.exists()


@pytest.mark.parametrize("role", ["receptionist", "patient_user"])
def test_reception_and_patients_are_refused(request, role, sciatica):
    client = client_for(request.getfixturevalue(role))
    assert client.get(url(sciatica)).status_code == 403
    assert (
        client.post(url(sciatica), {"phase": Phase.ACUTE, "effective_from": local_input(timezone.now())}).status_code
        == 403
    )
    assert not PhaseRecord.objects.exists()
