"""A patient on a phone: logs in with the e-mail address, follows the course and the pain chart,
and cancels a session more than 24 hours ahead; the pages fit 390 and 360 px wide.

Setup goes through the factories; everything the patient does goes through the pages.
"""

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from clinic import roles
from clinic.models import Modality
from sessions.models import Appointment, AppointmentStatus
from tests.browser.conftest import _open_page, submit_login
from tests.factories import PatientFactory, RoomFactory, TherapistFactory, UserFactory, local
from tests.scenes import course_for, held, portal_patient, session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 360, "height": 740}
MASSAGE = "Therapeutic massage"
PAIN = [(8, 6), (7, 5), (7, 4), (6, 4), (5, 3), (4, 2)]


@pytest.fixture
def phone_page(browser, request):
    yield from _open_page(browser, request, PHONE)


@pytest.fixture
def scene(clinic_defaults):
    """Clara, six sessions into a 12–15 session massage course; one session in three days, one
    tomorrow morning within the notice period."""
    massage = Modality.objects.get(name=MASSAGE)
    place = {
        "therapist": TherapistFactory(user__first_name="Lena", user__last_name="Hoffmann", modalities=[massage]),
        "room": RoomFactory(name="Garden room", modalities=[massage]),
    }
    clara = portal_patient(email="clara.becker@example.org", first_name="Clara", last_name="Becker")
    today = timezone.localdate()
    course = course_for(
        clara,
        modality=massage,
        starts_on=today - dt.timedelta(days=2 * len(PAIN)),
        home_programme="Tennis ball under the left buttock, two minutes a day.\nSeated spine stretch, ten times.",
    )
    for number, (before, after) in enumerate(PAIN):
        day = today - dt.timedelta(days=2 * (len(PAIN) - number))
        held(
            course,
            local(day.year, day.month, day.day, 10),
            before=before,
            after=after,
            summary=f"Session {number + 1}: the leg felt lighter afterwards. Keep walking every day.",
            **place,
        )
    soon = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(hours=20)
    soon -= dt.timedelta(minutes=soon.minute % 15)  # on the quarter hour, as the clinic books
    ahead = today + dt.timedelta(days=3)
    return {
        "clara": clara,
        "within_notice": session(clara, soon, course=course, **place),
        "ahead": session(clara, local(ahead.year, ahead.month, ahead.day, 11), course=course, **place),
    }


def no_page_overflow(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def small_tap_targets(page: Page) -> list[str]:
    """Buttons and button-like links in the page body less than 44 px tall."""
    return page.evaluate(
        """() => [...document.querySelectorAll('#main .btn, #main button')]
            .filter(el => el.offsetParent !== null && el.getBoundingClientRect().height < 44)
            .map(el => el.textContent.trim())"""
    )


def test_a_patient_logs_in_with_the_email_follows_the_course_and_cancels_a_session(
    phone_page, live_server, scene, screenshot
):
    page = phone_page
    # a. Log in with the e-mail address, typed in another case.
    page.goto(live_server.url)
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    submit_login(page, "Clara.Becker@Example.org", screenshot=screenshot)
    expect(page).to_have_url(f"{live_server.url}{reverse('portal:portal_home')}")

    # b. The course: progress, sessions to go, the pain chart, summaries, home programme.
    course = page.locator(".portal-course")
    expect(course.get_by_role("heading", name=MASSAGE)).to_be_visible()
    expect(course).to_contain_text("6 of 12–15 sessions done")
    expect(course.locator("progress")).to_have_attribute("value", "6")
    expect(course).to_contain_text("6–9 sessions to go.")
    chart = course.locator("svg.pain-chart")
    expect(chart).to_be_visible()
    expect(chart.locator("circle")).to_have_count(6)
    expect(chart.locator("desc")).to_contain_text("Before the first session: 8. After the last session: 2.")
    expect(course.locator(".pain-caption")).to_contain_text(": 8 before, 6 after. Latest (")
    expect(course).to_contain_text("Session 6: the leg felt lighter afterwards.")
    expect(course).to_contain_text("Tennis ball under the left buttock")
    assert chart.bounding_box()["width"] <= PHONE["width"]
    assert no_page_overflow(page), "the portal home is wider than a 390 px phone"
    assert small_tap_targets(page) == []
    screenshot(page, "2-home")

    # c. Appointments, from the collapsed navigation.
    page.get_by_role("button", name="Toggle navigation").click()
    page.get_by_role("link", name="Appointments").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My sessions")
    within_notice = page.locator(f"#appointment-{scene['within_notice'].pk}")
    expect(within_notice).to_contain_text("Less than 24 hours to go: to cancel, please call +49 30 1234 5678.")
    expect(within_notice.get_by_role("link", name="Cancel this session")).to_have_count(0)
    assert no_page_overflow(page), "the appointments page is wider than a 390 px phone"
    assert small_tap_targets(page) == []
    screenshot(page, "3-appointments")

    # d. Cancel the session three days ahead, giving a reason.
    page.locator(f"#appointment-{scene['ahead'].pk}").get_by_role("link", name="Cancel this session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel a session")
    page.get_by_label("Reason (optional)").fill("Away for work that week")
    assert no_page_overflow(page)
    screenshot(page, "4-confirm-cancel")
    page.get_by_role("button", name="Cancel this session").click()

    expect(page).to_have_url(f"{live_server.url}{reverse('portal:portal_appointments')}")
    expect(page.locator("#main > [role=alert]")).to_contain_text("is cancelled.")
    expect(page.locator(f"#appointment-{scene['ahead'].pk}")).to_have_count(0)
    expect(page.get_by_text("Cancelled", exact=True)).to_be_visible()
    screenshot(page, "5-cancelled")
    ahead = Appointment.objects.get(pk=scene["ahead"].pk)
    assert ahead.status == AppointmentStatus.CANCELLED
    assert ahead.cancellation_reason == "Cancelled by the patient online: Away for work that week"
    assert Appointment.objects.get(pk=scene["within_notice"].pk).status == AppointmentStatus.BOOKED

    # e. The narrowest common phone: nothing sticks out sideways.
    page.set_viewport_size(SMALL_PHONE)
    for step, name in [
        ("6-home-360", "portal:portal_home"),
        ("7-appointments-360", "portal:portal_appointments"),
        ("8-calendar-360", "portal:portal_calendar"),
    ]:
        page.goto(f"{live_server.url}{reverse(name)}")
        assert no_page_overflow(page), f"{name} is wider than a 360 px phone"
        assert small_tap_targets(page) == []
        screenshot(page, step)


def test_reception_invites_and_the_patient_chooses_a_password_on_the_phone(
    page, phone_page, live_server, clinic_defaults, screenshot
):
    patient = PatientFactory(first_name="Jana", last_name="Novak", email="jana.novak@example.org")
    UserFactory(username="desk", first_name="Rita", last_name="Hale", role=roles.RECEPTIONIST)

    # a. The receptionist invites Jana from her patient page.
    page.goto(f"{live_server.url}/accounts/login/")
    submit_login(page, "desk")
    page.goto(f"{live_server.url}{patient.get_absolute_url()}")
    page.get_by_role("button", name="Invite to the patient portal").click()
    expect(page.locator("#main > [role=alert]")).to_contain_text("a link to set a password went to jana.novak@")
    expect(page.locator("#portal-login")).to_have_text("has a login")
    screenshot(page, "1-invited")
    [message] = mail.outbox
    link = re.search(r"http://\S+/accounts/reset/\S+/", message.body).group(0)

    # b. Jana opens the link on her phone, chooses a password, and logs in with her e-mail.
    phone_page.goto(link)
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Choose your password")
    phone_page.locator("#id_new_password1").fill("tennis-ball-stretch-2026")
    phone_page.locator("#id_new_password2").fill("tennis-ball-stretch-2026")
    assert no_page_overflow(phone_page)
    screenshot(phone_page, "2-choose-password")
    phone_page.get_by_role("button", name="Save my password").click()
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Your password is saved")
    screenshot(phone_page, "3-password-saved")
    phone_page.get_by_role("link", name="Log in").last.click()
    submit_login(phone_page, "jana.novak@example.org", "tennis-ball-stretch-2026")
    expect(phone_page).to_have_url(f"{live_server.url}{reverse('portal:portal_home')}")
    expect(phone_page.get_by_text("No course of treatment has been prescribed yet.")).to_be_visible()
    screenshot(phone_page, "4-first-login")
