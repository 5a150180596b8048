"""A freed slot reaches the first waiting patient, who accepts it by the link, in Chromium.

Reception puts Clara on the waitlist from her page; Ben joins after her. Reception cancels another
patient's session; the cron job (send_waitlist_offers) offers the freed slot to Clara, first come,
by e-mail; Clara opens the link on her phone, logs in, and books it. Reception's waitlist shows
the outcome. Setup goes through the factories; everything the people do goes through the pages.
"""

import datetime as dt
import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from sessions.models import Appointment, AppointmentStatus, FreedSlotStatus, OfferStatus, WaitlistOffer
from tests.browser.conftest import _open_page, submit_login
from tests.browser.test_reception_flow import clinic, log_in  # noqa: F401 (the fixture)
from tests.factories import AppointmentFactory, PatientFactory, at
from tests.scenes import course_for, portal_patient, wish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone_page(browser, request):
    yield from _open_page(browser, request, PHONE)


def test_a_freed_slot_reaches_the_first_in_line(page, phone_page, live_server, clinic, screenshot):  # noqa: F811
    """The first waiting patient is offered it, and accepts by the link."""
    anna = clinic.therapists[0]
    day = timezone.localdate() + dt.timedelta(days=2)
    leaving = AppointmentFactory(
        patient=PatientFactory(first_name="Lea", last_name="Gone"),
        modality=clinic.massage,
        therapist=anna,
        room=clinic.rooms[0],
        starts_at=at(day, 10),
    )
    clara = portal_patient(email="clara.becker@example.org", first_name="Clara", last_name="Becker")
    course = course_for(clara, modality=clinic.massage)
    ben = portal_patient(email="ben.ortiz@example.org", first_name="Ben", last_name="Ortiz")

    # a. Reception puts Clara on the waitlist from her page: her course, mornings.
    log_in(page, live_server, "desk")
    page.goto(f"{live_server.url}/reception/patients/{clara.pk}/")
    page.get_by_role("link", name="Add to the waitlist").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add Clara Becker to the waitlist")
    page.get_by_label("Course", exact=True).select_option(str(course.pk))
    page.get_by_label("Mornings (before 12:00)").check()
    screenshot(page, "1-wish")
    page.get_by_role("button", name="Add to the waitlist").click()
    expect(page.locator("#main > [role=alert]")).to_have_text("Clara Becker is on the waitlist.")
    # Ben joins after her: second in line.
    wish(ben, modality=clinic.massage)

    # b. Lea's session is cancelled at the desk: its slot is freed.
    page.goto(f"{live_server.url}/appointments/{leaving.pk}/cancel/")
    page.get_by_label("Reason").fill("Lea called in sick.")
    page.get_by_role("button", name="Cancel the session").click()
    expect(page.locator("#main > [role=alert]").first).to_be_visible()

    # c. The cron job offers it to Clara, first come, first served.
    out = StringIO()
    call_command("send_waitlist_offers", stdout=out)
    assert out.getvalue() == "1 offer sent.\n"
    [message] = mail.outbox
    assert message.to == ["clara.becker@example.org"]
    path = re.search(r"(/portal/waitlist/offers/\S+/)", message.body).group(1)

    page.goto(f"{live_server.url}/reception/waitlist/")
    slot_card = page.locator(".waitlist-slot").first
    expect(slot_card).to_contain_text("Anna Berg")
    expect(slot_card.locator(".waitlist-offer-row")).to_contain_text("Clara Becker")
    expect(slot_card.locator(".offer-status")).to_have_text("Held")
    screenshot(page, "2-held")

    # d. Clara opens the link on her phone, logs in, and books the session.
    phone = phone_page
    phone.goto(f"{live_server.url}{path}")
    expect(phone).to_have_url(re.compile(r"/accounts/login/"))
    submit_login(phone, "clara.becker@example.org")
    expect(phone).to_have_url(f"{live_server.url}{path}")
    expect(phone.get_by_role("heading", level=1)).to_have_text("A session is free for you")
    expect(phone.locator(".waitlist-offer-session")).to_contain_text("10:00")
    expect(phone.locator(".waitlist-offer-session")).to_contain_text("Anna Berg")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone, "3-offer")
    phone.get_by_role("button", name="Book this session").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your session is booked")
    expect(phone.locator("#offer-state")).to_have_text("You accepted this offer: the session is booked.")
    screenshot(phone, "4-booked")
    phone.get_by_role("link", name="My sessions").click()
    expect(phone.locator(".portal-appointment").first).to_contain_text("Anna Berg")

    # e. Reception sees how it ended.
    page.reload()
    slot_card = page.locator(".waitlist-slot").first
    expect(slot_card.locator(".slot-status")).to_have_text("Filled from the waitlist")
    expect(slot_card.locator(".offer-status")).to_have_text("Accepted")
    screenshot(page, "5-filled")

    booked = Appointment.objects.get(patient=clara, status=AppointmentStatus.BOOKED)
    assert (booked.course, booked.therapist, booked.starts_at, booked.booked_by) == (
        course,
        anna,
        at(day, 10),
        clara.user,
    )
    assert WaitlistOffer.objects.get().status == OfferStatus.ACCEPTED
    assert WaitlistOffer.objects.get().slot.status == FreedSlotStatus.FILLED
    assert not ben.waitlist_offers.exists()
    assert len(mail.outbox) == 1
