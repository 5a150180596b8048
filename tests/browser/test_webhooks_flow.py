"""The manager adds a webhook in a browser, reads its secret once, sends a test event to a server
listening on 127.0.0.1 and reads the delivery log; on a desktop (1280 px) and a phone (390 px).
Screenshots go to artifacts/screenshots."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from clinic import events
from tests.browser.conftest import manager_log_in
from tests.webhooks.scene import endpoint
from webhooks.models import WebhookEndpoint
from webhooks.services import webhook_test_record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


# What sticks out of a phone's width (a table's own scrolling aside): named when the check fails.
WIDE = """[...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-responsive'))
    .map(e => e.tagName + '.' + e.className)"""


def test_the_manager_adds_a_webhook_and_sends_it_a_test_event(page, live_server, karin, webhook_receiver, screenshot):
    manager_log_in(page, live_server)
    page.get_by_role("link", name="Clinic set-up").click()
    page.get_by_role("link", name="Webhooks").click()
    screenshot(page, "1-empty-list")
    page.get_by_role("link", name="Add a webhook").click()
    page.get_by_label("URL").fill(webhook_receiver.url)
    page.get_by_label("Description").fill("Practice calendar")
    page.get_by_label("Appointment booked").check()
    page.get_by_label("Appointment cancelled").check()
    screenshot(page, "2-add")
    page.get_by_role("button", name="Save").click()

    hook = WebhookEndpoint.objects.get()
    expect(page.get_by_label("Secret")).to_have_value(hook.secret)
    screenshot(page, "3-secret-once")
    page.reload()
    expect(page.get_by_label("Secret")).to_have_count(0)
    page.get_by_role("button", name="Send a test event").click()
    expect(page.locator(".alert-success")).to_contain_text("Delivered: the endpoint answered 200.")
    expect(page.locator(".webhook-delivery")).to_contain_text("webhook.test")
    screenshot(page, "4-log")
    assert webhook_receiver.received[0].headers["X-Clinic-Event"] == "webhook.test"

    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Active").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".alert-success")).to_contain_text("Saved Practice calendar.")
    hook.refresh_from_db()
    assert hook.active is False


def test_the_webhook_pages_on_a_phone(phone_page, live_server, karin, screenshot):
    page = phone_page
    manager_log_in(page, live_server)
    hook = endpoint(events.APPOINTMENT_BOOKED, events.NOTE_SIGNED, url="http://127.0.0.1:9/a/long/path/for/a/phone")
    webhook_test_record(endpoint=hook)
    for name, url in [
        ("list-390", reverse("manager:webhook_list")),
        ("add-390", reverse("manager:webhook_add")),
        ("log-390", reverse("manager:webhook_deliveries", args=[hook.pk])),
        ("edit-390", reverse("manager:webhook_edit", args=[hook.pk])),
    ]:
        page.goto(f"{live_server.url}{url}")
        expect(page.locator("h1")).to_be_visible()
        wide = page.evaluate(WIDE)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (name, wide)
        screenshot(page, name)
