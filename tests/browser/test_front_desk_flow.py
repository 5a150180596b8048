"""The front desk at the speed of a phone call, in Chromium: book from a free cell of the day
board, next free, the reschedule picker, and cancelling all of a patient's flagged sessions.
Screenshots of the board, booking and reschedule at 1280 and 390 px go to /tmp."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from patients.models import Phase
from sessions.models import Appointment, AppointmentStatus
from tests.browser.test_reception_flow import clinic, log_in, tomorrow  # noqa: F401 (the fixture)
from tests.factories import AppointmentFactory, CourseFactory, PatientFactory, PhaseRecordFactory, at


def shoot(page, name: str) -> None:
    page.screenshot(path=f"/tmp/front-desk-{name}-{page.viewport_size['width']}.png", full_page=True)


def test_a_click_on_a_free_cell_books_that_therapist_and_time(page, live_server, clinic):  # noqa: F811
    patient = PatientFactory(first_name="Jana", last_name="Novak")
    CourseFactory(patient=patient, modality=clinic.massage)
    day = tomorrow()
    log_in(page, live_server, "desk")
    page.goto(f"{live_server.url}/reception/?day={day.isoformat()}")
    shoot(page, "board")
    # Anna Berg is the first column; 10:00 is free.
    row = page.locator("#board-body tr[data-time='10:00']")
    row.locator("td").first.click()
    expect(page.locator("#booking-intent")).to_contain_text(f"Booking {day.isoformat()} at 10:00 with Anna Berg")
    page.get_by_role("searchbox").fill("Novak")
    page.get_by_role("link", name="Book Jana Novak").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Book a session for Jana Novak")
    expect(page.locator("#slots-legend")).to_have_text(f"Free slots on {day:%A %-d %B}")
    expect(page.locator("fieldset.slot-group", has_text="Anna Berg").get_by_label("10:00", exact=True)).to_be_checked()
    shoot(page, "booking")
    page.get_by_role("button", name="Book", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Booked Therapeutic massage for Jana Novak.")
    booked = Appointment.objects.get(patient=patient)
    assert (booked.therapist, booked.starts_at) == (clinic.therapists[0], at(day, 10))


def test_next_free_finds_the_first_day_with_a_slot(page, live_server, clinic):  # noqa: F811
    patient = PatientFactory(first_name="Jana", last_name="Novak")
    log_in(page, live_server, "desk")
    page.goto(f"{live_server.url}/book/?patient={patient.pk}")
    page.get_by_label("Modality").select_option(label="Therapeutic massage")
    page.get_by_label("Therapist").select_option(label="Anna Berg")
    page.get_by_role("button", name="Next free").click()
    # Every day 08:00-18:00: today before 17:15, else tomorrow, is the first with a free slot.
    now = timezone.localtime()
    first_day = now.date() if now.time() < dt.time(17, 15) else now.date() + dt.timedelta(days=1)
    expect(page.locator("#slots-legend")).to_have_text(f"Free slots on {first_day:%A %-d %B}")
    expect(page.locator("fieldset.slot-group")).to_have_count(1)  # Anna Berg's only


def test_the_reschedule_picker_moves_a_session(page, live_server, clinic):  # noqa: F811
    anna, daniel = clinic.therapists
    day = tomorrow()
    session = AppointmentFactory(modality=clinic.massage, therapist=anna, room=clinic.rooms[0], starts_at=at(day, 10))
    log_in(page, live_server, "desk")
    page.goto(f"{live_server.url}/appointments/{session.pk}/reschedule/")
    expect(page.get_by_label("I have read the warnings and the booking should go ahead.")).to_have_count(0)
    page.locator("#reschedule-search").get_by_label("Therapist").select_option(label="Daniel Okafor")
    page.locator("#reschedule-search").get_by_label("Day").fill(day.isoformat())
    page.get_by_role("button", name="Show free slots").click()
    shoot(page, "reschedule")
    page.locator("fieldset.slot-group", has_text="Daniel Okafor").locator("label", has_text="11:15").click()
    page.get_by_role("button", name="Move the session").click()
    expect(page.get_by_role("alert")).to_contain_text("Moved the session of")
    session.refresh_from_db()
    assert (session.therapist, session.starts_at) == (daniel, at(day, 11, 15))


def test_cancel_all_of_a_patients_flagged_sessions(page, live_server, clinic):  # noqa: F811
    patient = PatientFactory(first_name="Jana", last_name="Novak", phone="030 555 0199")
    day = tomorrow() + dt.timedelta(days=1)
    sessions = [
        AppointmentFactory(
            patient=patient,
            modality=clinic.massage,
            therapist=clinic.therapists[0],
            room=clinic.rooms[0],
            starts_at=at(day, hour),
        )  # fmt: skip
        for hour in (9, 11)
    ]
    PhaseRecordFactory(diagnosis__patient=patient, phase=Phase.ACUTE)
    log_in(page, live_server, "desk")
    page.goto(f"{live_server.url}/reception/review/")
    group = page.locator("section.review-patient", has_text="Jana Novak")
    expect(group).to_contain_text("030 555 0199")
    shoot(page, "review")
    group.get_by_role("button", name="Cancel all 2").click()
    expect(page.get_by_role("alert")).to_contain_text("Cancelled 2 sessions of Jana Novak.")
    assert set(Appointment.objects.filter(pk__in=[s.pk for s in sessions]).values_list("status", flat=True)) == {
        AppointmentStatus.CANCELLED
    }


def test_screenshots_at_a_phone_width(browser, live_server, clinic):  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    patient = PatientFactory(first_name="Jana", last_name="Novak")
    day = tomorrow()
    session = AppointmentFactory(patient=patient, modality=clinic.massage, therapist=clinic.therapists[0],
                                 room=clinic.rooms[0], starts_at=at(day, 10))  # fmt: skip
    log_in(page, live_server, "desk")
    page.goto(f"{live_server.url}/reception/?day={day.isoformat()}")
    shoot(page, "board")
    page.goto(f"{live_server.url}/book/?patient={patient.pk}&modality={clinic.massage.pk}&day={day.isoformat()}")
    shoot(page, "booking")
    page.goto(f"{live_server.url}/appointments/{session.pk}/reschedule/")
    shoot(page, "reschedule")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    context.close()
