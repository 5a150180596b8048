"""The health questions and the consents in the patient portal (pages/portal/intake_consent.py):
the happy path, what the home lists as due, refusals on the form, each role, wrong methods."""

import pytest
from django.urls import reverse

from patients.intake import intake_version_current
from patients.models import ConsentSignature, ConsentTopic, FlagKind, FlagProposal, HealthFlag, IntakeResponse
from tests.conftest import client_for
from tests.factories import AppointmentFactory
from tests.scenes import consents_signed, portal_patient

INTAKE = reverse("portal:portal_intake")
CONSENTS = reverse("portal:portal_consents")


@pytest.fixture
def clara(db):
    return portal_patient(first_name="Clara", last_name="Becker", email="clara@example.org")


@pytest.fixture
def as_clara(clara):
    return client_for(clara.user)


def topic(name: str) -> ConsentTopic:
    return ConsentTopic.objects.get(name=name)


def sign_url(name: str) -> str:
    return reverse("portal:portal_consent_sign", args=[topic(name).pk])


def answers(*, yes: dict | None = None) -> dict:
    """The form's data: no to everything but the questions (by the flag they propose) in `yes`,
    whose value is the detail typed."""
    version = intake_version_current()
    data = {"version": version.pk}
    for question in version.question_list:
        detail = (yes or {}).get(question.proposes)
        data[f"answer_{question.pk}"] = "yes" if detail is not None else "no"
        if question.detail_label:
            data[f"detail_{question.pk}"] = detail or ""
    return data


def test_the_home_lists_the_questions_and_the_consents_due(as_clara, clara, massage):
    AppointmentFactory(patient=clara, modality=massage)
    page = as_clara.get(reverse("portal:portal_home")).content.decode()
    assert "Answer the health questions" in page
    assert "Sign the consent: Massage" in page and "Sign the consent: Use of oils" in page
    assert "Sign the consent: Cupping" not in page  # no cupping planned


def test_with_everything_done_the_home_asks_nothing(as_clara, clara):
    as_clara.post(INTAKE, answers())
    consents_signed(clara)
    page = as_clara.get(reverse("portal:portal_home")).content.decode()
    assert "Before your treatment" not in page


def test_the_patient_answers_and_a_yes_proposes_a_flag(as_clara, clara):
    assert as_clara.get(INTAKE).status_code == 200

    response = as_clara.post(INTAKE, answers(yes={FlagKind.OIL_ALLERGY: "Lavender", FlagKind.PREGNANCY: ""}))

    assert response.status_code == 302 and response.url == reverse("portal:portal_home")
    saved = IntakeResponse.objects.get(patient=clara)
    assert (saved.channel, saved.submitted_by) == ("portal", clara.user)
    assert sorted(FlagProposal.objects.filter(patient=clara).values_list("kind", "substance")) == [
        (FlagKind.OIL_ALLERGY, "Lavender"),
        (FlagKind.PREGNANCY, ""),
    ]
    assert not HealthFlag.objects.filter(patient=clara).exists()
    assert "You answered the health questions on" in as_clara.get(INTAKE).content.decode()


def test_a_yes_to_the_oil_question_without_the_oil_is_a_field_error(as_clara, clara):
    response = as_clara.post(INTAKE, answers(yes={FlagKind.OIL_ALLERGY: " "}))
    assert response.status_code == 200
    assert "You answered yes: Which oil or cream?" in response.content.decode()
    assert not IntakeResponse.objects.exists()


def test_a_question_left_unanswered_is_a_field_error(as_clara):
    data = answers()
    del data[next(key for key in data if key.startswith("answer_"))]
    response = as_clara.post(INTAKE, data)
    assert response.status_code == 200 and "Answer yes or no." in response.content.decode()
    assert not IntakeResponse.objects.exists()


def test_answers_to_an_old_version_are_refused_on_the_form(as_clara):
    data = answers() | {"version": 987654}
    response = as_clara.post(INTAKE, data)
    assert "The questions changed while you were answering them" in response.content.decode()
    assert not IntakeResponse.objects.exists()


def test_answering_twice_changes_nothing(as_clara, clara):
    as_clara.post(INTAKE, answers())
    response = as_clara.post(INTAKE, answers(yes={FlagKind.PREGNANCY: ""}))
    assert response.status_code == 302
    assert IntakeResponse.objects.filter(patient=clara).count() == 1 and not FlagProposal.objects.exists()


def test_the_patient_reads_and_signs_a_consent(as_clara, clara):
    page = as_clara.get(sign_url("Cupping")).content.decode()
    assert "Consent to cupping (vacuum massage)" in page

    version = topic("Cupping").versions.get()
    response = as_clara.post(sign_url("Cupping"), {"version": version.pk, "typed_name": "clara becker", "agreed": "on"})

    assert response.status_code == 302 and response.url == CONSENTS
    signature = ConsentSignature.objects.get(patient=clara)
    assert (signature.version, signature.typed_name, signature.channel, signature.signed_by) == (
        version,
        "clara becker",
        "portal",
        clara.user,
    )
    assert "You signed this version on" in as_clara.get(sign_url("Cupping")).content.decode()
    assert "Signed on" in as_clara.get(CONSENTS).content.decode()


@pytest.mark.parametrize(
    "data, sentence",
    [
        ({"typed_name": "Maria Lopez", "agreed": "on"}, "Type your full name as the clinic has it"),
        ({"typed_name": "Clara Becker"}, "Tick the box to say you have read the text and agree to it."),
        ({"typed_name": "", "agreed": "on"}, "This field is required."),
        ({"typed_name": "Clara Becker", "agreed": "on", "version": 987654}, "has changed while you were reading"),
    ],
)
def test_a_signature_refused_is_said_on_the_form(as_clara, data, sentence):
    version = topic("Cupping").versions.get()
    response = as_clara.post(sign_url("Cupping"), {"version": version.pk, **data})
    assert response.status_code == 200 and sentence in response.content.decode()
    assert not ConsentSignature.objects.exists()


def test_a_consent_no_longer_asked_is_404(as_clara):
    ConsentTopic.objects.filter(name="Cupping").update(active=False)
    assert as_clara.get(sign_url("Cupping")).status_code == 404
    assert "Cupping" not in as_clara.get(CONSENTS).content.decode()


@pytest.mark.parametrize("url", [INTAKE, CONSENTS, "sign"])
def test_staff_get_403_and_anonymous_the_log_in(url, receptionist, therapist, manager, client, db):
    url = sign_url("Massage") if url == "sign" else url
    for user in (receptionist, therapist.user, manager):
        assert client_for(user).get(url).status_code == 403
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("url, method", [(INTAKE, "put"), (INTAKE, "delete"), (CONSENTS, "post"), ("sign", "put")])
def test_wrong_methods_are_405(as_clara, url, method):
    url = sign_url("Massage") if url == "sign" else url
    assert getattr(as_clara, method)(url).status_code == 405


def test_another_patients_answers_and_signatures_never_show(as_clara, clara, db):
    other = portal_patient(first_name="Ben", last_name="Ortiz", email="ben@example.org")
    consents_signed(other)
    as_other = client_for(other.user)
    as_other.post(INTAKE, answers())
    assert "Not signed yet." in as_clara.get(CONSENTS).content.decode()
    assert "Signed on" not in as_clara.get(CONSENTS).content.decode()
    assert as_clara.get(INTAKE).context["form"] is not None  # hers is still to answer
    page = as_clara.get(sign_url("Massage")).content.decode()
    assert "Ben Ortiz" not in page and "You signed this version" not in page
    # A signature is opened by its number on the chart only: a patient gets 403 there, as for any chart page.
    signature = ConsentSignature.objects.filter(patient=other).first()
    assert as_clara.get(reverse("chart:consent_signature", args=[signature.pk])).status_code == 403
