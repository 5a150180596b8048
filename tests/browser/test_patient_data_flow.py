"""The manager's patient data page in a browser: from reception's overview to the page, the
readable document, and an erasure the retention period refuses; at 1280 px and on a phone
(390 px). axe-core checks every page; screenshots go to artifacts/screenshots."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.browser.conftest import pass_second_factor, submit_login
from tests.patient_data_scene import complete_record


@pytest.fixture
def scene(clinic_defaults):
    users, _, patient = complete_record()
    TOTPDevice.objects.create(user=users["manager"], name="Phone", confirmed=True)
    return users["manager"], patient


def log_in(page: Page, live_server, manager) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    submit_login(page, manager.username)
    pass_second_factor(page, manager)
    expect(page).to_have_url(f"{live_server.url}{reverse('manager:manager_home')}")


def test_the_manager_reads_the_copy_and_is_refused_an_early_erasure(page, live_server, scene, screenshot):
    manager, patient = scene
    log_in(page, live_server, manager)
    page.goto(f"{live_server.url}{reverse('reception:patient_overview', args=[patient.pk])}")
    page.get_by_role("link", name="Data export and erasure").click()
    expect(page.get_by_role("heading", name=f"Data of {patient}")).to_be_visible()
    expect(page.locator("#erase-refusals")).to_contain_text("must be kept until")
    screenshot(page, "patient-data-1280")
    page.get_by_role("link", name="Read the document").click()
    expect(page.get_by_role("heading", name=f"Data held on {patient}")).to_be_visible()
    expect(page.get_by_role("heading", name="Session notes", exact=False).first).to_be_visible()
    expect(page.get_by_role("heading", name="Who read the record")).to_be_visible()
    screenshot(page, "patient-document-1280")
    page.go_back()
    page.get_by_label("I understand").check()
    page.get_by_label("Type ERASE to confirm").fill("ERASE")
    page.get_by_role("button", name="Erase the patient's data").click()
    expect(page.locator(".alert-danger")).to_contain_text("still booked ahead")
    screenshot(page, "patient-erase-refused-1280")
    patient.refresh_from_db()
    assert not str(patient).startswith("Erased")


def test_the_page_and_the_document_on_a_phone(phone_page, live_server, scene, screenshot):
    manager, patient = scene
    log_in(phone_page, live_server, manager)
    for name, url in [
        ("patient-data-390", reverse("manager:patient_data", args=[patient.pk])),
        ("patient-document-390", reverse("manager:patient_data_document", args=[patient.pk])),
    ]:
        phone_page.goto(f"{live_server.url}{url}")
        expect(phone_page.locator("h1")).to_be_visible()
        screenshot(phone_page, name)
