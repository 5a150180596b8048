"""The manager's home: today at a glance, and what needs the manager's action."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from patients.models import BreakGlassReview
from patients.services import break_glass_open
from sessions.models import AppointmentStatus, WaitlistOffer
from sessions.waitlist import waitlist_offers_send
from tests.conftest import client_for
from tests.factories import AppointmentFactory, PatientFactory, SessionNoteFactory, TherapistFactory, on_monday
from tests.scenes import asks_to_log_in, freed_slot, messages_of, portal_patient, shows, url_of, wish

URL = reverse("manager:manager_home")
REASON = "Her therapist is away and she is in the room now."


review_url = url_of("manager:break_glass_review")


@pytest.fixture
def access(db):
    return break_glass_open(user=TherapistFactory(user__username="jonas").user, patient=PatientFactory(), reason=REASON)


def test_the_manager_sees_today_and_what_needs_action(manager, access, anna, maria, massage, linden):
    now = timezone.localtime()
    place = {"therapist": anna, "room": linden, "modality": massage, "patient": maria}
    # Held three days ago, its note still a draft; held two days ago with no note at all.
    draft = AppointmentFactory(starts_at=now - dt.timedelta(days=3), status=AppointmentStatus.COMPLETED, **place)
    SessionNoteFactory(appointment=draft)
    AppointmentFactory(starts_at=now - dt.timedelta(days=2), status=AppointmentStatus.COMPLETED, **place)
    AppointmentFactory(starts_at=now + dt.timedelta(days=2), needs_review=True, review_reason="Acute phase.", **place)

    response = client_for(manager).get(URL)

    html = shows(
        response, "Today at a glance", "free therapist time", REASON, "Mark reviewed", "Acute phase.", status=200
    )
    assert "This workspace is being built" not in html
    assert html.count('class="border-top pt-2 mt-2 unreviewed-access"') == 1
    assert html.count("overdue-note") == 2
    assert html.count("flagged-session") == 1
    assert response.context["overdue_count"] == 2


def test_a_review_is_kept_with_its_comment_and_logged(manager, access):
    client = client_for(manager)

    response = client.post(review_url(access), {"comment": "Called Jonas: covering for Lena."})

    assert response.status_code == 302 and response.url == URL
    review = BreakGlassReview.objects.get()
    assert (review.access, review.reviewed_by, review.comment) == (access, manager, "Called Jonas: covering for Lena.")
    assert LogEntry.objects.get_for_object(review).get().actor == manager
    assert "Marked reviewed" in messages_of(response)[0]
    # Off the to-do list; on the list of accesses, with the comment.
    assert REASON not in client.get(URL).content.decode()
    shows(client.get(reverse("manager:break_glass_list")), "reviewed", "Called Jonas: covering for Lena.")


@pytest.mark.parametrize("comment", ["", "   ", "ok"])
def test_a_review_without_a_real_comment_is_refused_with_a_message(manager, access, comment):
    response = client_for(manager).post(review_url(access), {"comment": comment})

    assert response.status_code == 302
    assert "comment" in messages_of(response)[0]
    assert not BreakGlassReview.objects.exists()


def test_a_second_review_is_refused(manager, access):
    client = client_for(manager)
    client.post(review_url(access), {"comment": "First look: fine."})

    response = client.post(review_url(access), {"comment": "Second look."})

    assert messages_of(response)[-1] == "This emergency access has been reviewed already."
    assert BreakGlassReview.objects.count() == 1


def test_a_missing_access_is_404(manager):
    assert (
        client_for(manager).post(reverse("manager:break_glass_review", args=[987654]), {"comment": "x" * 9}).status_code
        == 404
    )


def _user(request, who):
    person = request.getfixturevalue(who)
    return getattr(person, "user", person)  # the therapist fixture is a Therapist


@pytest.mark.parametrize("who", ["receptionist", "therapist", "patient_user"])
def test_only_the_manager(request, who, access):
    client = client_for(_user(request, who))
    assert client.get(URL).status_code == 403
    assert client.post(review_url(access), {"comment": "Looks fine."}).status_code == 403
    assert not BreakGlassReview.objects.exists()


def test_anonymous_visitors_log_in_first(client, access):
    asks_to_log_in(client.get(URL))
    asks_to_log_in(client.post(review_url(access), {"comment": "Looks fine."}))


def test_wrong_methods(manager, access):
    client = client_for(manager)
    assert client.post(URL).status_code == 405
    assert client.get(review_url(access)).status_code == 405


def test_the_manager_sees_the_waitlist_offers_held(manager, back_massage, blue_room, anna_berg):
    slot = freed_slot(anna_berg, blue_room, back_massage, on_monday(10))
    nora = portal_patient(first_name="Nora", last_name="Lind")
    wish(nora, modality=back_massage)
    waitlist_offers_send()
    offer = WaitlistOffer.objects.get()

    response = client_for(manager).get(URL)

    assert response.context["held"] == [offer] and response.context["held_count"] == 1
    until = timezone.localtime(offer.expires_at)
    shows(response, "Waitlist offers waiting for an answer", "Nora Lind", f"held until {until:%H:%M}")
    assert slot.offers.get() == offer
