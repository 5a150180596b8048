"""The intake questionnaire: health questions a patient answers before the first session, in the
portal or on the reception tablet.

- The clinic edits the questions (`intake_version_publish`); each edit saves a new version and a
  saved version never changes. Patients answer the highest number; an answer set
  (IntakeResponse) keeps the version it answered.
- A yes to a question that names a health flag proposes that flag (FlagProposal): an oil allergy
  with the oil the patient named, pregnancy, high blood pressure, a skin condition, fever or an
  infection, recent surgery. A proposal changes nothing: a therapist confirms it on the chart
  (`flag_proposal_confirm`, which records the HealthFlag through
  patients.services.health_flag_create with her as its author) or dismisses it
  (`flag_proposal_dismiss`); both decisions are kept with who made them and when.
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from clinic import roles
from clinic.refusals import Refused
from clinic.setup_cache import setup_cached
from patients.models import (
    ANSWER_DETAIL_MAX_LENGTH,
    DETAIL_LABEL_MAX_LENGTH,
    QUESTION_MAX_LENGTH,
    FlagKind,
    FlagProposal,
    HealthFlag,
    IntakeQuestion,
    IntakeResponse,
    IntakeVersion,
    KioskSession,
    Patient,
    ProposalStatus,
    Via,
)
from patients.services import health_flag_create

MAX_QUESTIONS = 40
SUBSTANCE_MAX_LENGTH = 80


@dataclass(frozen=True)
class QuestionSpec:
    """A question as the manager writes it: the text, the flag a yes proposes ("" for none), and
    what a yes asks for in words ("" for nothing)."""

    text: str
    proposes: str = ""
    detail_label: str = ""


@dataclass(frozen=True)
class Answer:
    """The patient's answer to one question: yes or no, and the detail a yes was asked for."""

    yes: bool
    detail: str = ""


# Reading --------------------------------------------------------------------------------------------


def intake_version_current() -> IntakeVersion | None:
    """The version patients answer now, with `question_list` (two queries), or None before the
    clinic has written any question."""
    version = IntakeVersion.objects.order_by("-number").first()
    if version is not None:
        version.question_list = list(version.questions.order_by("position"))
    return version


def intake_response_latest(*, patient: Patient) -> IntakeResponse | None:
    """The patient's latest answers, with `answer_list` (each with its question) and
    `proposal_list` (each with who decided it). Three queries."""
    response = (
        IntakeResponse.objects.filter(patient_id=patient.pk)
        .select_related("version")
        .order_by("-submitted_at", "-pk")
        .first()
    )
    if response is not None:
        response.answer_list = list(response.answers.select_related("question").order_by("question__position"))
        response.proposal_list = list(
            response.proposals.select_related("decided_by", "health_flag", "answer__question").order_by("pk")
        )
    return response


def intake_answered_at(*, patient: Patient) -> dt.datetime | None:
    """When the patient last answered the questionnaire, or None. One query."""
    return (
        IntakeResponse.objects.filter(patient_id=patient.pk)
        .order_by("-submitted_at")
        .values_list("submitted_at", flat=True)
        .first()
    )


def intake_due(*, patient: Patient, answered_at: dt.datetime | None = None) -> bool:
    """The questionnaire is asked once, before the first session: due while the patient has not
    answered any version and the clinic has questions. One query (none when `answered_at`, read
    already, says they answered)."""
    if answered_at is not None:
        return False
    return intake_published() and intake_answered_at(patient=patient) is None


def intake_published() -> bool:
    """Whether the clinic has an intake questionnaire (any version), kept by the set-up cache
    (clinic/setup_cache.py)."""
    return setup_cached(
        "intake published", lambda using: IntakeVersion.objects.using(using).exists(), model=IntakeVersion
    )


def flag_proposals_pending(*, patient: Patient) -> list[FlagProposal]:
    return list(
        FlagProposal.objects.filter(patient_id=patient.pk, status=ProposalStatus.PENDING)
        .select_related("answer__question", "response")
        .order_by("pk")
    )


# The clinic edits the questions ------------------------------------------------------------------


def _spec_normal(spec: QuestionSpec) -> QuestionSpec:
    return QuestionSpec(
        text=" ".join(spec.text.split()), proposes=spec.proposes or "", detail_label=" ".join(spec.detail_label.split())
    )


def _questions_problems(questions: list[QuestionSpec]) -> list[str]:
    problems = []
    if not questions:
        return [gettext("Write at least one question.")]
    if len(questions) > MAX_QUESTIONS:
        problems.append(
            gettext("At most %(max)s questions: a patient answers them all at once.") % {"max": MAX_QUESTIONS}
        )
    seen: set[str] = set()
    for number, spec in enumerate(questions, 1):
        values = {"number": number, "text": spec.text}
        if not spec.text:
            problems.append(gettext("Question %(number)s has no text.") % values)
        elif len(spec.text) > QUESTION_MAX_LENGTH:
            problems.append(
                gettext("Question %(number)s is too long: %(max)s characters at most.")
                % {**values, "max": QUESTION_MAX_LENGTH}
            )
        elif spec.text.casefold() in seen:
            problems.append(gettext("Question %(number)s is asked already: “%(text)s”.") % values)
        seen.add(spec.text.casefold())
        if spec.proposes and spec.proposes not in FlagKind.values:
            problems.append(gettext("Question %(number)s: choose a health flag from the list, or none.") % values)
        if len(spec.detail_label) > DETAIL_LABEL_MAX_LENGTH:
            problems.append(
                gettext("Question %(number)s: what a yes asks for is too long (%(max)s characters at most).")
                % {**values, "max": DETAIL_LABEL_MAX_LENGTH}
            )
        if spec.proposes == FlagKind.OIL_ALLERGY and not spec.detail_label:
            problems.append(
                gettext(
                    "Question %(number)s proposes an oil allergy: ask which oil with a yes "
                    "(for example “Which oil?”), so the therapist knows what to avoid."
                )
                % values
            )
    return problems


@transaction.atomic
def intake_version_publish(*, questions: list[QuestionSpec], created_by: AbstractBaseUser) -> IntakeVersion:
    """Save `questions`, in this order, as the next version of the questionnaire; patients answer
    it from now on, and the answers given to earlier versions stay with them. Refused for anyone
    but a manager, without questions, for a question without text, asked twice or too long, an
    unknown flag, an oil-allergy question that does not ask which oil, and for questions the
    same as the current version's."""
    questions = [_spec_normal(spec) for spec in questions]
    problems = [] if roles.has_role(created_by, roles.MANAGER) else [gettext("Only a manager edits the questionnaire.")]
    problems += _questions_problems(questions)
    # Serialise two managers publishing at once: the second waits and numbers after the first.
    current = IntakeVersion.objects.select_for_update().order_by("-number").first()
    if not problems and current is not None:
        same = [
            QuestionSpec(q.text, q.proposes, q.detail_label) for q in current.questions.order_by("position")
        ] == questions
        if same:
            problems.append(
                gettext("The questions are the same as version %(number)s: nothing to save.")
                % {"number": current.number}
            )
    if problems:
        raise Refused(problems)
    version = IntakeVersion.objects.create(number=(current.number + 1) if current else 1, created_by=created_by)
    IntakeQuestion.objects.bulk_create(
        IntakeQuestion(
            version=version, position=position, text=spec.text, proposes=spec.proposes, detail_label=spec.detail_label
        )
        for position, spec in enumerate(questions, 1)
    )
    return version


# The patient answers ----------------------------------------------------------------------------------


def _day(moment: dt.datetime) -> str:
    return date_format(timezone.localtime(moment), gettext("j F Y"))


@transaction.atomic
def intake_submit(
    *,
    patient: Patient,
    version: IntakeVersion,
    answers: dict[int, Answer],
    channel: str,
    submitted_by: AbstractBaseUser | None = None,
    kiosk: KioskSession | None = None,
    now: dt.datetime | None = None,
) -> IntakeResponse:
    """Keep the patient's answers (`answers` by question id) to `version`, and a proposal for each
    yes to a question that names a health flag. No health flag changes here. Refused when the
    patient has answered already, when the questions changed while they answered, when a
    question has no answer, or a yes lacks the detail its question asks for."""
    now = now or timezone.now()
    # One answer set per patient, even from two tabs at once: the patient's row is the lock.
    Patient.objects.select_for_update().filter(pk=patient.pk).first()
    problems = []
    earlier = IntakeResponse.objects.filter(patient_id=patient.pk).order_by("-submitted_at").first()
    if earlier is not None:
        problems.append(
            gettext(
                "The health questions were answered on %(day)s. If something has changed, please tell your therapist."
            )
            % {"day": _day(earlier.submitted_at)}
        )
    current = IntakeVersion.objects.order_by("-number").first()
    if current is None or current.pk != version.pk:
        problems.append(gettext("The questions changed while you were answering them: please answer the new ones."))
    if problems:
        raise Refused(problems)
    questions = list(version.questions.order_by("position"))
    for question in questions:
        answer = answers.get(question.pk)
        values = {"question": question.text, "detail": question.detail_label}
        if answer is None:
            problems.append(gettext("Answer yes or no: “%(question)s”") % values)
            continue
        detail = " ".join(answer.detail.split())
        if len(detail) > ANSWER_DETAIL_MAX_LENGTH:
            problems.append(
                gettext("“%(detail)s”: %(max)s characters at most.") % {**values, "max": ANSWER_DETAIL_MAX_LENGTH}
            )
        elif answer.yes and question.proposes == FlagKind.OIL_ALLERGY and not detail:
            # Translators: the clinic's question, then what a yes asks for ("Which oil?").
            problems.append(gettext("You answered yes to “%(question)s”: %(detail)s") % values)
        elif answer.yes and question.proposes == FlagKind.OIL_ALLERGY and len(detail) > SUBSTANCE_MAX_LENGTH:
            problems.append(
                gettext("“%(detail)s”: name the oil in %(max)s characters at most.")
                % {**values, "max": SUBSTANCE_MAX_LENGTH}
            )
    if set(answers) - {q.pk for q in questions}:
        problems.append(gettext("Some answers are to questions that are not on this questionnaire."))
    if problems:
        raise Refused(problems)
    response = IntakeResponse.objects.create(
        patient=patient,
        version=version,
        submitted_at=now,
        channel=channel,
        submitted_by=submitted_by if channel == Via.PORTAL else None,
        kiosk=kiosk,
    )
    for question in questions:
        answer = answers[question.pk]
        detail = " ".join(answer.detail.split()) if answer.yes else ""
        row = response.answers.create(question=question, answer=answer.yes, detail=detail)
        if answer.yes and question.proposes:
            FlagProposal.objects.create(
                response=response,
                answer=row,
                patient=patient,
                kind=question.proposes,
                substance=detail if question.proposes == FlagKind.OIL_ALLERGY else "",
                detail=detail,
            )
    return response


# The therapist decides ----------------------------------------------------------------------------


def _decision_problems(proposal: FlagProposal, user: AbstractBaseUser) -> list[str]:
    problems = []
    if not roles.has_role(user, roles.THERAPIST, roles.MANAGER):
        problems.append(gettext("Only a therapist confirms or dismisses what the intake questionnaire proposes."))
    if proposal.status != ProposalStatus.PENDING:
        who = proposal.decided_by.get_full_name() or proposal.decided_by.get_username()
        values = {"who": who, "day": _day(proposal.decided_at)}
        if proposal.status == ProposalStatus.CONFIRMED:
            problems.append(gettext("This proposal was confirmed by %(who)s on %(day)s already.") % values)
        elif proposal.status == ProposalStatus.DISMISSED:
            problems.append(gettext("This proposal was dismissed by %(who)s on %(day)s already.") % values)
        else:
            status = proposal.get_status_display().lower()
            problems.append(f"This proposal was {status} by {who} on {values['day']} already.")
    return problems


def _locked(proposal: FlagProposal) -> FlagProposal:
    return (
        FlagProposal.objects.select_for_update(of=("self",)).select_related("decided_by", "patient").get(pk=proposal.pk)
    )


@transaction.atomic
def flag_proposal_confirm(
    *,
    proposal: FlagProposal,
    confirmed_by: AbstractBaseUser,
    substance: str | None = None,
    active_from: dt.date | None = None,
    note: str | None = None,
) -> HealthFlag:
    """Record the proposed flag as a HealthFlag (patients.services.health_flag_create: its checks,
    the therapist as its author), starting `active_from` (today), with the oil the therapist
    confirms (the patient's words unless she corrects them). Refused for anyone but a therapist
    or a manager, and once the proposal is decided; a bad flag raises ValidationError by field."""
    proposal = _locked(proposal)
    problems = _decision_problems(proposal, confirmed_by)
    if problems:
        raise Refused(problems)
    now = timezone.now()
    answered = _day(FlagProposal.objects.values_list("response__submitted_at", flat=True).get(pk=proposal.pk))
    flag = health_flag_create(
        patient=proposal.patient,
        kind=proposal.kind,
        substance=proposal.substance if substance is None else substance,
        active_from=active_from or timezone.localdate(now),
        active_to=None,
        note=note if note is not None else proposal_note(proposal, answered),
        recorded_by=confirmed_by,
    )
    proposal.status, proposal.decided_by, proposal.decided_at = ProposalStatus.CONFIRMED, confirmed_by, now
    proposal.health_flag = flag
    proposal.save(update_fields=["status", "decided_by", "decided_at", "health_flag"])
    return flag


def proposal_note(proposal: FlagProposal, answered: str) -> str:
    """The flag's note a confirmation starts from: where it came from, and the patient's words."""
    if proposal.detail and proposal.kind != FlagKind.OIL_ALLERGY:
        note = gettext("From the intake questionnaire of %(day)s: “%(detail)s”.") % {
            "day": answered,
            "detail": proposal.detail,
        }
    else:
        note = gettext("From the intake questionnaire of %(day)s.") % {"day": answered}
    return note[:300]


@transaction.atomic
def flag_proposal_dismiss(*, proposal: FlagProposal, dismissed_by: AbstractBaseUser, note: str = "") -> FlagProposal:
    """Dismiss a proposal (no flag is recorded), keeping who and when, and why if she says."""
    proposal = _locked(proposal)
    problems = _decision_problems(proposal, dismissed_by)
    note = " ".join(note.split())
    if len(note) > 300:
        problems.append(gettext("The reason is too long: 300 characters at most."))
    if problems:
        raise Refused(problems)
    proposal.status, proposal.decided_by, proposal.decided_at = ProposalStatus.DISMISSED, dismissed_by, timezone.now()
    proposal.decision_note = note
    proposal.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return proposal
