"""A therapist's session in a real browser: My day, the session note with its allergy warning,
signing, a refused edit of the signed note, an addendum, and an acute phase that flags the
patient's later sessions for review.

Setup goes through the factories; everything the therapist does goes through the pages.
"""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from patients.models import FlagKind, Phase
from sessions.models import Addendum, Appointment, AppointmentStatus, SessionNote
from tests.browser.conftest import lena_and_the_garden_room, submit_login
from tests.factories import (
    AppointmentFactory,
    CourseFactory,
    DiagnosisFactory,
    HealthFlagFactory,
    PatientFactory,
    PhaseRecordFactory,
    local,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AREAS = ["Lumbar, left", "Sacral, left", "Gluteal, left", "Thigh, left", "Calf, left"]


def log_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    submit_login(page, username)
    expect(page).to_have_url(f"{live_server.url}{reverse('therapist:my_day')}")


def message(page: Page):
    """The first flash message at the top of the page (the allergy banner is an alert too, and a
    check-in may add the warnings to read after it)."""
    return page.locator("#main > [role=alert]").first


@pytest.fixture
def scene(clinic_defaults):
    """Lena's day: Clara (allergic to lavender oil, third session of her course) half an hour
    ago, and Ben (high blood pressure) the same day. Clara has another session in three days."""
    massage, lena, room = lena_and_the_garden_room()
    clara = PatientFactory(first_name="Clara", last_name="Becker")
    diagnosis = DiagnosisFactory(patient=clara, icd10_code="M54.4", title="Lumbago with sciatica")
    PhaseRecordFactory(diagnosis=diagnosis, phase=Phase.REMISSION, recorded_by=lena.user)
    HealthFlagFactory(patient=clara, kind=FlagKind.OIL_ALLERGY, substance="Lavender oil")
    course = CourseFactory(patient=clara, diagnosis=diagnosis, modality=massage, prescribed_by=lena.user)

    now = timezone.now().replace(second=0, microsecond=0)
    today = timezone.localdate()
    midnight = local(today.year, today.month, today.day)
    starts_at = max(now - dt.timedelta(minutes=30), midnight)  # started, and still today

    def book(patient, starts_at, **kwargs):
        return AppointmentFactory(
            patient=patient, therapist=lena, room=room, modality=massage, starts_at=starts_at, **kwargs
        )

    for days_ago in (4, 2):
        book(clara, starts_at - dt.timedelta(days=days_ago), course=course, status=AppointmentStatus.COMPLETED)
    todays = book(clara, starts_at, course=course)
    later = book(clara, starts_at + dt.timedelta(days=3), course=course)
    ben = PatientFactory(first_name="Ben", last_name="Ortiz")
    HealthFlagFactory(patient=ben, kind=FlagKind.HYPERTENSION)
    # Two hours after Clara, or an hour before her when that would be tomorrow (a run late at night).
    bens = starts_at + dt.timedelta(hours=2)
    if timezone.localdate(bens) != today:
        bens = starts_at - dt.timedelta(hours=1)
    book(ben, bens)
    return {"lena": lena, "clara": clara, "diagnosis": diagnosis, "todays": todays, "later": later}


def test_a_therapist_writes_signs_and_amends_a_note_then_records_an_acute_phase(page, live_server, scene, screenshot):
    todays, later = scene["todays"], scene["later"]

    # a. My day: Clara's session with its course position and her allergy, Ben's blood pressure.
    log_in(page, live_server, "lena")
    clara_row = page.locator(f"#session-{todays.pk}")
    expect(clara_row).to_contain_text("Clara Becker")
    expect(clara_row).to_contain_text("Session 3 of 12–15")
    expect(clara_row).to_contain_text("Oil allergy: Lavender oil")
    expect(clara_row).to_contain_text("No note")
    expect(page.get_by_text("High blood pressure", exact=True)).to_be_visible()  # the badge; the rule below it too
    screenshot(page, "1-my-day")

    # b. Check Clara in from My day; the page comes back.
    clara_row.get_by_role("button", name="Check in").click()
    expect(message(page)).to_contain_text("Clara Becker is checked in.")
    expect(page.locator("#main > [role=alert]").nth(1)).to_contain_text("Before treating: Allergy to an aromatic oil")
    expect(clara_row).to_contain_text("Checked in")

    # c. The note: the allergy is on top; typing lavender among the oils warns at once.
    clara_row.get_by_role("link", name="Write note").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Session note — Clara Becker")
    expect(page.locator(".allergy-banner")).to_contain_text("Allergy: Lavender oil")
    page.get_by_label("Subjective").fill("Burning pain from the lower back down the left leg, worse when sitting.")
    page.get_by_label("Objective").fill("Tender point left of L5; left gluteal muscles tight.")
    page.get_by_label("Assessment").fill("Less radiating pain than last time.")
    page.get_by_label("Plan").fill("Same order next time; add the heel.")
    page.get_by_label("Summary for the patient").fill("We worked your lower back and left leg. Keep walking daily.")
    page.get_by_label("Pain before").select_option("6")
    page.get_by_label("Pain after").select_option("3")
    for area in reversed(AREAS):  # ticked in any order, stored in technique order
        page.get_by_label(area, exact=True).check()
    page.get_by_label("Techniques").fill("Stroking, kneading, friction")
    page.get_by_label("Oils used").fill("Almond, lavender")
    warning = page.locator("#oil-conflict .oil-conflict")
    expect(warning).to_contain_text("allergic to Lavender oil")
    screenshot(page, "2-note-oil-warning")
    page.get_by_label("Oils used").fill("Almond")
    expect(warning).to_have_count(0)
    page.get_by_label("Minutes").fill("40")
    screenshot(page, "3-note-filled")

    # d. Sign: back on My day, the note shows as signed.
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}{reverse('therapist:my_day')}")
    expect(message(page)).to_contain_text("Signed the note for Clara Becker.")
    expect(clara_row).to_contain_text("Note signed")
    screenshot(page, "4-signed")
    note = SessionNote.objects.get(appointment=todays)
    assert note.is_signed and note.signed_by == scene["lena"].user
    assert (note.pain_before, note.pain_after, note.minutes, note.oils_used) == (6, 3, 40, "Almond")
    assert note.areas_treated == ["lumbar:left", "sacral:left", "gluteal:left", "thigh:left", "calf:left"]

    # e. The signed note opens read-only; a tampered POST changes nothing.
    clara_row.get_by_role("link", name="View note").click()
    expect(page.locator(".session-note")).to_contain_text("Signed")
    expect(page.locator(".session-note")).to_contain_text("Lumbar, left → Sacral, left → Gluteal, left")
    expect(page.locator("textarea[name=subjective]")).to_have_count(0)
    expect(page.get_by_role("button", name="Sign", exact=True)).to_have_count(0)
    token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    tampered = page.request.post(
        page.url,
        form={"csrfmiddlewaretoken": token, "subjective": "Rewritten", "pain_after": "0", "action": "save"},
        headers={"Referer": page.url},
    )
    assert tampered.ok
    assert "This note is signed and can no longer change" in tampered.text()
    after = SessionNote.objects.get(pk=note.pk)
    assert (after.subjective, after.pain_after, after.updated_at) == (note.subjective, 3, note.updated_at)

    # f. An addendum goes below the note, which stays as signed.
    page.get_by_label("Addendum").fill("Clara rang the next morning: pain down to 2.")
    page.get_by_role("button", name="Add addendum").click()
    expect(message(page)).to_contain_text("Addendum added")
    expect(page.locator(".addendum")).to_contain_text("Clara rang the next morning: pain down to 2.")
    expect(page.locator(".addendum")).to_contain_text("Lena Hoffmann")
    screenshot(page, "5-addendum")
    assert Addendum.objects.get().author == scene["lena"].user
    assert SessionNote.objects.get(pk=note.pk).updated_at == note.updated_at

    # g. Clara's pain flares up: an acute phase, recorded from her chart, flags her next session.
    page.get_by_role("heading", level=1).get_by_role("link", name="Clara Becker").click()
    expect(page).to_have_url(f"{live_server.url}{reverse('chart:patient_chart', args=[scene['clara'].pk])}")
    page.get_by_role("link", name="Record a phase").click()
    page.get_by_role("radio", name="Acute", exact=True).check()
    page.get_by_label("Note").fill("Flare-up after lifting a suitcase; on anti-inflammatories.")
    screenshot(page, "6-phase-form")
    page.get_by_role("button", name="Record the phase").click()
    expect(page).to_have_url(f"{live_server.url}{reverse('chart:patient_chart', args=[scene['clara'].pk])}")
    screenshot(page, "7-chart-after-acute")
    later.refresh_from_db()
    assert later.needs_review and "Acute phase of M54.4" in later.review_reason

    # h. The later session shows it needs review, on My day for its day and on its own page.
    day = timezone.localtime(later.starts_at).date()
    page.goto(f"{live_server.url}{reverse('therapist:my_day')}?day={day.isoformat()}")
    expect(page.locator(f"#session-{later.pk}")).to_contain_text("Needs review")
    screenshot(page, "8-my-day-needs-review")
    page.locator(f"#session-{later.pk}").get_by_role("link", name="Details").click()
    expect(page.locator(".alert-warning").first).to_contain_text(re.compile(r"Review: Acute phase of M54\.4"))
    expect(page.locator(".treatment-blocked")).to_contain_text("Acute phase of M54.4")
    screenshot(page, "9-appointment-needs-review")
    assert Appointment.objects.get(pk=todays.pk).status == AppointmentStatus.COMPLETED  # signing completed it


@pytest.fixture
def acute_today(clinic_defaults):
    """Lena's session with Tom, booked for today before his acute phase was recorded."""
    massage, lena, room = lena_and_the_garden_room()
    tom = PatientFactory(first_name="Tom", last_name="Adler")
    now = timezone.now().replace(second=0, microsecond=0)
    today = timezone.localdate()
    starts_at = max(now - dt.timedelta(minutes=10), local(today.year, today.month, today.day))
    session = AppointmentFactory(patient=tom, therapist=lena, room=room, modality=massage, starts_at=starts_at)
    diagnosis = DiagnosisFactory(patient=tom, icd10_code="M54.4", title="Lumbago with sciatica")
    PhaseRecordFactory(diagnosis=diagnosis, phase=Phase.ACUTE, recorded_by=lena.user, effective_from=now)
    return session


def test_check_in_is_not_offered_while_acute_and_the_reason_shows_in_red(page, live_server, acute_today, screenshot):
    log_in(page, live_server, "lena")
    row = page.locator(f"#session-{acute_today.pk}")
    expect(row.locator(".treatment-blocked")).to_contain_text("Acute phase of M54.4 Lumbago with sciatica")
    expect(row.get_by_role("button", name="Check in")).to_have_count(0)
    expect(row.get_by_role("button", name="Complete")).to_have_count(0)
    screenshot(page, "1-my-day-acute")

    row.get_by_role("link", name="Details").click()
    expect(page.locator(".treatment-blocked")).to_contain_text("Acute phase of M54.4")
    expect(page.get_by_role("button", name="Check in")).to_have_count(0)
    expect(page.get_by_role("link", name="Cancel…")).to_be_visible()  # reception cancels or moves it
    screenshot(page, "2-appointment-acute")
    assert Appointment.objects.get(pk=acute_today.pk).status == AppointmentStatus.BOOKED


@pytest.fixture
def lenas_patients(clinic_defaults):
    """Lena's patients: Clara assigned to her, Tom with a session with her; Zoe is someone else's."""
    massage, lena, room = lena_and_the_garden_room()
    clara = PatientFactory(first_name="Clara", last_name="Becker", assigned_therapist=lena)
    tom = PatientFactory(first_name="Tom", last_name="Adler")
    AppointmentFactory(patient=tom, therapist=lena, room=room, modality=massage)
    PatientFactory(first_name="Zoe", last_name="Stranger")
    return {"clara": clara, "tom": tom}


def test_a_therapist_finds_her_patient_and_opens_the_chart(page, live_server, lenas_patients, screenshot):
    log_in(page, live_server, "lena")
    page.get_by_role("link", name="My patients").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My patients")
    table = page.locator("table.my-patients")
    expect(table).to_contain_text("Becker, Clara")
    expect(table).to_contain_text("Adler, Tom")
    expect(table).not_to_contain_text("Stranger")
    screenshot(page, "1-my-patients")

    page.get_by_label("Find one of your patients").fill("clara")
    page.get_by_label("Find one of your patients").press("Enter")
    expect(table.locator("tbody tr")).to_have_count(1)
    table.get_by_role("link", name="Becker, Clara").click()
    clara = lenas_patients["clara"]
    expect(page).to_have_url(f"{live_server.url}{reverse('chart:patient_chart', args=[clara.pk])}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Clara Becker")
    screenshot(page, "2-chart")


@pytest.mark.parametrize("scripts", [True, False], ids=["with-js", "without-js"])
def test_why_it_stopped_is_asked_only_once_the_session_stopped_early(browser, request, live_server, scene, scripts):
    """CSS alone (:has) shows the reason's box when the box "stopped early" is ticked, so it works
    with scripts off too."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=scripts)
    page = context.new_page()
    try:
        log_in(page, live_server, "lena")
        page.goto(f"{live_server.url}{reverse('therapist:note_edit', args=[scene['todays'].pk])}")
        stopped, why = page.get_by_label("The session stopped early"), page.get_by_label("Why it stopped")

        expect(why).to_be_hidden()
        stopped.check()
        expect(why).to_be_visible()
        why.fill("Bending forward hurt.")
        stopped.uncheck()
        expect(why).to_be_hidden()
        stopped.check()
        expect(why).to_have_value("Bending forward hurt.")
    finally:
        context.close()
