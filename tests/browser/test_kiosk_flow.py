"""A patient fills in the intake questions and signs consent on the reception tablet (768 px), in
kiosk mode: reception hands the tablet over and is logged out of it, the patient answers and signs
without logging in, finishes, and nobody is left logged in. Then the therapist confirms on the
chart the health flag the answers proposed. Screenshots go to artifacts/screenshots."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from clinic import roles
from clinic.models import Modality
from patients.intake import Answer, intake_submit, intake_version_current
from patients.models import (
    ConsentSignature,
    FlagKind,
    FlagProposal,
    HealthFlag,
    IntakeResponse,
    KioskSession,
    Via,
)
from tests.browser.conftest import submit_login
from tests.factories import AppointmentFactory, PatientFactory, RoomFactory, UserFactory, therapist_named

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

OIL_QUESTION = "Are you allergic or sensitive to any massage oil, cream or essential oil?"


@pytest.fixture
def scene(clinic_defaults):
    """Clara Becker, with a massage booked (so the massage and oils consents are due), Petra at
    reception and Lena, who treats Clara."""
    massage = Modality.objects.get(name="Therapeutic massage")
    lena = therapist_named("Lena Hoffmann", massage, user__username="lena")
    petra = UserFactory(username="petra", first_name="Petra", last_name="Sommer", role=roles.RECEPTIONIST)
    clara = PatientFactory(first_name="Clara", last_name="Becker", phone="+49 30 555 0142", assigned_therapist=lena)
    AppointmentFactory(patient=clara, modality=massage, therapist=lena, room=RoomFactory(modalities=[massage]))
    return {"clara": clara, "lena": lena, "petra": petra}


def no_page_overflow(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def sign(page: Page, name: str, typed: str) -> None:
    page.get_by_role("link", name=re.compile(f"Read and sign: consent for {name}")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Consent: {name}")
    page.get_by_label("Your full name").fill(typed)
    page.get_by_label("I have read this text and I agree to it.").check()


def test_a_patient_fills_in_the_intake_and_signs_consent_on_the_tablet(tablet_page, live_server, scene, screenshot):
    page, clara = tablet_page, scene["clara"]

    # 1. Reception, logged in on the tablet, hands it to Clara.
    page.goto(f"{live_server.url}/accounts/login/")
    submit_login(page, "petra")
    page.goto(f"{live_server.url}{reverse('reception:patient_overview', args=[clara.pk])}")
    expect(page.locator("#before-treatment")).to_contain_text("not answered yet")
    screenshot(page, "1-overview")
    page.get_by_role("link", name="Hand the tablet to Clara").click()
    expect(page.get_by_text("This logs you out of this device.")).to_be_visible()
    screenshot(page, "2-hand-over")
    page.get_by_role("button", name="Log me out and hand over the tablet").click()

    # 2. The kiosk: Clara's first name and what she has to do; nothing else of the record, no login.
    expect(page).to_have_url(f"{live_server.url}{reverse('reception:kiosk_home')}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello Clara")
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    for private in ("Becker", "555 0142", "Petra"):
        expect(page.locator("#main")).not_to_contain_text(private)
    assert no_page_overflow(page)
    screenshot(page, "3-kiosk-home")

    # 3. The health questions: a yes to the oil question names the oil; no to the others.
    page.get_by_role("link", name="Answer the health questions").click()
    version = intake_version_current()
    for question in version.question_list:
        group = page.get_by_role("group", name=question.text)
        group.get_by_label("Yes" if question.text == OIL_QUESTION else "No", exact=True).check()
    page.get_by_role("group", name=OIL_QUESTION).get_by_label("Which oil or cream?").fill("Almond oil")
    assert no_page_overflow(page)
    screenshot(page, "4-questions")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("alert")).to_contain_text("Thank you: your answers are kept for your therapist.")
    expect(page.get_by_role("link", name="Answer the health questions")).to_have_count(0)

    # 4. The massage consent: a name that is not hers is refused, her own signs.
    sign(page, "Massage", "Petra Sommer")
    page.get_by_role("button", name="Sign").click()
    expect(page.locator(".alert-danger")).to_contain_text("Type your full name as the clinic has it")
    screenshot(page, "5-consent-refused")
    page.get_by_label("Your full name").fill("Clara Becker")
    page.get_by_label("I have read this text and I agree to it.").check()
    screenshot(page, "6-consent-filled")
    page.get_by_role("button", name="Sign").click()
    expect(page.get_by_role("alert")).to_contain_text("your consent for Massage is signed")

    # 5. The oils consent, then finished: the tablet thanks her and nobody is logged in.
    sign(page, "Use of oils", "becker, clara")
    page.get_by_role("button", name="Sign").click()
    expect(page.get_by_text("That is everything, thank you.")).to_be_visible()
    screenshot(page, "7-everything-done")
    page.get_by_role("button", name=re.compile("I have finished")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    screenshot(page, "8-done")

    page.goto(f"{live_server.url}{reverse('reception:kiosk_home')}")
    expect(page.get_by_role("heading", level=1)).to_have_text("This tablet is not open for anyone")
    page.goto(f"{live_server.url}{reverse('reception:day_board')}")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    screenshot(page, "9-nobody-logged-in")

    answered = IntakeResponse.objects.get(patient=clara)
    assert (answered.channel, answered.submitted_by) == (Via.KIOSK, None)
    proposal = FlagProposal.objects.get(patient=clara)
    assert (proposal.kind, proposal.substance, proposal.status) == (FlagKind.OIL_ALLERGY, "Almond oil", "pending")
    assert not HealthFlag.objects.filter(patient=clara).exists()
    signed = ConsentSignature.objects.filter(patient=clara).order_by("version__topic__name")
    assert [(s.version.topic.name, s.typed_name, s.channel) for s in signed] == [
        ("Massage", "Clara Becker", Via.KIOSK),
        ("Use of oils", "becker, clara", Via.KIOSK),
    ]
    assert KioskSession.objects.get(patient=clara).ended_at is not None


def test_the_therapist_confirms_the_proposed_flag_on_the_chart(page, live_server, scene, screenshot):
    clara, lena = scene["clara"], scene["lena"]
    version = intake_version_current()
    answers = {q.pk: Answer(yes=q.text == OIL_QUESTION, detail="Almond oil") for q in version.question_list}
    intake_submit(patient=clara, version=version, answers=answers, channel=Via.KIOSK)

    page.goto(f"{live_server.url}/accounts/login/")
    submit_login(page, "lena")
    page.goto(f"{live_server.url}{reverse('chart:patient_chart', args=[clara.pk])}")
    proposal = page.locator(".flag-proposal")
    expect(proposal).to_contain_text("Allergy to an aromatic oil: Almond oil")
    expect(page.locator("#main")).to_contain_text("not signed")
    screenshot(page, "1-chart-proposal")
    proposal.get_by_label("Oil or substance").fill("Sweet almond oil")
    proposal.get_by_role("button", name="Confirm: record the flag").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Recorded the health flag “Allergy to an aromatic oil: Sweet almond oil”"
    )
    expect(page.locator(".decided-proposal")).to_contain_text("confirmed by Lena Hoffmann")
    screenshot(page, "2-chart-confirmed")

    flag = HealthFlag.objects.get(patient=clara)
    assert (flag.kind, flag.substance, flag.recorded_by) == (FlagKind.OIL_ALLERGY, "Sweet almond oil", lena.user)
