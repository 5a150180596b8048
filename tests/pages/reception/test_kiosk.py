"""The reception tablet in kiosk mode (pages/reception/kiosk.py): reception hands it over and is
logged out of it; the patient answers and signs without logging in; the pages show nothing else
of the record; it closes when finished, expired, replaced, or for anyone else; and it leaves
nobody logged in."""

import datetime as dt

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pages.reception.kiosk import KIOSK_SESSION_KEY
from patients.intake import intake_version_current
from patients.models import ConsentSignature, ConsentTopic, FlagProposal, IntakeResponse, KioskSession
from tests.conftest import client_for
from tests.factories import PASSWORD, AppointmentFactory, PatientFactory, UserFactory
from tests.scenes import consents_signed

HOME = reverse("reception:kiosk_home")
INTAKE = reverse("reception:kiosk_intake")
FINISH = reverse("reception:kiosk_finish")
DONE = reverse("reception:kiosk_done")


@pytest.fixture
def clara(db, massage):
    patient = PatientFactory(
        first_name="Clara", last_name="Becker", phone="+49 30 555 0199", email="clara.becker@example.org"
    )
    AppointmentFactory(patient=patient, modality=massage)  # a massage is planned: Massage and oils are due
    return patient


def start_url(patient) -> str:
    return reverse("reception:kiosk_start", args=[patient.pk])


@pytest.fixture
def tablet(receptionist, clara) -> Client:
    """The tablet, after reception pressed "Hand the tablet to Clara" on it."""
    client = client_for(receptionist)
    response = client.post(start_url(clara))
    assert response.status_code == 302 and response.url == HOME
    return client


def consent_url(name: str) -> str:
    return reverse("reception:kiosk_consent", args=[ConsentTopic.objects.get(name=name).pk])


def intake_data(**yes) -> dict:
    version = intake_version_current()
    data = {"version": version.pk}
    for question in version.question_list:
        data[f"answer_{question.pk}"] = "yes" if question.proposes in yes else "no"
        if question.detail_label:
            data[f"detail_{question.pk}"] = yes.get(question.proposes, "")
    return data


def test_the_start_page_says_what_is_due_and_that_it_logs_reception_out(receptionist, clara):
    page = client_for(receptionist).get(start_url(clara)).content.decode()
    assert "This logs you out of this device." in page
    assert "the health questions" in page and "the consent for Massage" in page and "Cupping" not in page


def test_handing_over_logs_reception_out_and_leaves_only_the_kiosk_secret(tablet, receptionist, clara):
    assert SESSION_KEY not in tablet.session
    token = tablet.session[KIOSK_SESSION_KEY]
    kiosk = KioskSession.objects.get(patient=clara)
    assert kiosk.started_by == receptionist and token not in kiosk.token_hash
    # Reception's pages are closed on the tablet now.
    response = tablet.get(reverse("reception:day_board"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_kiosk_shows_the_first_name_and_the_forms_and_nothing_else(tablet, clara):
    page = tablet.get(HOME).content.decode()
    assert "Hello Clara" in page
    assert "Answer the health questions" in page and "Read and sign: consent for Massage" in page
    for private in ("Becker", "+49 30 555 0199", "clara.becker@example.org", "1975", "Log out"):
        assert private not in page
    for url in (INTAKE, consent_url("Massage")):
        page = tablet.get(url).content.decode()
        assert "Becker" not in page and "0199" not in page


def test_the_patient_answers_signs_and_finishes_leaving_nobody_logged_in(tablet, clara, receptionist):
    response = tablet.post(INTAKE, intake_data(oil_allergy="Almond oil"))
    assert response.status_code == 302 and response.url == HOME
    answered = IntakeResponse.objects.get(patient=clara)
    assert (answered.channel, answered.submitted_by, answered.kiosk.started_by) == ("kiosk", None, receptionist)
    assert FlagProposal.objects.get(patient=clara).substance == "Almond oil"

    version = ConsentTopic.objects.get(name="Massage").versions.get()
    response = tablet.post(
        consent_url("Massage"), {"version": version.pk, "typed_name": "Clara Becker", "agreed": "on"}
    )
    assert response.status_code == 302
    signature = ConsentSignature.objects.get(patient=clara)
    assert (signature.channel, signature.signed_by, signature.kiosk.patient) == ("kiosk", None, clara)
    page = tablet.get(HOME).content.decode()
    assert "Answer the health questions" not in page and "Read and sign: consent for Massage" not in page
    assert "Read and sign: consent for Use of oils" in page

    response = tablet.post(FINISH)
    assert response.status_code == 302 and response.url == DONE
    assert "Nobody is logged in on this tablet" in tablet.get(DONE).content.decode()
    assert SESSION_KEY not in tablet.session and KIOSK_SESSION_KEY not in tablet.session
    assert KioskSession.objects.get(patient=clara).ended_at is not None
    assert tablet.get(HOME).status_code == 403
    assert tablet.get(reverse("portal:portal_home")).status_code == 302  # the log-in page


def test_a_wrong_name_is_said_on_the_kiosk_form(tablet):
    version = ConsentTopic.objects.get(name="Massage").versions.get()
    response = tablet.post(
        consent_url("Massage"), {"version": version.pk, "typed_name": "Petra Sommer", "agreed": "on"}
    )
    assert response.status_code == 200
    assert "Type your full name as the clinic has it" in response.content.decode()


def test_without_the_kiosk_session_every_kiosk_page_is_closed(tablet, clara, receptionist, db):
    for client in (Client(), client_for(receptionist), client_for(UserFactory(role="Patient"))):
        for url in (HOME, INTAKE, consent_url("Massage")):
            response = client.get(url)
            assert response.status_code == 403 and "This tablet is not open for anyone" in response.content.decode()
        assert client.post(FINISH).status_code == 403
    assert KioskSession.objects.get(patient=clara).ended_at is None


def test_it_closes_when_it_expires(tablet, clara):
    past = timezone.now() - dt.timedelta(minutes=31)
    KioskSession.objects.filter(patient=clara).update(started_at=past, expires_at=past + dt.timedelta(minutes=30))
    assert tablet.get(HOME).status_code == 403
    assert KIOSK_SESSION_KEY not in tablet.session


def test_starting_again_for_the_patient_closes_the_first_tablet(tablet, clara, receptionist):
    other = client_for(receptionist)
    other.post(start_url(clara))
    assert tablet.get(HOME).status_code == 403
    assert other.get(HOME).status_code == 200


def test_logging_in_on_the_tablet_drops_the_kiosk(tablet, receptionist):
    tablet.post(reverse("login"), {"username": receptionist.username, "password": PASSWORD})
    assert tablet.session.get(SESSION_KEY)
    assert KIOSK_SESSION_KEY not in tablet.session
    assert tablet.get(HOME).status_code == 403


def test_nothing_due_is_said_and_nobody_is_logged_out(receptionist, clara):
    client = client_for(receptionist)
    client.post(INTAKE)  # nothing: reception is not a kiosk
    consents_signed(clara)
    IntakeResponse.objects.create(patient=clara, version=intake_version_current(), channel="portal")
    assert "has nothing to fill in" in client.get(start_url(clara)).content.decode()
    response = client.post(start_url(clara))
    assert response.status_code == 302 and response.url == clara.get_absolute_url()
    assert client.session.get(SESSION_KEY) and not KioskSession.objects.exists()


@pytest.mark.parametrize("who", ["therapist", "patient_user", "anonymous"])
def test_only_the_front_desk_hands_the_tablet_over(who, request, clara, client):
    if who != "anonymous":
        client = client_for(getattr(request.getfixturevalue(who), "user", None) or request.getfixturevalue(who))
    response = client.post(start_url(clara))
    assert response.status_code == (302 if who == "anonymous" else 403)
    assert not KioskSession.objects.exists()


def test_a_manager_may_hand_it_over(manager, clara):
    assert client_for(manager).post(start_url(clara)).url == HOME


def test_an_unknown_patient_is_404(receptionist, db):
    assert client_for(receptionist).get(reverse("reception:kiosk_start", args=[987654])).status_code == 404


@pytest.mark.parametrize(
    "url, method",
    [(HOME, "post"), (INTAKE, "put"), (FINISH, "get"), (DONE, "post"), ("consent", "delete")],
)
def test_wrong_methods_are_405(tablet, url, method):
    url = consent_url("Massage") if url == "consent" else url
    assert getattr(tablet, method)(url).status_code == 405


def test_the_start_page_refuses_wrong_methods(receptionist, clara):
    assert client_for(receptionist).put(start_url(clara)).status_code == 405
