"""The portal's home kept between looks (pages.kept_pages): a look at an unchanged home is cheap
and still logged, and a kept home never shows a session that has ended or an offer whose hold ran
out, nor misses what was written since."""

import datetime as dt
from unittest import mock

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sessions.models import WaitlistOffer, WishSource
from sessions.waitlist import waitlist_offers_send
from tests.factories import AppointmentFactory, CourseFactory, on_monday
from tests.scenes import freed_slot, wish

pytestmark = pytest.mark.django_db

HOME = reverse("portal:portal_home")
OFFER = "A session is free for you"


def looks(client) -> tuple[str, int]:
    """The home's own part (the frame around it carries a CSRF token masked afresh on every
    page) and how many queries the look took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(HOME)
    assert response.status_code == 200
    return response.content.decode().split("</h1>", 1)[1], len(queries)


def card(session) -> str:
    return f'id="appointment-{session.pk}"'


def test_a_second_look_at_an_unchanged_home_is_kept_and_still_logged(as_nora, nora, back_massage):
    session = AppointmentFactory(patient=nora, modality=back_massage, starts_at=timezone.now() + dt.timedelta(days=2))
    looks(as_nora)  # the first look makes the reader's CSRF secret, which a kept page needs
    reads = LogEntry.objects.filter(object_pk=str(nora.pk)).count()
    drawn, drawing = looks(as_nora)
    kept, keeping = looks(as_nora)
    assert kept == drawn
    assert card(session) in kept
    assert keeping < drawing
    assert LogEntry.objects.filter(object_pk=str(nora.pk)).count() == reads + 2


def test_a_session_booked_since_shows_on_the_next_look(as_nora, nora, back_massage):
    looks(as_nora)
    looks(as_nora)
    session = AppointmentFactory(patient=nora, modality=back_massage, starts_at=timezone.now() + dt.timedelta(days=2))
    assert card(session) in looks(as_nora)[0]


def test_a_session_that_has_ended_leaves_the_home_without_a_write(as_nora, nora, back_massage):
    now = timezone.now()
    session = AppointmentFactory(patient=nora, modality=back_massage, starts_at=now + dt.timedelta(minutes=10))
    looks(as_nora)
    assert card(session) in looks(as_nora)[0]
    with mock.patch.object(timezone, "now", return_value=session.ends_at + dt.timedelta(minutes=1)):
        assert card(session) not in looks(as_nora)[0]


def test_an_offer_whose_hold_ran_out_leaves_the_home_without_a_write(as_nora, nora, back_massage, blue_room, anna_berg):
    freed_slot(anna_berg, blue_room, back_massage, on_monday(10))
    course = CourseFactory(patient=nora, modality=back_massage)
    wish(nora, course=course, source=WishSource.PORTAL, recorded_by=nora.user)
    waitlist_offers_send()
    offer = WaitlistOffer.objects.get(patient=nora)
    looks(as_nora)
    assert OFFER in looks(as_nora)[0]
    with mock.patch.object(timezone, "now", return_value=offer.expires_at + dt.timedelta(seconds=1)):
        assert OFFER not in looks(as_nora)[0]
