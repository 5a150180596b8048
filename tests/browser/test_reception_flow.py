"""The front desk's day in a real browser: log in, register, book one session, be refused for an
acute patient, book a cupping course, and do the same on a tablet from the keyboard.

Setup goes through the factories; everything the receptionist does goes through the pages.
"""

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from clinic import roles
from clinic.models import Modality, Room, Therapist
from pages.paging import CappedPaginator
from sessions.models import Appointment, AppointmentStatus
from tests.browser.conftest import submit_login
from tests.factories import (
    EVERY_DAY,
    AppointmentFactory,
    CourseFactory,
    DiagnosisFactory,
    PatientFactory,
    PhaseRecordFactory,
    RoomFactory,
    TherapistFactory,
    UserFactory,
    local,
)

# The live server needs committed rows; serialized_rollback gives each test back the rows the
# data migrations made (roles, catalogue, default rules), which the flush after a test removes.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

MASSAGE = "Therapeutic massage"
CUPPING = "Vacuum (cupping) massage"
# Crispy marks a required field's label with an asterisk: "Day*".
DAY = re.compile(r"^\s*Day\b")


@dataclass
class Clinic:
    receptionist: object
    therapists: list[Therapist]
    rooms: list[Room]
    massage: Modality
    cupping: Modality


@pytest.fixture
def clinic(clinic_defaults) -> Clinic:
    massage = Modality.objects.get(name=MASSAGE)
    cupping = Modality.objects.get(name=CUPPING)
    therapists = [
        TherapistFactory(
            user__username=username,
            user__first_name=first,
            user__last_name=last,
            modalities=[massage, cupping],
            hours=EVERY_DAY,
        )
        for username, first, last in [("berg", "Anna", "Berg"), ("okafor", "Daniel", "Okafor")]
    ]
    rooms = [RoomFactory(name=name, modalities=[massage, cupping]) for name in ("Garden room", "Quiet room")]
    receptionist = UserFactory(username="desk", first_name="Rita", last_name="Hale", role=roles.RECEPTIONIST)
    return Clinic(receptionist, therapists, rooms, massage, cupping)


def tomorrow() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)


def log_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    submit_login(page, username)
    expect(page).to_have_url(f"{live_server.url}/reception/")


def no_page_overflow(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_receptionist_logs_in_registers_a_patient_and_books_a_session(page, live_server, clinic, screenshot):
    # a. The login form, submitted with Enter, lands on the day board.
    page.goto(live_server.url)
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    submit_login(page, "desk", screenshot=screenshot)
    expect(page).to_have_url(f"{live_server.url}/reception/")
    expect(page.get_by_role("heading", level=1)).to_have_text(timezone.localdate().strftime("%A %-d %B %Y"))
    expect(page.get_by_role("columnheader", name="Anna Berg")).to_be_visible()
    screenshot(page, "2-day-board")

    # b. Patients list, then Register, then the new patient's page.
    page.get_by_role("link", name="Patients", exact=True).click()
    page.get_by_role("link", name="Register patient").click()
    expect(page.get_by_role("heading", name="Register a patient")).to_be_visible()
    page.get_by_label("First name").fill("Jana")
    page.get_by_label("Last name").fill("Novak")
    page.get_by_label("Date of birth").fill("1980-03-15")
    page.get_by_label("Phone").fill("+49 30 555 0199")
    page.get_by_label("E-mail").fill("jana.novak@example.org")
    page.get_by_label("Consent given on").fill(timezone.localdate().isoformat())
    screenshot(page, "3-register-form")
    page.get_by_role("button", name="Register patient").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jana Novak")
    expect(page.get_by_role("alert")).to_contain_text("Jana Novak is registered.")
    expect(page.locator("#booking-status")).to_contain_text("Nothing blocks a booking.")
    screenshot(page, "4-patient-page")

    # c. Book a session: modality and day, free slots arrive by htmx, pick one, Book. The CSRF
    #    token travels in no address on the way (htmx sends it as a header, Book posts it).
    addresses: list[str] = []
    page.on("request", lambda request: addresses.append(request.url))
    page.get_by_role("link", name="Book a session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Book a session for Jana Novak")
    screenshot(page, "5-booking-page")
    page.get_by_label("Modality").select_option(label=MASSAGE)
    page.get_by_label(DAY).fill(tomorrow().isoformat())
    expect(page.locator("#slots-legend")).to_have_text(f"Free slots on {tomorrow():%A %-d %B}")
    # The compact picker (the front-desk issue) shows each therapist's first times; choosing the
    # therapist shows all of hers.
    page.get_by_label("Therapist").select_option(label="Anna Berg")
    page.locator("fieldset.slot-group", has_text="Anna Berg").locator("label", has_text="10:00").click()
    expect(page.locator("fieldset.slot-group", has_text="Anna Berg").get_by_label("10:00", exact=True)).to_be_checked()
    screenshot(page, "6-free-slots")
    page.get_by_role("button", name="Book", exact=True).click()

    expect(page).to_have_url(re.compile(r"/appointments/\d+/$"))
    assert any("booking" in url or "book" in url for url in addresses)
    assert not [url for url in addresses if "csrfmiddlewaretoken" in url]
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{MASSAGE} — Jana Novak")
    expect(page.get_by_role("alert")).to_contain_text(f"Booked {MASSAGE} for Jana Novak.")
    screenshot(page, "7-appointment")
    assert Appointment.objects.count() == 1
    appointment = Appointment.objects.get()
    assert str(appointment.patient) == "Jana Novak"
    assert appointment.modality == clinic.massage
    assert appointment.therapist == clinic.therapists[0]
    assert timezone.localtime(appointment.starts_at) == local(*tomorrow().timetuple()[:3], 10)
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.booked_by == clinic.receptionist


def test_it_refuses_to_book_an_acute_patient_and_names_the_diagnosis(page, live_server, clinic, screenshot):
    patient = PatientFactory(first_name="Piotr", last_name="Kowalski")
    diagnosis = DiagnosisFactory(patient=patient, icd10_code="M51.1", title="Lumbar disc disorder with radiculopathy")
    PhaseRecordFactory(diagnosis=diagnosis, phase="acute", effective_from=timezone.now() - dt.timedelta(days=1))
    log_in(page, live_server, "desk")

    page.goto(f"{live_server.url}{patient.get_absolute_url()}")
    expect(page.locator("#booking-status .alert-danger")).to_contain_text("M51.1")
    expect(page.get_by_role("link", name="Book a session")).to_have_count(0)
    screenshot(page, "1-patient-page")

    # The booking page reached directly (a bookmark, an old tab) refuses too.
    page.goto(f"{live_server.url}/book/?patient={patient.pk}")
    page.get_by_label("Modality").select_option(label=MASSAGE)
    page.get_by_label(DAY).fill(tomorrow().isoformat())
    refusal = page.locator("#contraindication-blocks")
    expect(refusal).to_be_visible()
    expect(refusal).to_have_class(re.compile(r"\balert-danger\b"))
    expect(refusal).to_contain_text(f"Piotr Kowalski cannot be booked for {MASSAGE}")
    expect(refusal).to_contain_text("Acute phase of M51.1 Lumbar disc disorder with radiculopathy")
    expect(page.get_by_role("button", name="Book", exact=True)).to_have_count(0)
    expect(page.locator("input[name=slot]")).to_have_count(0)
    screenshot(page, "2-refused")
    assert not Appointment.objects.exists()


def test_it_books_a_seven_day_cupping_course(page, live_server, clinic, screenshot):
    patient = PatientFactory(first_name="Lena", last_name="Vogel")
    course = CourseFactory(patient=patient, modality=clinic.cupping, diagnosis__icd10_code="M54.4")
    assert course.max_sessions == 7
    log_in(page, live_server, "desk")

    page.goto(f"{live_server.url}{patient.get_absolute_url()}")
    screenshot(page, "1-patient-page")
    page.get_by_role("link", name="Book the course").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Book the course: {CUPPING} for Lena Vogel")
    page.get_by_label("First day").fill(tomorrow().isoformat())
    page.get_by_label("Time").fill("09:00")
    page.get_by_label("Therapist").select_option(label="Daniel Okafor")
    page.get_by_label("Room").select_option(label="Quiet room")
    screenshot(page, "2-first-session")
    page.get_by_role("button", name="Propose the dates").click()

    rows = page.locator("table.series-plan tbody tr")
    expect(rows).to_have_count(7)
    days = [tomorrow() + dt.timedelta(days=n) for n in range(7)]
    for row, day in zip(rows.all(), days, strict=True):
        expect(row.get_by_role("checkbox")).to_be_checked()
        expect(row).to_contain_text(f"{day:%a %-d %b}, 09:00")
        expect(row).to_contain_text("Daniel Okafor")
        expect(row).to_contain_text("Free")
    screenshot(page, "3-plan")
    page.get_by_role("button", name="Book the ticked dates").click()

    expect(page).to_have_url(f"{live_server.url}{patient.get_absolute_url()}")
    expect(page.get_by_role("alert")).to_contain_text(f"Booked 7 sessions of {CUPPING} for Lena Vogel.")
    expect(page.get_by_text("0 of 5–7 done · 7 booked or done")).to_be_visible()
    screenshot(page, "4-booked")
    booked = list(course.appointments.order_by("starts_at"))
    assert [timezone.localtime(a.starts_at).date() for a in booked] == days
    assert {timezone.localtime(a.starts_at).time() for a in booked} == {dt.time(9)}
    assert {(a.therapist.user.username, a.room.name) for a in booked} == {("okafor", "Quiet room")}
    assert Appointment.objects.count() == 7


def test_on_a_tablet_the_pages_fit_and_booking_works_from_the_keyboard(
    tablet_page, live_server, clinic, screenshot, date_keys
):
    page = tablet_page
    today = timezone.localdate()
    for therapist, room, hour in zip(clinic.therapists, clinic.rooms, (9, 11), strict=True):
        AppointmentFactory(
            patient=PatientFactory(),
            modality=clinic.massage,
            therapist=therapist,
            room=room,
            starts_at=local(today.year, today.month, today.day, hour),
        )
    patient = PatientFactory(first_name="Omar", last_name="Haddad")
    log_in(page, live_server, "desk")

    expect(page.locator(".board")).to_be_visible()
    expect(page.locator(".appt-card")).to_have_count(2)
    assert no_page_overflow(page), "the day board is wider than a 768 px tablet"
    screenshot(page, "1-day-board")

    page.goto(f"{live_server.url}/book/?patient={patient.pk}")
    assert no_page_overflow(page), "the booking page is wider than a 768 px tablet"

    # Modality by typing its first letters, then Tab through the therapist to the day.
    modality = page.get_by_label("Modality")
    modality.focus()
    page.keyboard.type("Ther")
    expect(modality).to_have_value(str(clinic.massage.pk))
    page.keyboard.press("Tab")
    expect(page.get_by_label("Therapist")).to_be_focused()
    page.keyboard.press("Tab")
    day = page.get_by_label(DAY)
    expect(day).to_be_focused()
    page.keyboard.type(date_keys(tomorrow()))
    expect(day).to_have_value(tomorrow().isoformat())
    expect(page.locator("#slots-legend")).to_have_text(f"Free slots on {tomorrow():%A %-d %B}")
    assert no_page_overflow(page), "the free slots are wider than a 768 px tablet"
    screenshot(page, "2-booking-slots")

    # Tab on to the free slots, pick the first with Space, then Tab to Book and press Enter.
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "slot":
            break
    first_slot = page.locator("input[name=slot]").first
    expect(first_slot).to_be_focused()
    page.keyboard.press("Space")
    expect(first_slot).to_be_checked()
    # The compact picker (front-desk issue): each therapist's "all N times" link comes first.
    book = page.get_by_role("button", name="Book", exact=True)
    for _ in range(4):
        page.keyboard.press("Tab")
        if book.evaluate("element => element === document.activeElement"):
            break
    expect(book).to_be_focused()
    screenshot(page, "3-keyboard-choice")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/appointments/\d+/$"))
    assert no_page_overflow(page)
    screenshot(page, "4-appointment")
    booked = Appointment.objects.get(patient=patient)
    assert timezone.localtime(booked.starts_at) == local(*tomorrow().timetuple()[:3], 8)


def test_a_list_longer_than_its_count_pages_on_to_the_last_patient(page, live_server, clinic, monkeypatch, screenshot):
    monkeypatch.setattr(CappedPaginator, "cap", 30)  # 10,000 in the clinic: the same pages, fewer rows
    for n in range(80):
        PatientFactory(first_name="Petra", last_name=f"Last{n:02d}")
    log_in(page, live_server, "desk")
    page.goto(f"{live_server.url}/patients/")
    count = page.locator("#patient-results [role=status]")
    expect(count).to_have_text("More than 30 patients · page 1")

    pages = page.get_by_role("navigation", name="Patient list pages")
    for number in (2, 3, 4):
        pages.get_by_role("link", name="Next").click()
        expect(count).to_have_text(f"More than 30 patients · page {number}")
    expect(page).to_have_url(re.compile(r"\?page=4$"))
    expect(page.get_by_role("link", name="Petra Last79")).to_be_visible()
    expect(pages.get_by_role("link", name="Next")).to_have_count(0)
    expect(pages.locator('[aria-current="page"]')).to_have_text("4")
    screenshot(page, "1-last-page")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(count).to_have_text("More than 30 patients · page 4")
    assert no_page_overflow(page)
    screenshot(page, "2-last-page-phone")
