"""The API's two pages in a browser: the account page where a token is made, shown once and
revoked, and the API documentation, under the Content Security Policy and nothing from another
site (axe-core checks both, as every page)."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from api.models import ApiToken
from clinic import roles
from tests.browser.conftest import submit_login
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def desk(clinic_defaults):
    return UserFactory(username="desk", role=roles.RECEPTIONIST)


def _log_in(page, live_server) -> None:
    page.goto(f"{live_server.url}{reverse('login')}")
    submit_login(page, "desk")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_a_token_is_made_shown_once_and_revoked(page, live_server, desk, screenshot):
    _log_in(page, live_server)
    page.locator("#account-menu").click()  # the account menu, under the user's name
    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("Name").fill("Scheduler")
    page.get_by_label("Read and write").check()
    page.get_by_role("button", name="Create token").click()

    secret = page.locator(".api-token-secret").inner_text()
    screenshot(page, "1-created")
    assert secret.startswith("clinic_")
    expect(page.get_by_role("cell", name="Read and write")).to_be_visible()

    page.reload()
    expect(page.locator(".api-token-secret")).to_have_count(0)
    page.get_by_role("button", name="Revoke Scheduler").click()
    expect(page.get_by_text("Revoked the token Scheduler")).to_be_visible()
    screenshot(page, "2-revoked")
    assert ApiToken.objects.get().revoked_at is not None


def test_the_api_documentation_runs_under_the_policy(page, live_server, desk, screenshot):
    reports: list[str] = []
    foreign: list[str] = []
    page.on("console", lambda message: reports.append(message.text))
    page.on("request", lambda request: None if request.url.startswith(live_server.url) else foreign.append(request.url))
    _log_in(page, live_server)

    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(page.get_by_role("heading", name=re.compile("REST API"), level=1)).to_be_visible()
    page.get_by_role("link", name="Move a session").click()
    expect(page.get_by_role("heading", name="Move a session")).to_be_visible()
    screenshot(page, "docs")
    # On a phone too (axe-core checks it again after the navigation).
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/api/v1/docs/#appointments_reschedule_create")
    expect(page.get_by_role("heading", name="Move a session")).to_be_visible()
    screenshot(page, "docs-phone")

    assert not [report for report in reports if "Content Security Policy" in report]
    assert not foreign
