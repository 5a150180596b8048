"""The manager edits the intake questions and a consent text in a browser: each save is a new
version, the old stays; on a desktop (1280 px) and a phone (390 px). Screenshots go to
artifacts/screenshots."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from clinic import roles
from patients.intake import intake_version_current
from patients.models import ConsentTopic
from tests.browser.conftest import _open_page, pass_second_factor, submit_login
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def karin(clinic_defaults):
    karin = UserFactory(username="karin", first_name="Karin", last_name="Albrecht", role=roles.MANAGER)
    TOTPDevice.objects.create(user=karin, name="Phone", confirmed=True)
    return karin


@pytest.fixture
def phone_page(browser, request):
    yield from _open_page(browser, request, {"width": 390, "height": 844})


def log_in(page: Page, live_server) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    submit_login(page, "karin")
    pass_second_factor(page, User.objects.get(username="karin"))
    expect(page).to_have_url(f"{live_server.url}{reverse('manager:manager_home')}")


def test_the_manager_adds_a_question_and_edits_a_consent_text(page, live_server, karin, screenshot):
    log_in(page, live_server)
    page.get_by_role("link", name="Clinic set-up").click()
    page.get_by_role("link", name="Intake questions").click()
    expect(page.get_by_role("heading", name="Version 1, asked now")).to_be_visible()
    screenshot(page, "1-intake-questions")
    page.get_by_role("link", name="Edit the questions").click()
    page.get_by_label("Question 8", exact=True).fill("Do you have diabetes?")
    page.get_by_label("Question 8: a yes proposes").select_option(label="Other")
    page.get_by_label("Question 8: with a yes, ask").fill("Which type?")
    screenshot(page, "2-intake-edit")
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.locator(".alert-success")).to_contain_text("Saved the questions as version 2")
    screenshot(page, "3-intake-version-2")
    assert intake_version_current().question_list[-1].text == "Do you have diabetes?"

    page.get_by_role("link", name="Consents").click()
    screenshot(page, "4-consents")
    page.get_by_role("link", name="Cupping").click()
    page.get_by_role("link", name="Text and versions").click()
    text = page.get_by_label("Text")
    text.fill(text.input_value() + "\n\nThe marks may show for up to two weeks.")
    page.get_by_role("button", name="Save as version 2").click()
    expect(page.locator(".alert-success")).to_contain_text("Saved version 2 of the consent for Cupping")
    expect(page.locator(".consent-versions tbody tr")).to_have_count(2)
    screenshot(page, "5-consent-versions")
    page.get_by_role("link", name="Version 1").click()
    expect(page.locator(".consent-text")).not_to_contain_text("up to two weeks")
    screenshot(page, "6-consent-version-1")
    assert ConsentTopic.objects.get(name="Cupping").versions.count() == 2


def test_the_editors_on_a_phone(phone_page, live_server, karin, screenshot):
    page = phone_page
    log_in(page, live_server)
    massage = ConsentTopic.objects.get(name="Massage")
    for name, url in [
        ("intake-390", reverse("manager:intake_questions")),
        ("intake-edit-390", reverse("manager:intake_edit")),
        ("consents-390", reverse("manager:consent_list")),
        ("consent-text-390", reverse("manager:consent_text", args=[massage.pk])),
        ("rule-new-390", reverse("manager:rule_create")),
    ]:
        page.goto(f"{live_server.url}{url}")
        expect(page.locator("h1")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
        screenshot(page, name)
