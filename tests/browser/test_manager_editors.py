"""The manager runs the clinic without the admin: the editors and the weekly grid in a browser,
on a desktop (1280 px) and a phone (390 px). Screenshots go to artifacts/screenshots."""

import datetime as dt

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from clinic.models import Location, Modality, WorkingHours
from tests.browser.conftest import manager_log_in
from tests.factories import therapist_named


@pytest.fixture
def scene(karin):
    massage = Modality.objects.get(name="Therapeutic massage")
    lena = therapist_named("Lena Hoffmann", massage, user__username="lena")
    Location.objects.create(name="Riverside", address="Uferweg 12")
    return lena


def test_the_manager_sets_a_week_with_a_break_and_is_refused_an_overlap(page, live_server, scene, screenshot):
    manager_log_in(page, live_server)
    page.get_by_role("link", name="Clinic set-up").click()
    expect(page.get_by_role("heading", name="Therapists")).to_be_visible()
    screenshot(page, "therapists-1280")
    page.get_by_role("link", name="Lena Hoffmann").click()
    screenshot(page, "therapist-edit-1280")
    page.get_by_role("link", name="Weekly hours").click()
    expect(page.get_by_role("heading", name="Weekly hours: Lena Hoffmann")).to_be_visible()
    page.get_by_label("Monday, block 1: to").fill("12:00")
    page.get_by_label("Monday, block 2: from").fill("13:00")
    page.get_by_label("Monday, block 2: to").fill("18:00")
    page.get_by_label("Monday, block 2: site").select_option(label="Riverside")
    page.get_by_role("button", name="Save the week").click()
    expect(page.get_by_role("alert").or_(page.locator(".alert-success"))).to_contain_text("Saved the weekly hours")
    monday = WorkingHours.objects.filter(therapist=scene, weekday=0).order_by("starts")
    assert [(b.starts, b.ends, b.location.name) for b in monday] == [
        (dt.time(8), dt.time(12), "Main site"),
        (dt.time(13), dt.time(18), "Riverside"),
    ]
    screenshot(page, "weekly-grid-1280")
    page.get_by_label("Tuesday, block 2: from").fill("17:00")
    page.get_by_label("Tuesday, block 2: to").fill("19:00")
    page.get_by_role("button", name="Save the week").click()
    expect(page.locator(".alert-danger")).to_contain_text("Tuesday: 08:00–18:00 and 17:00–19:00 overlap")
    screenshot(page, "weekly-grid-refused-1280")


def test_the_editors_on_a_phone(phone_page, live_server, scene, screenshot):
    page = phone_page
    manager_log_in(page, live_server)
    for name, url in [
        ("weekly-grid-390", reverse("manager:therapist_hours", args=[scene.pk])),
        ("modality-edit-390", reverse("manager:modality_edit", args=[Modality.objects.order_by("pk").first().pk])),
        ("rooms-390", reverse("manager:room_list")),
        ("closure-new-390", reverse("manager:closure_create")),
        ("rules-390", reverse("manager:rule_list")),
    ]:
        page.goto(f"{live_server.url}{url}")
        expect(page.locator("h1")).to_be_visible()
        screenshot(page, name)


def test_the_manager_adds_a_modality_and_reads_why_min_above_max_is_refused(page, live_server, scene, screenshot):
    manager_log_in(page, live_server)
    page.goto(f"{live_server.url}{reverse('manager:modality_create')}")
    page.get_by_label("Name").fill("Lymph drainage")
    page.get_by_label("Minutes a session").fill("40")
    page.get_by_label("Sessions in a course, at least").fill("12")
    page.get_by_label("Sessions in a course, at most").fill("10")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".alert-danger")).to_contain_text("The minimum of sessions (12) is above the maximum (10)")
    screenshot(page, "modality-refused-1280")
    page.get_by_label("Sessions in a course, at most").fill("14")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Modalities")).to_be_visible()
    assert Modality.objects.filter(name="Lymph drainage", course_max_sessions=14).exists()
    screenshot(page, "modalities-1280")
    for name, url in [
        ("rooms-1280", reverse("manager:room_list")),
        ("room-new-1280", reverse("manager:room_create")),
        ("closures-1280", reverse("manager:closure_list")),
        ("closure-new-1280", reverse("manager:closure_create")),
        ("rules-1280", reverse("manager:rule_list")),
        ("sites-1280", reverse("manager:location_list")),
    ]:
        page.goto(f"{live_server.url}{url}")
        screenshot(page, name)
