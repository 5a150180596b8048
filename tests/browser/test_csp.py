"""The Content Security Policy (no inline script or style) breaks nothing on the main pages.

Chromium reports every blocked inline style, inline script or foreign source on the console
("Refused to apply inline style because it violates the following Content Security Policy
directive..."), so each role walks through its pages, htmx fragments included, and the console
must stay free of such reports.
"""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from clinic import roles
from patients.models import Phase
from tests.browser.conftest import lena_and_the_garden_room, submit_login
from tests.factories import PhaseRecordFactory, UserFactory, local
from tests.scenes import course_for, held, portal_patient, session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

MASSAGE = "Therapeutic massage"
DAY = re.compile(r"^\s*Day\b")


@pytest.fixture
def scene(clinic_defaults):
    """Clara, four sessions into a massage course with Lena, one more today and one next week."""
    massage, lena, room = lena_and_the_garden_room()
    UserFactory(username="desk", role=roles.RECEPTIONIST)
    clara = portal_patient(email="clara.becker@example.org", first_name="Clara", last_name="Becker")
    course = course_for(clara, modality=massage, prescribed_by=lena.user)
    PhaseRecordFactory(diagnosis=course.diagnosis, phase=Phase.REMISSION, recorded_by=lena.user)
    today = timezone.localdate()
    for number, (before, after) in enumerate([(8, 6), (7, 5), (6, 4), (5, 3)]):
        day = today - dt.timedelta(days=2 * (4 - number))
        held(course, local(day.year, day.month, day.day, 10), before=before, after=after, therapist=lena, room=room)
    now = timezone.now().replace(second=0, microsecond=0)
    todays = session(
        clara,
        max(now - dt.timedelta(minutes=30), local(today.year, today.month, today.day)),
        course=course,
        therapist=lena,
        room=room,
    )
    session(clara, now + dt.timedelta(days=7), course=course, therapist=lena, room=room)
    return {"clara": clara, "todays": todays}


@pytest.fixture
def csp_reports(page):
    """Every console message that mentions the Content Security Policy, as the pages are visited."""
    reports: list[str] = []
    page.on("console", lambda message: reports.append(f"{page.url}: {message.text}"))
    yield lambda: [report for report in reports if "Content Security Policy" in report]


def log_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}{reverse('login')}")
    submit_login(page, username)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)


def visit(page: Page, live_server, path: str) -> None:
    page.goto(f"{live_server.url}{path}")
    page.wait_for_load_state("networkidle")


def test_the_main_pages_break_no_rule_of_the_policy(page, live_server, scene, csp_reports):
    clara, todays = scene["clara"], scene["todays"]
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    # Anonymous: the login page, a refused log-in, a missing page.
    visit(page, live_server, reverse("login"))
    submit_login(page, "desk", "not-the-password")
    expect(page.locator(".alert-danger, .alert-block").first).to_be_visible()
    visit(page, live_server, "/no-such-page/")

    # Reception: day board, week, patient search by htmx, the patient, booking with htmx slots.
    log_in(page, live_server, "desk")
    visit(page, live_server, reverse("reception:week_board"))
    visit(page, live_server, reverse("reception:patient_list"))
    page.get_by_role("searchbox").fill("Becker")
    expect(page.locator("#patient-results")).to_contain_text("Becker")
    visit(page, live_server, reverse("reception:patient_overview", args=[clara.pk]))
    visit(page, live_server, f"{reverse('booking:appointment_book')}?patient={clara.pk}")
    page.get_by_label("Modality").select_option(label=MASSAGE)
    page.get_by_label(DAY).fill(tomorrow.isoformat())
    expect(page.locator("#slots-legend")).to_have_text(f"Free slots on {tomorrow:%A %-d %B}")
    page.wait_for_load_state("networkidle")
    visit(page, live_server, reverse("booking:appointment_detail", args=[todays.pk]))
    visit(page, live_server, reverse("manager:manager_home"))  # refused: the 403 page
    log_out(page)

    # Therapist: My day, the session note, the chart with its pain chart.
    log_in(page, live_server, "lena")
    visit(page, live_server, reverse("therapist:note_edit", args=[todays.pk]))
    visit(page, live_server, reverse("chart:patient_chart", args=[clara.pk]))
    expect(page.locator("svg").first).to_be_visible()
    log_out(page)

    # Patient: the portal home with its chart, appointments, calendar.
    log_in(page, live_server, clara.email)
    expect(page.locator("svg").first).to_be_visible()
    visit(page, live_server, reverse("portal:portal_appointments"))
    visit(page, live_server, reverse("portal:portal_calendar"))
    log_out(page)

    assert csp_reports() == []


def test_it_would_notice_an_inline_style(page, live_server, clinic_defaults, csp_reports):
    """The check above can fail: an inline style added to a page is reported."""
    visit(page, live_server, reverse("login"))

    page.evaluate("() => { document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>'); }")
    page.wait_for_timeout(200)

    assert csp_reports(), "Chromium reported no violation for an inline style"
