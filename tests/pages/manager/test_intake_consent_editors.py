"""The manager's editors of the intake questionnaire and the consent texts
(pages/manager/intake_consent.py): each saves a new version through its service and the audit log
names the manager; a refusal is a sentence on the form with nothing saved; only the manager gets
in; wrong methods are 405. And the rule editor's new condition, "no current consent"."""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from patients.intake import intake_version_current
from patients.models import ConsentTopic, ConsentVersion, ContraindicationRule, FlagKind, IntakeVersion, RuleCondition
from tests.conftest import client_for
from tests.factories import ModalityFactory

QUESTIONS = reverse("manager:intake_questions")
EDIT = reverse("manager:intake_edit")


@pytest.fixture
def as_manager(manager):
    return client_for(manager)


def logged_by(user, obj) -> bool:
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_pk=str(obj.pk), actor=user
    ).exists()


def form_errors(response) -> list[str]:
    return list(response.context["form"].non_field_errors())


def questions_data(rows: list[tuple[str, str, str]]) -> dict:
    data = {}
    for i, (text, proposes, detail) in enumerate(rows):
        data |= {f"q{i}_text": text, f"q{i}_proposes": proposes, f"q{i}_detail": detail}
    return data


def current_rows() -> list[tuple[str, str, str]]:
    return [(q.text, q.proposes, q.detail_label) for q in intake_version_current().question_list]


def test_the_questions_page_lists_the_current_version_and_the_versions(as_manager):
    page = as_manager.get(QUESTIONS).content.decode()
    assert "Version 1, asked now" in page and "Which oil or cream?" in page
    assert "the clinic's defaults" in page


def test_the_edit_page_shows_each_question_and_blank_rows(as_manager):
    form = as_manager.get(EDIT).context["form"]
    assert form.rows == 7 + 3
    assert form["q0_proposes"].value() == FlagKind.OIL_ALLERGY


def test_the_manager_edits_the_questions_into_a_new_version(as_manager, manager):
    rows = current_rows()
    rows[1] = ("", "", "")  # removed
    rows.append(("Do you have diabetes?", FlagKind.OTHER, "Which type?"))

    response = as_manager.post(EDIT, questions_data(rows))

    assert response.status_code == 302 and response.url == QUESTIONS
    version = intake_version_current()
    assert (version.number, version.created_by) == (2, manager)
    assert [q.text for q in version.question_list][-1] == "Do you have diabetes?"
    assert len(version.question_list) == 7
    assert logged_by(manager, version)
    assert IntakeVersion.objects.get(number=1).questions.count() == 7


@pytest.mark.parametrize(
    "change, sentence",
    [
        (lambda rows: rows, "The questions are the same as version 1: nothing to save."),
        (lambda rows: [("", "", "")] * len(rows), "Write at least one question."),
        (
            lambda rows: [("Allergic to oils?", FlagKind.OIL_ALLERGY, "")],
            "Question 1 proposes an oil allergy: ask which oil with a yes (for example “Which oil?”), so the "
            "therapist knows what to avoid.",
        ),
        (lambda rows: [*rows, (rows[0][0].upper(), "", "")], "Question 8 is asked already: “{}”."),
    ],
)
def test_questions_refused_are_sentences_on_the_form(as_manager, change, sentence):
    rows = current_rows()
    sentence = sentence.replace("{}", rows[0][0].upper())
    response = as_manager.post(EDIT, questions_data(change(rows)))
    assert response.status_code == 200
    assert form_errors(response) == [sentence]
    assert IntakeVersion.objects.count() == 1


def test_an_unknown_flag_is_a_field_error(as_manager):
    response = as_manager.post(EDIT, questions_data([("Sunburn?", "sunburn", "")]))
    assert response.status_code == 200 and response.context["form"].errors["q0_proposes"]
    assert IntakeVersion.objects.count() == 1


def test_rows_posted_beyond_those_shown_are_read(as_manager):
    rows = current_rows() + [(f"Extra question {n}?", "", "") for n in range(5)]
    assert as_manager.post(EDIT, questions_data(rows)).status_code == 302
    assert len(intake_version_current().question_list) == 12


# Consents -------------------------------------------------------------------------------------------


def topic(name: str) -> ConsentTopic:
    return ConsentTopic.objects.get(name=name)


def test_the_consent_list_shows_each_with_its_version(as_manager):
    page = as_manager.get(reverse("manager:consent_list")).content.decode()
    for name in ("Cupping", "Massage", "Use of oils", "every modality with oil"):
        assert name in page


def test_the_manager_adds_a_consent(as_manager, manager):
    lymph = ModalityFactory(name="Lymph drainage", uses_oils=False)
    response = as_manager.post(
        reverse("manager:consent_create"),
        {"name": "Lymph drainage", "modalities": [lymph.pk], "active": "on", "text": "I agree\r\nto this."},
    )
    assert response.status_code == 302
    added = topic("Lymph drainage")
    version = added.versions.get()
    assert (version.number, version.text, version.created_by) == (1, "I agree\nto this.", manager)
    assert logged_by(manager, added) and logged_by(manager, version)


def test_a_consent_covering_nothing_is_refused_on_the_form(as_manager):
    response = as_manager.post(reverse("manager:consent_create"), {"name": "Nothing", "text": "I agree."})
    assert form_errors(response) == ["Choose the modalities the consent is for, or every modality that uses oil."]
    assert not ConsentTopic.objects.filter(name="Nothing").exists()


def test_the_manager_changes_what_a_consent_covers_without_a_new_version(as_manager, massage):
    cupping = topic("Cupping")
    url = reverse("manager:consent_edit", args=[cupping.pk])
    assert as_manager.get(url).status_code == 200
    response = as_manager.post(url, {"name": "Cupping", "modalities": [massage.pk], "oil_modalities": "on"})
    assert response.status_code == 302
    cupping.refresh_from_db()
    assert cupping.oil_modalities and list(cupping.modalities.all()) == [massage] and not cupping.active
    assert cupping.versions.count() == 1


def test_editing_the_text_saves_a_new_version_and_keeps_the_old(as_manager, manager):
    oils = topic("Use of oils")
    url = reverse("manager:consent_text", args=[oils.pk])
    page = as_manager.get(url).content.decode()
    assert "Save as version 2" in page

    response = as_manager.post(url, {"text": "We use almond oil.\r\n\r\nTell us about allergies."})

    assert response.status_code == 302 and response.url == url
    versions = list(oils.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[1].text == "We use almond oil.\n\nTell us about allergies." and versions[1].created_by == manager
    assert versions[0].text.startswith("Consent to the use of massage oils and creams")
    page = as_manager.get(reverse("manager:consent_version", args=[versions[0].pk])).content.decode()
    assert versions[0].text_sha256 in page and "A saved version never changes." in page


def test_the_same_text_is_refused_on_the_form(as_manager):
    oils = topic("Use of oils")
    response = as_manager.post(
        reverse("manager:consent_text", args=[oils.pk]), {"text": oils.versions.get().text + "\n"}
    )
    assert form_errors(response) == ["The text is the same as version 1: nothing to save."]
    assert ConsentVersion.objects.filter(topic=oils).count() == 1


def urls() -> list[str]:
    massage = topic("Massage")
    return [
        QUESTIONS,
        EDIT,
        reverse("manager:consent_list"),
        reverse("manager:consent_create"),
        reverse("manager:consent_edit", args=[massage.pk]),
        reverse("manager:consent_text", args=[massage.pk]),
        reverse("manager:consent_version", args=[massage.versions.get().pk]),
    ]


def test_only_the_manager_gets_in(receptionist, therapist, patient_user, client):
    for url in urls():
        for user in (receptionist, therapist.user, patient_user):
            assert client_for(user).get(url).status_code == 403
        assert client.get(url).status_code == 302


def test_wrong_methods_are_405(as_manager):
    for url in urls():
        assert as_manager.delete(url).status_code == 405
        if url in (QUESTIONS, reverse("manager:consent_list")) or "consent-versions" in url:
            assert as_manager.post(url).status_code == 405


def test_an_unknown_consent_is_404(as_manager):
    for name in ("manager:consent_edit", "manager:consent_text", "manager:consent_version"):
        assert as_manager.get(reverse(name, args=[987654])).status_code == 404


# The rule editor's "no current consent" ---------------------------------------------------------


def test_the_manager_makes_a_consent_rule_block_for_cupping(as_manager, manager, cupping):
    response = as_manager.post(
        reverse("manager:rule_create"),
        {
            "condition": RuleCondition.NO_CONSENT,
            "flag_kind": "",
            "modality": cupping.pk,
            "effect": "block",
            "message": "no cupping before the consent is signed.",
            "active": "on",
        },
    )
    assert response.status_code == 302
    rule = ContraindicationRule.objects.get(condition=RuleCondition.NO_CONSENT, modality=cupping)
    assert (rule.effect, rule.flag_kind) == ("block", "") and logged_by(manager, rule)
    assert (
        "No current consent → block (Vacuum (cupping) massage)"
        in as_manager.get(reverse("manager:rule_list")).content.decode()
    )


def test_a_consent_rule_naming_a_flag_is_refused(as_manager):
    response = as_manager.post(
        reverse("manager:rule_create"),
        {"condition": RuleCondition.NO_CONSENT, "flag_kind": FlagKind.PREGNANCY, "effect": "warn", "message": "x"},
    )
    assert form_errors(response) == ["A rule about consent names no health flag: leave the flag empty."]


def test_a_second_default_consent_warning_is_refused(as_manager):
    response = as_manager.post(
        reverse("manager:rule_create"),
        {"condition": RuleCondition.NO_CONSENT, "flag_kind": "", "effect": "warn", "message": "again"},
    )
    assert form_errors(response) == [
        "There is already a rule that warns for “No current consent” and every modality; change that one instead."
    ]


def test_a_flag_rule_without_its_flag_is_refused(as_manager):
    response = as_manager.post(
        reverse("manager:rule_create"),
        {"condition": RuleCondition.HEALTH_FLAG, "flag_kind": "", "effect": "warn", "message": "x"},
    )
    assert form_errors(response) == ["Choose the health flag the rule is about."]
