"""The patient's waitlist in the portal: their wishes, joining and leaving, and the page of an
offer in each of its states (offered, accepted, expired, declined, taken by someone else,
refused, withdrawn); only the patient it was offered to opens it."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from clinic import roles
from sessions.models import (
    Appointment,
    AppointmentStatus,
    OfferStatus,
    WaitlistEntry,
    WaitlistOffer,
    WishSource,
    WishStatus,
)
from sessions.waitlist import freed_slot_release, offer_token, waitlist_entry_withdraw, waitlist_offers_send
from tests.conftest import client_for
from tests.factories import CourseFactory, UserFactory, in_acute_phase, on_monday
from tests.scenes import asks_to_log_in, freed_slot, messages_of, portal_patient, shows, wish

LIST = reverse("portal:portal_waitlist")
ADD = reverse("portal:portal_waitlist_add")


def offer_url(offer, action: str = "") -> str:
    name = f"portal:waitlist_offer_{action}" if action else "portal:waitlist_offer"
    return reverse(name, args=[offer_token(offer)])


@pytest.fixture
def course(nora, back_massage):
    return CourseFactory(patient=nora, modality=back_massage)


@pytest.fixture
def slot(back_massage, blue_room, anna_berg):
    return freed_slot(anna_berg, blue_room, back_massage, on_monday(10))


@pytest.fixture
def offer(slot, nora, course):
    """Nora waits for a session of her course; the freed slot is offered to her."""
    wish(nora, course=course, source=WishSource.PORTAL, recorded_by=nora.user)
    waitlist_offers_send()
    return WaitlistOffer.objects.get(patient=nora)


# --- The list, joining and leaving ----------------------------------------------------------------


def test_the_list_shows_the_wishes_and_a_link_to_an_open_offer(as_nora, offer):
    response = as_nora.get(LIST)

    shows(response, "Classic back massage", "Any therapist", "A session is free for you", f'href="{offer_url(offer)}"')


def test_the_home_page_points_to_an_open_offer(as_nora, offer):
    response = as_nora.get(reverse("portal:portal_home"))

    shows(response, "A session is free for you", f'href="{offer_url(offer)}"')


def test_a_patient_without_an_open_course_is_told_why_they_cannot_join(as_nora):
    response = as_nora.get(LIST)

    shows(response, "The waitlist is for the sessions of a course your therapist prescribed")
    assert ADD not in response.content.decode()
    response = as_nora.get(ADD)
    shows(response, "The waitlist is for the sessions of a course your therapist prescribed")
    assert "<form" not in response.content.decode().split('id="main"')[1]


def test_a_patient_joins_the_waitlist_for_their_course(as_nora, nora, course):
    until = (timezone.localdate() + dt.timedelta(days=21)).isoformat()

    response = as_nora.post(
        ADD, {"course": course.pk, "weekdays": ["1", "3"], "day_parts": ["evening"], "until": until}
    )

    assert response.url == LIST
    entry = WaitlistEntry.objects.get()
    assert (entry.patient, entry.course, entry.weekdays, entry.day_parts, entry.urgent) == (
        nora,
        course,
        "13",
        "evening",
        False,
    )
    assert (entry.source, entry.created_by) == (WishSource.PORTAL, nora.user)


def test_the_portal_form_has_no_urgency_and_no_treatment_outside_a_course(as_nora, course):
    form = as_nora.get(ADD).context["form"]

    assert "urgent" not in form.fields
    assert "modality" not in form.fields
    assert list(form.fields["course"].queryset) == [course]


def test_a_patient_cannot_join_for_someone_elses_course(as_nora, back_massage):
    other = CourseFactory(modality=back_massage)
    until = (timezone.localdate() + dt.timedelta(days=21)).isoformat()

    response = as_nora.post(ADD, {"course": other.pk, "until": until, "urgent": "on"})

    assert response.status_code == 200
    assert "course" in response.context["form"].errors
    assert not WaitlistEntry.objects.exists()


def test_joining_twice_is_refused_on_the_form(as_nora, nora, course):
    wish(nora, course=course)
    until = (timezone.localdate() + dt.timedelta(days=21)).isoformat()

    response = as_nora.post(ADD, {"course": course.pk, "until": until})

    shows(response, "already waits for a session of the course of Classic back massage", status=200)
    assert WaitlistEntry.objects.count() == 1


def test_a_patient_leaves_the_waitlist(as_nora, nora, course):
    entry = wish(nora, course=course)

    response = as_nora.post(reverse("portal:portal_waitlist_withdraw", args=[entry.pk]))

    assert response.url == LIST
    assert messages_of(response) == ["You left the waitlist for that wish."]
    entry.refresh_from_db()
    assert entry.status == WishStatus.WITHDRAWN


def test_another_patients_wish_is_404(as_nora, back_massage):
    other = wish(portal_patient(), modality=back_massage)

    assert as_nora.post(reverse("portal:portal_waitlist_withdraw", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.status == WishStatus.WAITING


# --- The offer's page, in each state ----------------------------------------------------------------


def test_an_open_offer_asks_to_book_or_decline(as_nora, offer):
    response = as_nora.get(offer_url(offer))

    until = timezone.localtime(offer.expires_at).strftime("%H:%M")
    shows(
        response,
        "A session is free for you",
        "Classic back massage",
        "Anna Berg",
        "Blue room",
        f"held for you until <strong>{until}</strong>",
        f'action="{offer_url(offer, "accept")}"',
        f'action="{offer_url(offer, "decline")}"',
        status=200,
    )


def test_accepting_books_the_session_and_says_so(as_nora, offer, nora, course):
    response = as_nora.post(offer_url(offer, "accept"))

    assert response.url == offer_url(offer)
    booked = Appointment.objects.get(status=AppointmentStatus.BOOKED)
    assert (booked.patient, booked.course, booked.starts_at) == (nora, course, on_monday(10))
    response = as_nora.get(offer_url(offer))
    shows(
        response, "Your session is booked", "You accepted this offer: the session is booked.", 'data-state="accepted"'
    )


def test_declining_says_so_and_keeps_the_wish(as_nora, offer, nora):
    as_nora.post(offer_url(offer, "decline"))

    response = as_nora.get(offer_url(offer))
    shows(response, "This offer is closed", "You declined this offer", 'data-state="declined"')
    assert nora.waitlist_entries.get().status == WishStatus.WAITING


def test_an_expired_offer_says_so_when_opened(as_nora, offer):
    WaitlistOffer.objects.update(
        offered_at=timezone.now() - dt.timedelta(hours=1), expires_at=timezone.now() - dt.timedelta(minutes=1)
    )

    response = as_nora.get(offer_url(offer))

    shows(response, "This offer has expired", 'data-state="expired"')
    offer.refresh_from_db()
    assert offer.status == OfferStatus.EXPIRED
    response = as_nora.post(offer_url(offer, "accept"))
    assert not Appointment.objects.filter(status=AppointmentStatus.BOOKED).exists()


@override_settings(CLINIC_WAITLIST_BATCH=2)
def test_an_offer_someone_else_accepted_first_says_so(as_nora, slot, nora, course, back_massage):
    first = portal_patient(email="first@example.org", first_name="First")
    wish(first, modality=back_massage, now=timezone.now() - dt.timedelta(days=1))
    wish(nora, course=course)
    waitlist_offers_send()
    as_first = client_for(first.user)
    as_first.post(offer_url(first.waitlist_offers.get(), "accept"))

    offer = nora.waitlist_offers.get()
    as_nora.post(offer_url(offer, "accept"))
    response = as_nora.get(offer_url(offer))

    shows(response, "Someone else took this slot first. You stay on the waitlist for the next one.")
    assert 'data-state="taken"' in response.content.decode()
    assert Appointment.objects.get(status=AppointmentStatus.BOOKED).patient == first


def test_an_offer_the_gate_now_refuses_says_to_call(as_nora, offer, nora):
    in_acute_phase(nora)

    as_nora.post(offer_url(offer, "accept"))
    response = as_nora.get(offer_url(offer))

    shows(response, "This slot can no longer be booked for you online. Please call the clinic", 'data-state="refused"')
    assert not Appointment.objects.filter(status=AppointmentStatus.BOOKED).exists()


def test_a_withdrawn_offer_says_so(as_nora, offer, slot):
    freed_slot_release(slot=slot)

    response = as_nora.get(offer_url(offer))

    shows(response, "The clinic has withdrawn this offer.", 'data-state="withdrawn"')


def test_an_offer_of_a_withdrawn_wish_says_so(as_nora, offer):
    waitlist_entry_withdraw(entry=offer.entry)

    response = as_nora.get(offer_url(offer))

    shows(response, 'data-state="withdrawn"', "The waitlist")


def test_opening_the_offer_is_in_the_audit_log(as_nora, offer, nora):
    as_nora.get(offer_url(offer))

    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).latest("pk")
    assert entry.additional_data["patient_id"] == nora.pk
    assert entry.additional_data["detail"] == "Patient portal: waitlist offer."


# --- Whose link it is -----------------------------------------------------------------------------


def test_another_patients_offer_is_404(offer):
    other = client_for(portal_patient().user)

    assert other.get(offer_url(offer)).status_code == 404
    assert other.post(offer_url(offer, "accept")).status_code == 404
    assert other.post(offer_url(offer, "decline")).status_code == 404
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OFFERED


@pytest.mark.parametrize("token", ["1:abc", "not-a-token", "1", "%3Cscript%3E"])
def test_a_made_up_token_is_404(as_nora, offer, token):
    assert as_nora.get(f"/portal/waitlist/offers/{token}/").status_code == 404


@pytest.mark.parametrize("role", [roles.RECEPTIONIST, roles.THERAPIST, roles.MANAGER])
def test_staff_are_refused_the_portal_pages(role, offer):
    client = client_for(UserFactory(role=role, is_staff=role == roles.MANAGER))

    for url in (LIST, ADD, offer_url(offer)):
        assert client.get(url).status_code == 403
    assert client.post(offer_url(offer, "accept")).status_code == 403
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OFFERED


def test_an_anonymous_visitor_is_asked_to_log_in_and_comes_back_to_the_offer(client, offer):
    response = client.get(offer_url(offer))

    asks_to_log_in(response)
    assert response.url.endswith("?next=" + offer_url(offer).replace(":", "%3A"))
    asks_to_log_in(client.post(offer_url(offer, "accept")))


def test_wrong_methods_are_refused(as_nora, offer, nora, course):
    assert as_nora.post(LIST).status_code == 405
    assert as_nora.put(ADD).status_code == 405
    assert as_nora.post(offer_url(offer)).status_code == 405
    assert as_nora.get(offer_url(offer, "accept")).status_code == 405
    assert as_nora.get(offer_url(offer, "decline")).status_code == 405
    entry = nora.waitlist_entries.get()
    assert as_nora.get(reverse("portal:portal_waitlist_withdraw", args=[entry.pk])).status_code == 405
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OFFERED
