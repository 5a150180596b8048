"""The intake questionnaire (patients.intake): each answer proposes its health flag and nothing
changes a flag unconfirmed; the therapist confirms (the flag recorded through the service, in her
name) or dismisses (kept too); the questions in versions that never change, each answer set
keeping the version it answered; every refusal in words with nothing written."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clinic import roles
from clinic.refusals import Refused
from patients.contraindications import patient_booking_status
from patients.intake import (
    Answer,
    QuestionSpec,
    flag_proposal_confirm,
    flag_proposal_dismiss,
    flag_proposals_pending,
    intake_due,
    intake_response_latest,
    intake_submit,
    intake_version_current,
    intake_version_publish,
)
from patients.models import (
    FlagKind,
    FlagProposal,
    HealthFlag,
    IntakeAnswer,
    IntakeQuestion,
    IntakeResponse,
    IntakeVersion,
    ProposalStatus,
    VersionFrozen,
    Via,
)
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

# The questions of the data migration (patients 0007), by the flag a yes proposes.
DEFAULT_KINDS = [
    FlagKind.OIL_ALLERGY,
    FlagKind.PREGNANCY,
    FlagKind.HYPERTENSION,
    FlagKind.SKIN_CONDITION,
    FlagKind.FEVER_INFECTION,
    FlagKind.RECENT_SURGERY,
    FlagKind.OTHER,
]


@pytest.fixture
def version():
    return intake_version_current()


@pytest.fixture
def patient():
    return PatientFactory(first_name="Clara", last_name="Becker")


@pytest.fixture
def lena_user():
    return UserFactory(username="lena", first_name="Lena", last_name="Hoffmann", role=roles.THERAPIST)


@pytest.fixture
def karin(db):
    return UserFactory(username="karin", role=roles.MANAGER)


def all_no(version) -> dict[int, Answer]:
    return {q.pk: Answer(yes=False) for q in version.question_list}


def question(version, kind: str) -> IntakeQuestion:
    return next(q for q in version.question_list if q.proposes == kind)


def submit(patient, version, **answers_by_kind: Answer) -> IntakeResponse:
    answers = all_no(version)
    for kind, answer in answers_by_kind.items():
        answers[question(version, kind).pk] = answer
    return intake_submit(patient=patient, version=version, answers=answers, channel=Via.KIOSK)


def test_the_clinic_starts_with_a_question_for_each_flag(version):
    assert version.number == 1
    assert [q.proposes for q in version.question_list] == DEFAULT_KINDS
    assert question(version, FlagKind.OIL_ALLERGY).detail_label == "Which oil or cream?"


@pytest.mark.parametrize("kind", DEFAULT_KINDS)
def test_a_yes_proposes_its_flag_and_changes_no_flag(patient, version, kind):
    status_before = patient_booking_status(patient=patient)
    detail = "Lavender" if kind == FlagKind.OIL_ALLERGY else ""

    response = submit(patient, version, **{kind: Answer(yes=True, detail=detail)})

    proposal = FlagProposal.objects.get(response=response)
    assert (proposal.kind, proposal.status, proposal.patient) == (kind, ProposalStatus.PENDING, patient)
    assert proposal.substance == ("Lavender" if kind == FlagKind.OIL_ALLERGY else "")
    assert not HealthFlag.objects.filter(patient=patient).exists()
    assert patient_booking_status(patient=patient) == status_before


def test_all_no_proposes_nothing_and_keeps_every_answer(patient, version):
    response = submit(patient, version)
    assert not response.proposals.exists()
    assert IntakeAnswer.objects.filter(response=response, answer=False).count() == len(version.question_list)
    assert response.version == version and response.channel == Via.KIOSK and response.submitted_by is None


def test_the_oil_named_becomes_the_proposed_substance_and_other_details_stay_words(patient, version):
    response = submit(
        patient,
        version,
        **{
            FlagKind.OIL_ALLERGY: Answer(yes=True, detail="  sweet   almond oil "),
            FlagKind.RECENT_SURGERY: Answer(yes=True, detail="Knee, in March"),
        },
    )
    by_kind = {p.kind: p for p in response.proposals.all()}
    assert by_kind[FlagKind.OIL_ALLERGY].substance == "sweet almond oil"
    assert (by_kind[FlagKind.RECENT_SURGERY].substance, by_kind[FlagKind.RECENT_SURGERY].detail) == (
        "",
        "Knee, in March",
    )


def test_a_no_keeps_no_detail(patient, version):
    response = submit(patient, version, **{FlagKind.RECENT_SURGERY: Answer(yes=False, detail="typed, then said no")})
    assert set(response.answers.values_list("detail", flat=True)) == {""}


def test_the_questionnaire_is_due_until_answered_once(patient, version):
    assert intake_due(patient=patient)
    submit(patient, version)
    assert not intake_due(patient=patient)


# Confirming and dismissing ---------------------------------------------------------------------


@pytest.fixture
def proposal(patient, version):
    response = submit(patient, version, **{FlagKind.OIL_ALLERGY: Answer(yes=True, detail="Lavender")})
    return response.proposals.get()


def test_confirming_records_the_flag_in_the_therapists_name(proposal, lena_user, patient):
    flag = flag_proposal_confirm(proposal=proposal, confirmed_by=lena_user)

    assert (flag.patient, flag.kind, flag.substance, flag.recorded_by) == (
        patient,
        FlagKind.OIL_ALLERGY,
        "Lavender",
        lena_user,
    )
    assert flag.active_from == timezone.localdate() and flag.active_to is None
    assert flag.note.startswith("From the intake questionnaire of ")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by, proposal.health_flag) == (ProposalStatus.CONFIRMED, lena_user, flag)
    assert proposal.decided_at is not None
    assert flag_proposals_pending(patient=patient) == []


def test_the_therapist_may_correct_the_oil_and_the_start(proposal, lena_user):
    day = timezone.localdate() - dt.timedelta(days=10)
    flag = flag_proposal_confirm(
        proposal=proposal, confirmed_by=lena_user, substance="Lavender oil", active_from=day, note="Rash in 2024."
    )
    assert (flag.substance, flag.active_from, flag.note) == ("Lavender oil", day, "Rash in 2024.")


def test_a_confirmation_the_flag_service_refuses_records_nothing(proposal, lena_user):
    with pytest.raises(ValidationError) as refused:
        flag_proposal_confirm(proposal=proposal, confirmed_by=lena_user, substance=" ")
    assert "Name the oil the patient is allergic to, so the therapist can avoid it." in refused.value.messages
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING and not HealthFlag.objects.exists()


def test_a_manager_may_confirm_too(proposal, karin):
    assert flag_proposal_confirm(proposal=proposal, confirmed_by=karin).recorded_by == karin


@pytest.mark.parametrize("role", [roles.RECEPTIONIST, roles.PATIENT])
def test_only_a_therapist_or_manager_decides(proposal, role):
    user = UserFactory(role=role)
    for decide in (
        lambda: flag_proposal_confirm(proposal=proposal, confirmed_by=user),
        lambda: flag_proposal_dismiss(proposal=proposal, dismissed_by=user),
    ):
        with pytest.raises(Refused) as refused:
            decide()
        assert refused.value.reasons == [
            "Only a therapist confirms or dismisses what the intake questionnaire proposes."
        ]
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING and not HealthFlag.objects.exists()


def test_dismissing_is_kept_with_who_when_and_why(proposal, lena_user):
    flag_proposal_dismiss(proposal=proposal, dismissed_by=lena_user, note="  Was a perfume,  not an oil. ")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by, proposal.decision_note) == (
        ProposalStatus.DISMISSED,
        lena_user,
        "Was a perfume, not an oil.",
    )
    assert proposal.decided_at is not None and proposal.health_flag is None
    assert not HealthFlag.objects.exists()


def test_a_dismissal_reason_has_a_limit(proposal, lena_user):
    with pytest.raises(Refused) as refused:
        flag_proposal_dismiss(proposal=proposal, dismissed_by=lena_user, note="x" * 301)
    assert refused.value.reasons == ["The reason is too long: 300 characters at most."]


@pytest.mark.parametrize("first", ["confirm", "dismiss"])
@pytest.mark.parametrize("second", ["confirm", "dismiss"])
def test_a_decided_proposal_is_decided_once(proposal, lena_user, first, second):
    decide = {
        "confirm": lambda: flag_proposal_confirm(proposal=proposal, confirmed_by=lena_user),
        "dismiss": lambda: flag_proposal_dismiss(proposal=proposal, dismissed_by=lena_user),
    }
    decide[first]()
    flags = HealthFlag.objects.count()
    with pytest.raises(Refused) as refused:
        decide[second]()
    done = "confirmed" if first == "confirm" else "dismissed"
    assert refused.value.reasons == [f"This proposal was {done} by Lena Hoffmann on "
                                     f"{timezone.localdate():%-d %B %Y} already."]  # fmt: skip
    assert HealthFlag.objects.count() == flags


# Answering: every refusal --------------------------------------------------------------------------


def refused_submit(patient, version, answers) -> list[str]:
    before = (IntakeResponse.objects.count(), FlagProposal.objects.count())
    with pytest.raises(Refused) as refused:
        intake_submit(patient=patient, version=version, answers=answers, channel=Via.PORTAL)
    assert (IntakeResponse.objects.count(), FlagProposal.objects.count()) == before
    return refused.value.reasons


def test_answered_once_is_refused_a_second_time(patient, version):
    submit(patient, version)
    reasons = refused_submit(patient, version, all_no(version))
    assert reasons == [
        f"The health questions were answered on {timezone.localdate():%-d %B %Y}. If something has changed, "
        "please tell your therapist."
    ]


def test_answers_to_questions_changed_meanwhile_are_refused(patient, version, karin):
    intake_version_publish(questions=[QuestionSpec("Do you smoke?")], created_by=karin)
    assert refused_submit(patient, version, all_no(version)) == [
        "The questions changed while you were answering them: please answer the new ones."
    ]


def test_a_question_left_out_is_refused(patient, version):
    answers = all_no(version)
    left_out = version.question_list[2]
    del answers[left_out.pk]
    assert refused_submit(patient, version, answers) == [f"Answer yes or no: “{left_out.text}”"]


def test_a_yes_to_an_oil_allergy_names_the_oil(patient, version):
    answers = all_no(version)
    answers[question(version, FlagKind.OIL_ALLERGY).pk] = Answer(yes=True, detail=" ")
    assert refused_submit(patient, version, answers) == [
        "You answered yes to “Are you allergic or sensitive to any massage oil, cream or essential oil?”: "
        "Which oil or cream?"
    ]


def test_details_have_limits(patient, version):
    answers = all_no(version)
    answers[question(version, FlagKind.OIL_ALLERGY).pk] = Answer(yes=True, detail="x" * 81)
    answers[question(version, FlagKind.RECENT_SURGERY).pk] = Answer(yes=True, detail="x" * 201)
    assert refused_submit(patient, version, answers) == [
        "“Which oil or cream?”: name the oil in 80 characters at most.",
        "“Which operation, and when?”: 200 characters at most.",
    ]


def test_answers_to_another_questionnaires_questions_are_refused(patient, version, karin):
    answers = all_no(version)
    answers[987654] = Answer(yes=True)
    assert refused_submit(patient, version, answers) == [
        "Some answers are to questions that are not on this questionnaire."
    ]


# The clinic's questions, in versions -------------------------------------------------------------


def specs(version) -> list[QuestionSpec]:
    return [QuestionSpec(q.text, q.proposes, q.detail_label) for q in version.question_list]


def test_editing_saves_a_new_version_and_answers_keep_theirs(patient, version, karin):
    first = submit(patient, version, **{FlagKind.PREGNANCY: Answer(yes=True)})
    edited = [*specs(version)[:3], QuestionSpec("Do you have diabetes?", FlagKind.OTHER, "Which type?")]

    second = intake_version_publish(questions=edited, created_by=karin)

    assert (second.number, second.created_by) == (2, karin)
    assert intake_version_current().pk == second.pk
    assert [q.text for q in second.questions.order_by("position")][-1] == "Do you have diabetes?"
    # Version 1 and the answers to it are as they were.
    assert IntakeQuestion.objects.filter(version=version).count() == len(DEFAULT_KINDS)
    first.refresh_from_db()
    assert first.version == version
    latest = intake_response_latest(patient=patient)
    assert [a.question.version_id for a in latest.answer_list] == [version.pk] * len(DEFAULT_KINDS)
    # A new patient answers version 2.
    other = PatientFactory()
    answers = {q.pk: Answer(yes=False) for q in intake_version_current().question_list}
    assert intake_submit(patient=other, version=second, answers=answers, channel=Via.PORTAL).version == second


def test_a_saved_version_never_changes(version):
    with pytest.raises(VersionFrozen):
        version.save()
    asked = version.question_list[0]
    asked.text = "Something else?"
    with pytest.raises(VersionFrozen):
        asked.save()
    assert IntakeQuestion.objects.get(pk=asked.pk).text != "Something else?"


@pytest.mark.parametrize(
    "questions, reasons",
    [
        ([], ["Write at least one question."]),
        ([QuestionSpec(" ")], ["Question 1 has no text."]),
        ([QuestionSpec("x" * 301)], ["Question 1 is too long: 300 characters at most."]),
        (
            [QuestionSpec("Do you smoke?"), QuestionSpec("do you  SMOKE?")],
            ["Question 2 is asked already: “do you SMOKE?”."],
        ),
        ([QuestionSpec("Sunburn?", "sunburn")], ["Question 1: choose a health flag from the list, or none."]),
        (
            [QuestionSpec("Allergic?", FlagKind.OIL_ALLERGY)],
            [
                "Question 1 proposes an oil allergy: ask which oil with a yes (for example “Which oil?”), so the "
                "therapist knows what to avoid."
            ],
        ),
        (
            [QuestionSpec("Surgery?", FlagKind.RECENT_SURGERY, "x" * 121)],
            ["Question 1: what a yes asks for is too long (120 characters at most)."],
        ),
        (
            [QuestionSpec(f"Question {n}?") for n in range(41)],
            ["At most 40 questions: a patient answers them all at once."],
        ),
    ],
)
def test_questions_are_refused_in_words(karin, version, questions, reasons):
    with pytest.raises(Refused) as refused:
        intake_version_publish(questions=questions, created_by=karin)
    assert refused.value.reasons == reasons
    assert IntakeVersion.objects.count() == 1


def test_the_same_questions_again_are_nothing_to_save(karin, version):
    with pytest.raises(Refused) as refused:
        intake_version_publish(questions=specs(version), created_by=karin)
    assert refused.value.reasons == ["The questions are the same as version 1: nothing to save."]


@pytest.mark.parametrize("role", [roles.THERAPIST, roles.RECEPTIONIST, roles.PATIENT])
def test_only_a_manager_edits_the_questions(role, version):
    with pytest.raises(Refused) as refused:
        intake_version_publish(questions=[QuestionSpec("Do you smoke?")], created_by=UserFactory(role=role))
    assert refused.value.reasons == ["Only a manager edits the questionnaire."]
