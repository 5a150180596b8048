"""A patient books the next session of their course on a 390 px phone, then moves it; the front
desk's day board marks it as booked online, and the therapist was told.

Setup goes through the factories; everything the patient does goes through the pages.
"""

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from clinic import roles
from sessions.models import Appointment
from tests.browser.conftest import _open_page, submit_login
from tests.browser.test_portal_flow import PHONE, no_page_overflow, small_tap_targets
from tests.factories import RoomFactory, UserFactory, local, therapist_named
from tests.scenes import course_for, held, portal_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

MASSAGE = "Therapeutic massage"


@pytest.fixture
def phone_page(browser, request):
    yield from _open_page(browser, request, PHONE)


@pytest.fixture
def scene(clinic_defaults):
    """Clara, two sessions into a massage course with Lena (Monday to Friday, 08–18)."""
    from clinic.models import Modality

    massage = Modality.objects.get(name=MASSAGE)
    lena = therapist_named("Lena Hoffmann", massage, user__username="lena", user__email="lena@clinic.example")
    place = {"therapist": lena, "room": RoomFactory(name="Garden room", modalities=[massage])}
    clara = portal_patient(email="clara.becker@example.org", first_name="Clara", last_name="Becker")
    today = timezone.localdate()
    course = course_for(clara, modality=massage, starts_on=today - dt.timedelta(days=8))
    for days_ago in (8, 5):
        day = today - dt.timedelta(days=days_ago)
        held(course, local(day.year, day.month, day.day, 10), **place)
    return {"clara": clara, "lena": lena, "course": course}


def test_a_patient_books_the_next_session_of_their_course_on_a_phone(phone_page, page, live_server, scene, screenshot):
    phone = phone_page
    phone.goto(f"{live_server.url}/accounts/login/")
    submit_login(phone, "clara.becker@example.org")
    expect(phone).to_have_url(f"{live_server.url}{reverse('portal:portal_home')}")

    # a. The course card offers the next session.
    course_card = phone.locator(".portal-course")
    course_card.get_by_role("link", name="Book a session").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Book a session")
    expect(phone.locator(".self-book-what")).to_contain_text("Therapeutic massage, 45 minutes")
    assert no_page_overflow(phone), "the booking page is wider than a 390 px phone"
    assert small_tap_targets(phone) == []
    screenshot(phone, "1-days-and-times")

    # b. Another day, past the 24-hour notice whatever the hour of the run (so it can be moved
    # later): its times, with Lena only (the course's therapist).
    days = phone.locator(".day-chips a")
    assert days.count() >= 2
    past_notice = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    hrefs = [days.nth(i).get_attribute("href") for i in range(days.count())]
    days.nth(next(i for i, href in enumerate(hrefs) if href >= f"?day={past_notice}")).click()
    expect(phone.locator(".day-chips a[aria-current=date]")).to_have_count(1)
    expect(phone.locator(".slot-group legend")).to_have_text(["Lena Hoffmann"])
    chosen_day = phone.locator("input[name=day]").input_value()
    time_chip = phone.locator(".slot-chips label").nth(2)
    chosen_time = time_chip.inner_text().strip()
    time_chip.click()
    expect(phone.locator(".slot-chips input:checked")).to_have_count(1)
    assert no_page_overflow(phone)
    screenshot(phone, "2-time-chosen")
    phone.get_by_role("button", name="Book this time").click()

    # c. Back on My sessions: booked, and it can be moved or cancelled.
    expect(phone).to_have_url(f"{live_server.url}{reverse('portal:portal_appointments')}")
    expect(phone.locator("#main > [role=alert]")).to_contain_text(f"at {chosen_time} with Lena Hoffmann")
    booked = Appointment.objects.get(status="booked")
    assert booked.self_booked and booked.course == scene["course"] and booked.therapist == scene["lena"]
    assert timezone.localtime(booked.starts_at).strftime("%Y-%m-%d %H:%M") == f"{chosen_day} {chosen_time}"
    card = phone.locator(f"#appointment-{booked.pk}")
    expect(card.get_by_role("link", name="Move this session")).to_be_visible()
    expect(card.get_by_role("link", name="Cancel this session")).to_be_visible()
    assert no_page_overflow(phone)
    assert small_tap_targets(phone) == []
    screenshot(phone, "3-booked")
    assert [m.to for m in mail.outbox] == [["lena@clinic.example"]]
    assert "Clara Becker booked a session of Therapeutic massage in the portal" in mail.outbox[0].body

    # d. Move it to the first time of the first day offered.
    card.get_by_role("link", name="Move this session").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Move a session")
    phone.locator(".day-chips a").first.click()
    new_time = phone.locator(".slot-chips label").first
    new_time_text = new_time.inner_text().strip()
    new_time.click()
    screenshot(phone, "4-move")
    phone.get_by_role("button", name="Move my session").click()
    expect(phone.locator("#main > [role=alert]")).to_contain_text(f"at {new_time_text} with Lena Hoffmann")
    booked.refresh_from_db()
    assert timezone.localtime(booked.starts_at).strftime("%H:%M") == new_time_text
    screenshot(phone, "5-moved")

    # e. The front desk's day board marks the card as booked online.
    UserFactory(username="desk", role=roles.RECEPTIONIST)
    page.goto(f"{live_server.url}/accounts/login/")
    submit_login(page, "desk")
    day = timezone.localtime(booked.starts_at).date()
    page.goto(f"{live_server.url}{reverse('reception:day_board')}?day={day.isoformat()}")
    board_card = page.locator(".appt-card", has_text="Clara Becker")
    expect(board_card).to_contain_text("Booked online by the patient")
    screenshot(page, "6-board")
    assert re.search(r"Moved by the patient", str(list(_audit_details())))


def _audit_details():
    from auditlog.models import LogEntry

    return LogEntry.objects.filter(additional_data__source="patient").values_list("additional_data__detail", flat=True)
