"""A manager's first log-in enrols an authenticator app (QR code, the key as text, a code), shows
the recovery codes once, and every later log-in asks for a code; the pages break no rule of the
Content Security Policy and fit a desktop and a phone."""

import re
import shutil
from base64 import b32decode

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from clinic import roles
from tests.browser.conftest import _open_page, pass_second_factor, submit_login, totp_code
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}


def copy_to_tmp(path, name: str) -> None:
    shutil.copy(path, f"/tmp/i15-{name}.png")


def test_a_manager_enrols_at_the_first_log_in_and_gives_a_code_at_the_next(
    page, live_server, clinic_defaults, screenshot, browser, request
):
    boss = UserFactory(username="boss", first_name="Bea", last_name="Boss", role=roles.MANAGER, is_staff=True)
    reports: list[str] = []
    page.on("console", lambda message: reports.append(message.text))

    page.goto(f"{live_server.url}{reverse('manager:manager_home')}")
    submit_login(page, "boss")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/enrol/"))
    expect(page.get_by_role("heading", name="Set up two-factor log-in")).to_be_visible()
    expect(page.locator("#qr-code svg")).to_be_visible()
    copy_to_tmp(screenshot(page, "1-enrol-1280"), "enrol-1280")

    # Nothing else opens before the code: the nav is gone and any address comes back here.
    page.goto(f"{live_server.url}{reverse('reception:day_board')}")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/enrol/"))

    secret = page.locator("#secret-key").inner_text().replace(" ", "")
    device = TOTPDevice.objects.get(user=boss, confirmed=False)
    assert b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key
    page.get_by_label("Code from the app").fill(totp_code(device))
    page.get_by_role("button", name="Confirm and turn on").click()

    expect(page.get_by_role("heading", name="Recovery codes")).to_be_visible()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    screenshot(page, "2-recovery-codes")
    page.get_by_role("link", name="I have kept them, continue").click()
    expect(page).to_have_url(f"{live_server.url}{reverse('reception:day_board')}")  # where they were going

    page.get_by_role("button", name="Log out").click()
    submit_login(page, "boss")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/verify/"))
    expect(page.get_by_role("heading", name="One more step")).to_be_visible()
    copy_to_tmp(screenshot(page, "3-verify-1280"), "verify-1280")
    pass_second_factor(page, boss)
    expect(page).to_have_url(f"{live_server.url}{reverse('manager:manager_home')}")

    assert not [report for report in reports if "Content Security Policy" in report]


def test_the_enrolment_and_verification_pages_fit_a_phone(browser, request, live_server, clinic_defaults, screenshot):
    boss = UserFactory(username="boss", role=roles.MANAGER, is_staff=True)
    pages = _open_page(browser, request, PHONE)
    page = next(pages)
    try:
        page.goto(f"{live_server.url}{reverse('login')}")
        submit_login(page, "boss")
        expect(page.locator("#qr-code svg")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the enrolment page scrolls sideways: {width}px"
        qr = page.locator("#qr-code svg").bounding_box()
        assert 150 <= qr["width"] <= PHONE["width"]
        copy_to_tmp(screenshot(page, "4-enrol-390"), "enrol-390")

        device = TOTPDevice.objects.get(user=boss)
        page.get_by_label("Code from the app").fill(totp_code(device))
        page.get_by_role("button", name="Confirm and turn on").click()
        expect(page.get_by_role("heading", name="Recovery codes")).to_be_visible()
        page.context.clear_cookies()  # a new visit (on a phone the log-out button is in the folded menu)
        page.goto(f"{live_server.url}{reverse('login')}")
        submit_login(page, "boss")
        expect(page.get_by_role("heading", name="One more step")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        copy_to_tmp(screenshot(page, "5-verify-390"), "verify-390")
    finally:
        next(pages, None)
