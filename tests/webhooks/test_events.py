"""Each domain event becomes one delivery per active endpoint subscribed to it, written in the
change's own transaction (a rollback writes none), its payload frozen, with clinical text only for
an endpoint allowed it."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from clinic import events
from clinic.models import SetupVersion
from clinic.refusals import Refused
from patients.models import Phase
from sessions.appointments import appointment_cancel, appointment_check_in, appointment_complete, appointment_no_show
from sessions.booking import appointment_book, appointment_reschedule, course_series_book
from sessions.models import AppointmentStatus, WaitlistOffer
from sessions.notes import session_note_save, session_note_sign
from sessions.waitlist import waitlist_offer_accept, waitlist_offers_send
from tests.factories import (
    AppointmentFactory,
    CourseFactory,
    DiagnosisFactory,
    PhaseRecordFactory,
    earlier_today,
    on_monday,
)
from tests.scenes import freed_slot, portal_patient, wish
from tests.webhooks.scene import endpoint
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from webhooks.services import webhook_endpoint_update, webhook_secret_rotate

pytestmark = pytest.mark.django_db


def delivered(event: str) -> list[WebhookDelivery]:
    return list(WebhookDelivery.objects.filter(event=event).order_by("pk"))


@pytest.fixture
def booking(maria_keller, anna_berg, blue_room, back_massage):
    return {"patient": maria_keller, "therapist": anna_berg, "room": blue_room, "modality": back_massage}


def test_a_booking_is_delivered_to_the_subscribed_endpoints_only(booking):
    booked_hook = endpoint(events.APPOINTMENT_BOOKED)
    endpoint(events.APPOINTMENT_CANCELLED)
    endpoint(events.APPOINTMENT_BOOKED, active=False)

    appointment = appointment_book(starts_at=on_monday(10), **booking)

    (delivery,) = delivered(events.APPOINTMENT_BOOKED)
    assert delivery.endpoint == booked_hook
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 0)
    payload = delivery.payload
    assert payload["event"] == "appointment.booked" and payload["id"] == str(delivery.event_id)
    assert payload["occurred_at"].endswith("Z")
    assert payload["data"]["appointment"] == {
        "id": appointment.pk,
        "patient_id": booking["patient"].pk,
        "therapist_id": booking["therapist"].pk,
        "room_id": booking["room"].pk,
        "modality_id": booking["modality"].pk,
        "course_id": None,
        "starts_at": on_monday(10).astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "ends_at": on_monday(10, 45).astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "status": "booked",
    }


def test_every_endpoint_gets_the_same_event_id(booking):
    endpoint(events.APPOINTMENT_BOOKED)
    endpoint(events.APPOINTMENT_BOOKED, url="https://other.example.org/in")

    appointment_book(starts_at=on_monday(10), **booking)

    first, second = delivered(events.APPOINTMENT_BOOKED)
    assert first.event_id == second.event_id and first.endpoint != second.endpoint


def test_a_rolled_back_booking_delivers_nothing(booking):
    endpoint(events.APPOINTMENT_BOOKED)

    with pytest.raises(RuntimeError), transaction.atomic():
        appointment_book(starts_at=on_monday(10), **booking)
        raise RuntimeError("the caller's transaction fails after the booking")

    assert not WebhookDelivery.objects.exists()


def test_a_refused_series_delivers_nothing_for_the_dates_that_did_book(booking):
    endpoint(events.APPOINTMENT_BOOKED)
    course = CourseFactory(patient=booking["patient"], modality=booking["modality"])
    place = (booking["therapist"], booking["room"])
    slots = [(on_monday(10), *place), (on_monday(3), *place)]

    with pytest.raises(Refused):  # 03:00 is outside the hours; 10:00 had booked
        course_series_book(course=course, slots=slots)

    assert not WebhookDelivery.objects.exists()


def test_a_move_carries_the_previous_start(booking):
    appointment = appointment_book(starts_at=on_monday(10), **booking)
    endpoint(events.APPOINTMENT_MOVED)

    appointment_reschedule(appointment=appointment, starts_at=on_monday(14))

    (delivery,) = delivered(events.APPOINTMENT_MOVED)
    data = delivery.payload["data"]
    assert data["previous_starts_at"] == on_monday(10).astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    assert data["appointment"]["starts_at"] == on_monday(14).astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def test_a_cancellation_reason_goes_only_to_an_endpoint_allowed_clinical_text(booking):
    appointment = appointment_book(starts_at=on_monday(10), **booking)
    plain = endpoint(events.APPOINTMENT_CANCELLED)
    clinical = endpoint(events.APPOINTMENT_CANCELLED, url="https://ehr.example.org/in", clinical_text_allowed=True)

    appointment_cancel(appointment=appointment, reason="Sciatica flared up overnight.")

    by_endpoint = {d.endpoint: d.payload["data"]["appointment"] for d in delivered(events.APPOINTMENT_CANCELLED)}
    assert by_endpoint[plain]["status"] == "cancelled"
    assert "cancellation_reason" not in by_endpoint[plain]
    assert "Sciatica" not in str(by_endpoint[plain])
    assert by_endpoint[clinical]["cancellation_reason"] == "Sciatica flared up overnight."


@pytest.mark.parametrize(
    ("act", "event", "status"),
    [
        (appointment_check_in, events.APPOINTMENT_CHECKED_IN, AppointmentStatus.CHECKED_IN),
        (appointment_no_show, events.APPOINTMENT_NO_SHOW, AppointmentStatus.NO_SHOW),
    ],
)
def test_check_in_and_no_show_are_delivered(act, event, status):
    appointment = AppointmentFactory(starts_at=earlier_today(60))
    endpoint(event)

    act(appointment=appointment)

    (delivery,) = delivered(event)
    assert delivery.payload["data"]["appointment"]["status"] == status


def test_completing_is_delivered():
    appointment = AppointmentFactory(starts_at=earlier_today(60), status=AppointmentStatus.CHECKED_IN)
    endpoint(events.APPOINTMENT_COMPLETED)

    appointment_complete(appointment=appointment)

    assert delivered(events.APPOINTMENT_COMPLETED)[0].payload["data"]["appointment"]["id"] == appointment.pk


def test_signing_a_note_is_delivered_with_its_text_only_where_allowed():
    appointment = AppointmentFactory(starts_at=earlier_today(60), status=AppointmentStatus.CHECKED_IN)
    author = appointment.therapist.user
    plain = endpoint(events.NOTE_SIGNED, events.APPOINTMENT_COMPLETED)
    clinical = endpoint(events.NOTE_SIGNED, url="https://ehr.example.org/in", clinical_text_allowed=True)
    note = session_note_save(
        appointment=appointment,
        author=author,
        pain_before=7,
        pain_after=4,
        minutes=40,
        subjective="Pain down the left leg.",
    )

    session_note_sign(note=note, signed_by=author)

    by_endpoint = {d.endpoint: d.payload["data"] for d in delivered(events.NOTE_SIGNED)}
    assert by_endpoint[plain]["note"] == {
        "id": note.pk,
        "signed_at": by_endpoint[plain]["note"]["signed_at"],
        "signed_by_id": author.pk,
    }
    assert "left leg" not in str(by_endpoint[plain]) and "pain_before" not in str(by_endpoint[plain])
    assert by_endpoint[clinical]["note"]["subjective"] == "Pain down the left leg."
    assert (by_endpoint[clinical]["note"]["pain_before"], by_endpoint[clinical]["note"]["pain_after"]) == (7, 4)
    # Signing completes the checked-in session: that is its own event.
    assert [d.endpoint for d in delivered(events.APPOINTMENT_COMPLETED)] == [plain]


def test_an_acute_phase_is_delivered_with_the_sessions_it_flagged(maria_keller):
    AppointmentFactory(patient=maria_keller, starts_at=timezone.now() + dt.timedelta(days=3))
    diagnosis = DiagnosisFactory(patient=maria_keller, icd10_code="M51.1", title="Lumbar disc disorder")
    plain = endpoint(events.PATIENT_ACUTE)
    clinical = endpoint(events.PATIENT_ACUTE, url="https://ehr.example.org/in", clinical_text_allowed=True)

    record = PhaseRecordFactory(diagnosis=diagnosis, phase=Phase.ACUTE, note="Severe flare, on medication.")

    by_endpoint = {d.endpoint: d.payload["data"] for d in delivered(events.PATIENT_ACUTE)}
    assert by_endpoint[plain]["patient_id"] == maria_keller.pk
    assert by_endpoint[plain]["phase_record"]["id"] == record.pk
    assert by_endpoint[plain]["appointments_flagged_for_review"] == 1
    assert "M51.1" not in str(by_endpoint[plain]) and "flare" not in str(by_endpoint[plain])
    assert by_endpoint[clinical]["diagnosis"] == {"icd10_code": "M51.1", "title": "Lumbar disc disorder"}
    assert by_endpoint[clinical]["phase_record"]["note"] == "Severe flare, on medication."


def test_a_remission_is_no_event(maria_keller):
    endpoint(events.PATIENT_ACUTE)

    PhaseRecordFactory(diagnosis=DiagnosisFactory(patient=maria_keller), phase=Phase.REMISSION)

    assert not WebhookDelivery.objects.exists()


def test_an_accepted_waitlist_offer_is_delivered_with_its_booking(back_massage, blue_room, anna_berg):
    freed_slot(anna_berg, blue_room, back_massage, on_monday(10))
    nora = portal_patient(email="nora@example.org", first_name="Nora")
    wish(nora, modality=back_massage)
    waitlist_offers_send()
    offer = WaitlistOffer.objects.get()
    endpoint(events.WAITLIST_OFFER_ACCEPTED, events.APPOINTMENT_BOOKED)

    accepted = waitlist_offer_accept(offer=offer, accepted_by=nora.user)

    (delivery,) = delivered(events.WAITLIST_OFFER_ACCEPTED)
    data = delivery.payload["data"]
    assert data["offer"]["id"] == offer.pk and data["offer"]["patient_id"] == nora.pk
    assert data["appointment"]["id"] == accepted.appointment.pk
    assert len(delivered(events.APPOINTMENT_BOOKED)) == 1


def test_without_endpoints_an_event_costs_one_query(django_assert_num_queries):
    appointment = AppointmentFactory()
    events.event_announce(events.APPOINTMENT_BOOKED, appointment=appointment)  # the subscriptions kept
    with django_assert_num_queries(1):
        events.event_announce(events.APPOINTMENT_BOOKED, appointment=appointment)
    assert not WebhookDelivery.objects.exists()


def test_a_change_of_what_an_endpoint_receives_counts_from_the_next_event():
    """Which endpoints receive what is kept by the set-up cache: each change of it must reach the
    next event at once, and a new secret must not empty the clinic's set-up cache."""
    appointment = AppointmentFactory()
    hook = endpoint(events.APPOINTMENT_CANCELLED)
    events.event_announce(events.APPOINTMENT_BOOKED, appointment=appointment)
    assert delivered(events.APPOINTMENT_BOOKED) == []

    webhook_endpoint_update(
        endpoint=hook,
        url=hook.url,
        events=[events.APPOINTMENT_BOOKED],
        description="",
        active=True,
        clinical_text_allowed=False,
    )
    events.event_announce(events.APPOINTMENT_BOOKED, appointment=appointment)
    assert [d.endpoint_id for d in delivered(events.APPOINTMENT_BOOKED)] == [hook.pk]

    token = SetupVersion.objects.get().token
    webhook_secret_rotate(endpoint=hook)
    assert SetupVersion.objects.get().token == token

    WebhookEndpoint.objects.filter(pk=hook.pk).update(active=False)
    events.event_announce(events.APPOINTMENT_BOOKED, appointment=appointment)
    assert len(delivered(events.APPOINTMENT_BOOKED)) == 1
