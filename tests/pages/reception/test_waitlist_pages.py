"""Reception's waitlist: the page of wishes and offers, adding a wish for a patient, withdrawing
one, releasing a slot, and sending the offers now; who may, and with which method."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from clinic import roles
from sessions.models import FreedSlotStatus, OfferStatus, WaitlistEntry, WaitlistOffer, WishSource, WishStatus
from sessions.waitlist import waitlist_offers_send
from tests.conftest import client_for
from tests.factories import CourseFactory, PatientFactory, UserFactory, on_monday
from tests.scenes import asks_to_log_in, freed_slot, messages_of, portal_patient, shows, wish

URL = reverse("reception:waitlist")
SEND = reverse("reception:waitlist_send")


def add_url(patient) -> str:
    return reverse("reception:waitlist_add", args=[patient.pk])


def withdraw_url(entry) -> str:
    return reverse("reception:waitlist_withdraw", args=[entry.pk])


def release_url(slot) -> str:
    return reverse("reception:waitlist_slot_release", args=[slot.pk])


@pytest.fixture
def slot(back_massage, blue_room, anna_berg):
    return freed_slot(anna_berg, blue_room, back_massage, on_monday(10))


@pytest.fixture
def nora(db):
    return portal_patient(email="nora@example.org", first_name="Nora", last_name="Lind")


def until() -> str:
    return (timezone.localdate() + dt.timedelta(days=30)).isoformat()


# --- The page -------------------------------------------------------------------------------------


def test_the_page_shows_the_wishes_in_order_and_each_slot_with_its_offers(reception, slot, back_massage, nora):
    now = timezone.now()
    olga = portal_patient(email="olga@example.org", first_name="Olga", last_name="Berg")
    wish(nora, modality=back_massage, now=now - dt.timedelta(hours=2))
    wish(olga, modality=back_massage, urgent=True, weekdays=[0], day_parts=["morning"], now=now)
    waitlist_offers_send()

    response = reception.get(URL)

    assert [entry.patient for entry in response.context["waiting"]] == [olga, nora]
    [shown] = response.context["slots"]
    assert shown == slot
    assert [offer.patient for offer in shown.offer_list] == [olga]
    html = shows(
        response,
        "Olga Berg",
        "Urgent",
        "Mon",
        "Mornings",
        "Any time",
        "Held",
        "Anna Berg",
        f'action="{release_url(slot)}"',
        f'action="{SEND}"',
    )
    assert html.index("Olga Berg") < html.index("Nora Lind")


def test_the_page_shows_how_offers_ended(reception, slot, back_massage, nora):
    wish(nora, modality=back_massage)
    waitlist_offers_send()
    WaitlistOffer.objects.update(status=OfferStatus.DECLINED, ended_at=timezone.now())

    response = reception.get(URL)

    shows(response, "Declined")


def test_the_patient_overview_links_to_adding_a_wish(reception, nora):
    response = reception.get(reverse("reception:patient_overview", args=[nora.pk]))

    shows(response, f'href="{add_url(nora)}"', "Add to the waitlist")


# --- Adding a wish --------------------------------------------------------------------------------


def test_reception_adds_an_urgent_wish(reception, nora, back_massage, anna_berg, receptionist):
    response = reception.post(
        add_url(nora),
        {
            "modality": back_massage.pk,
            "therapist": anna_berg.pk,
            "weekdays": ["0", "2"],
            "day_parts": ["morning"],
            "until": until(),
            "urgent": "on",
        },
    )

    assert response.status_code == 302
    assert response.url == URL
    entry = WaitlistEntry.objects.get()
    assert (entry.patient, entry.modality, entry.therapist, entry.weekdays, entry.day_parts, entry.urgent) == (
        nora,
        back_massage,
        anna_berg,
        "02",
        "morning",
        True,
    )
    assert (entry.source, entry.created_by) == (WishSource.RECEPTION, receptionist)
    assert messages_of(response) == ["Nora Lind is on the waitlist."]


def test_reception_adds_a_wish_for_a_course(reception, nora, back_massage):
    course = CourseFactory(patient=nora, modality=back_massage)

    response = reception.post(add_url(nora), {"course": course.pk, "until": until()})

    assert response.status_code == 302
    assert WaitlistEntry.objects.get().course == course


def test_the_form_asks_for_a_course_or_a_treatment(reception, nora):
    response = reception.post(add_url(nora), {"until": until()})

    assert response.status_code == 200
    assert response.context["form"].errors["course"] == ["Choose a course, or a treatment outside any course."]
    assert not WaitlistEntry.objects.exists()


def test_a_refusal_of_the_service_shows_on_the_form(reception, back_massage):
    offline = PatientFactory(first_name="Otto", last_name="Offline")

    response = reception.get(add_url(offline))
    shows(response, "has no login yet")
    response = reception.post(add_url(offline), {"modality": back_massage.pk, "until": until()})

    shows(response, "Offers are accepted in the patient portal: invite Otto Offline to the portal first.", status=200)
    assert not WaitlistEntry.objects.exists()


def test_the_form_offers_only_the_patients_open_courses(reception, nora, back_massage):
    mine = CourseFactory(patient=nora, modality=back_massage)
    CourseFactory(patient=nora, modality=back_massage, status="completed")
    CourseFactory(modality=back_massage)

    response = reception.get(add_url(nora))

    assert list(response.context["form"].fields["course"].queryset) == [mine]


def test_a_missing_patient_is_404(reception):
    assert reception.get(reverse("reception:waitlist_add", args=[987654])).status_code == 404


# --- Withdrawing, releasing, sending -----------------------------------------------------------


def test_reception_withdraws_a_wish(reception, nora, back_massage):
    entry = wish(nora, modality=back_massage)

    response = reception.post(withdraw_url(entry))

    assert response.url == URL
    entry.refresh_from_db()
    assert entry.status == WishStatus.WITHDRAWN
    assert messages_of(response) == ["Took Nora Lind's wish off the waitlist."]
    response = reception.post(withdraw_url(entry))
    assert messages_of(response)[-1] == "This wish is no longer on the waitlist (withdrawn)."


def test_reception_releases_a_slot(reception, slot, nora, back_massage):
    wish(nora, modality=back_massage)
    waitlist_offers_send()

    response = reception.post(release_url(slot))

    assert response.url == URL
    slot.refresh_from_db()
    assert slot.status == FreedSlotStatus.RELEASED
    assert WaitlistOffer.objects.get().status == OfferStatus.WITHDRAWN
    assert messages_of(response) == ["The slot is off the waitlist: it can be booked at the desk now."]
    response = reception.post(release_url(slot))
    assert messages_of(response)[-1] == "This slot is no longer on offer: released by reception."


def test_reception_sends_the_offers_now(reception, slot, nora, back_massage):
    wish(nora, modality=back_massage)

    response = reception.post(SEND)

    assert response.url == URL
    assert messages_of(response) == ["Sent 1 offer; 0 holds expired."]
    assert WaitlistOffer.objects.get().patient == nora
    # Without CLINIC_BASE_URL, the link points at the address the page was opened at.
    [message] = mail.outbox
    assert "http://testserver/portal/waitlist/offers/" in message.body


# --- Who may, and how ------------------------------------------------------------------------------


def test_a_manager_sees_the_waitlist(manager):
    assert client_for(manager).get(URL).status_code == 200


@pytest.mark.parametrize("role", [roles.THERAPIST, roles.PATIENT])
def test_other_roles_are_refused(role, slot, nora, back_massage):
    entry = wish(nora, modality=back_massage)
    client = client_for(UserFactory(role=role))

    assert client.get(URL).status_code == 403
    assert client.get(add_url(nora)).status_code == 403
    assert client.post(withdraw_url(entry)).status_code == 403
    assert client.post(release_url(slot)).status_code == 403
    assert client.post(SEND).status_code == 403
    entry.refresh_from_db()
    assert entry.status == WishStatus.WAITING


def test_anonymous_visitors_are_asked_to_log_in(client, nora):
    asks_to_log_in(client.get(URL))
    asks_to_log_in(client.get(add_url(nora)))
    asks_to_log_in(client.post(SEND))


def test_wrong_methods_are_refused(reception, slot, nora, back_massage):
    entry = wish(nora, modality=back_massage)

    assert reception.post(URL).status_code == 405
    assert reception.put(add_url(nora)).status_code == 405
    assert reception.get(withdraw_url(entry)).status_code == 405
    assert reception.get(release_url(slot)).status_code == 405
    assert reception.get(SEND).status_code == 405
    assert WaitlistEntry.objects.get().status == WishStatus.WAITING
