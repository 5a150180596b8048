"""Outcome measures over a course: which are due now (course start, every N sessions, course
end), recording a filled-in measure with its score, the trend of each measure, and the change a
discharge summary states. The measures and their scoring are outcomes/; the pain score is read
off the signed session notes (sessions.course_progress), never asked a second time."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from clinic.refusals import Refused
from clinic.setup_cache import copies, setup_cached
from outcomes.models import PAIN_CODE, Measure, MeasureItem, MeasureKind
from outcomes.scoring import Change, answers_problems, measure_score, score_change, score_range
from patients.models import Patient
from sessions.course_progress import course_outcome, course_sessions_done_count, with_progress
from sessions.models import Course, CourseStatus, OutcomeOccasion, OutcomeScore

MAX_ACTIVITY_LENGTH = 120


@dataclass(frozen=True)
class DueMeasure:
    """A measure the patient is asked to fill in now for one of their courses."""

    course: Course
    measure: Measure
    occasion: str
    sessions_done: int

    @property
    def occasion_label(self) -> str:
        return OutcomeOccasion(self.occasion).label


def measures_asked(*, items: bool = True) -> list[Measure]:
    """The active measures a patient fills in, each with its items (`item_list`; without them for
    pages that only say what is due), kept by the set-up cache (clinic/setup_cache.py). Each reader
    gets its own measures; their `item_list`s are shared by every reader, to read only."""

    def build(using: str) -> list[Measure]:
        measures = Measure.objects.using(using).filter(active=True).exclude(kind=MeasureKind.SESSION_PAIN)
        if items:
            measures = measures.prefetch_related(
                Prefetch("items", queryset=MeasureItem.objects.order_by("position"), to_attr="item_list")
            )
        return list(measures)

    return copies(setup_cached(("measures asked", items), build, model=Measure))


def due_occasion(*, measure: Measure, course: Course, sessions_done: int, scores: list[OutcomeScore]) -> str | None:
    """When `measure` is due for `course` now, given the course's sessions done and the scores
    it already has for that measure; None when it is not due.

    - start: the course has no score of it yet (late is better than never: a baseline);
    - end: once the course has done its minimum of sessions (the therapist may close it from
      then), or is completed, and there is no end score yet;
    - during: every N sessions done, when nothing was recorded at or after that point.
    A cancelled course asks nothing; a completed one only its end score."""
    if course.status == CourseStatus.CANCELLED or not measure.asks_patient:
        return None
    if not scores:
        if measure.due_at_start and course.status != CourseStatus.COMPLETED:
            return OutcomeOccasion.START
    elif measure.due_at_end and not any(s.occasion == OutcomeOccasion.END for s in scores):
        if course.status == CourseStatus.COMPLETED or sessions_done >= course.min_sessions:
            return OutcomeOccasion.END
    if course.status == CourseStatus.COMPLETED or any(s.occasion == OutcomeOccasion.END for s in scores):
        return None
    every = measure.due_every_sessions
    if every and sessions_done >= every:
        checkpoint = sessions_done // every * every
        if all(s.sessions_done < checkpoint for s in scores):
            return OutcomeOccasion.DURING
    return None


def _due(courses: list[Course], measures: list[Measure], scores: list[OutcomeScore]) -> list[DueMeasure]:
    """What is due over `courses` (each with `sessions_done`), given the patient's scores."""
    by_course = defaultdict(list)
    for score in scores:
        by_course[(score.course_id, score.measure_id)].append(score)
    due = []
    for course in courses:
        for measure in measures:
            earlier = by_course[(course.pk, measure.pk)]
            occasion = due_occasion(measure=measure, course=course, sessions_done=course.sessions_done, scores=earlier)
            if occasion:
                due.append(DueMeasure(course, measure, occasion, course.sessions_done))
    return due


def _patient_scores(patient: Patient) -> list[OutcomeScore]:
    return list(
        OutcomeScore.objects.filter(patient_id=patient.pk).select_related("measure").order_by("recorded_at", "pk")
    )


def patient_measures_due(*, patient: Patient) -> list[DueMeasure]:
    """Every measure due now over the patient's courses, newest course first. Four queries
    however many courses, measures and scores."""
    courses = list(
        with_progress(patient.courses.exclude(status=CourseStatus.CANCELLED))
        .select_related("modality", "diagnosis")
        .order_by("-starts_on", "-pk")
    )
    if not courses:
        return []
    return _due(courses, measures_asked(), _patient_scores(patient))


def patient_outcomes(*, patient: Patient, courses: list[Course]) -> tuple[list[DueMeasure], dict[int, list["Trend"]]]:
    """For a page that has the patient's courses already (each with `sessions_done`): what is
    due, and the trends by course id (the measures without their items: the page only names
    what is due). Two queries."""
    scores = _patient_scores(patient)
    open_courses = [c for c in courses if c.status != CourseStatus.CANCELLED]
    due = _due(open_courses, measures_asked(items=False), scores) if open_courses else []
    return due, _trends(scores)


def course_activities(*, course: Course, measure: Measure) -> list[str]:
    """The activities the patient named the first time (patient-specific measures): they rate
    the same ones every time after. Empty before the first time."""
    first = OutcomeScore.objects.filter(course=course, measure=measure).order_by("recorded_at", "pk").first()
    if first is None:
        return []
    return [answer["activity"] for answer in first.answers]


def _activity_problems(activities: list[str], named_before: list[str], max_items: int) -> list[str]:
    if named_before:
        if activities != named_before:
            return [gettext("Rate the same activities as the first time.")]
        return []
    if not activities:
        return [gettext("Name at least one activity you find hard (up to %(most)s).") % {"most": max_items}]
    if len(activities) > max_items:
        return [
            ngettext("Name %(most)s activities at most.", "Name %(most)s activities at most.", max_items)
            % {"most": max_items}
        ]
    if any(len(a) > MAX_ACTIVITY_LENGTH for a in activities):
        return [gettext("Describe each activity in %(length)s characters or fewer.") % {"length": MAX_ACTIVITY_LENGTH}]
    if len({a.casefold() for a in activities}) != len(activities):
        return [gettext("Each activity once: two of them are the same.")]
    return []


@transaction.atomic
def outcome_record(
    *,
    course: Course,
    measure: Measure,
    answers: list[int],
    recorded_by: AbstractBaseUser,
    activities: list[str] | None = None,
    now: dt.datetime | None = None,
) -> OutcomeScore:
    """Keep a filled-in measure for the course with its score. `answers` are the item answers in
    order, or (patient-specific) the ratings of `activities`. Refused when the measure is not
    due for the course now, or the answers cannot be scored; the course row is locked, so a
    form sent twice records once."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    done = course_sessions_done_count(course=course)
    earlier = list(OutcomeScore.objects.filter(course=course, measure=measure))
    occasion = due_occasion(measure=measure, course=course, sessions_done=done, scores=earlier)
    if occasion is None:
        raise Refused(
            gettext("The %(measure)s is not due for this course now; thank you all the same.")
            % {"measure": measure.name.lower()}
        )
    if measure.kind == MeasureKind.PATIENT_SPECIFIC:
        activities = [a.strip() for a in activities or []]
        named = (
            [e["activity"] for e in sorted(earlier, key=lambda s: (s.recorded_at, s.pk))[0].answers] if earlier else []
        )
        reasons = _activity_problems(activities, named, measure.max_items or 1)
        if not reasons and len(answers) != len(activities):
            reasons = [gettext("Rate each activity you named, and only those.")]
        item_count = len(activities)
    else:
        reasons, item_count = [], len(measure.items.all())
    reasons = reasons or answers_problems(measure=measure, answers=answers, item_count=item_count)
    if reasons:
        raise Refused(reasons)
    stored = (
        [{"activity": a, "rating": r} for a, r in zip(activities, answers, strict=True)]
        if measure.kind == MeasureKind.PATIENT_SPECIFIC
        else list(answers)
    )
    try:
        with transaction.atomic():
            return OutcomeScore.objects.create(
                patient_id=course.patient_id,
                course=course,
                measure=measure,
                occasion=occasion,
                sessions_done=done,
                answers=stored,
                score=measure_score(measure=measure, answers=answers),
                recorded_at=now or timezone.now(),
                recorded_by=recorded_by,
            )
    except IntegrityError as error:
        raise Refused(gettext("This was recorded already.")) from error


@dataclass
class Trend:
    """One measure's scores over one course, oldest first, with the change first to latest."""

    course_id: int
    measure: Measure
    points: list[tuple[str, Decimal]] = field(default_factory=list)
    low: Decimal = Decimal(0)
    high: Decimal = Decimal(10)
    change: Change | None = None


def outcome_trends(*, patient: Patient) -> dict[int, list[Trend]]:
    """The patient's stored measures by course id: one Trend per measure with at least one
    score. One query."""
    return _trends(_patient_scores(patient))


def _trends(scores: list[OutcomeScore]) -> dict[int, list[Trend]]:
    by_course: dict[int, dict[int, Trend]] = defaultdict(dict)
    raw: dict[tuple[int, int], list[OutcomeScore]] = defaultdict(list)
    for score in scores:
        raw[(score.course_id, score.measure_id)].append(score)
    for (course_id, measure_id), measure_scores in raw.items():
        measure = measure_scores[0].measure
        years = {timezone.localtime(s.recorded_at).year for s in measure_scores}
        label = "j M" if len(years) <= 1 else "j M Y"
        # Every item of a questionnaire is answered, so its answers count its items.
        low, high = score_range(measure=measure, item_count=len(measure_scores[0].answers))
        trend = Trend(course_id, measure, low=low, high=high)
        trend.points = [(date_format(timezone.localtime(s.recorded_at), label), s.score) for s in measure_scores]
        if len(measure_scores) > 1:
            trend.change = score_change(measure=measure, first=measure_scores[0].score, last=measure_scores[-1].score)
        by_course[course_id][measure_id] = trend
    return {course_id: sorted(t.values(), key=lambda t: t.measure.name) for course_id, t in by_course.items()}


def _number(value: Decimal | int) -> str:
    return f"{Decimal(value).normalize():f}"


def course_outcome_lines(*, course: Course) -> list[str]:
    """What the discharge summary says of the course's outcomes: the pain change first to last
    (from the session notes) and each stored measure's change, each with whether it reached the
    measure's minimal clinically important difference (MCID)."""
    lines = []
    pain = Measure.objects.filter(code=PAIN_CODE).first()
    outcome = course_outcome(course=course)
    if pain is not None and outcome.first_pain is not None and outcome.last_pain is not None:
        change = score_change(measure=pain, first=outcome.first_pain, last=outcome.last_pain)
        lines.append(
            f"Pain change: {change.words} ({outcome.first_pain} before the first session, {outcome.last_pain} "
            f"after the last); important change {_number(pain.mcid)} points: "
            f"{'reached' if change.reached else 'not reached'}."
        )
    scores = OutcomeScore.objects.filter(course=course).select_related("measure").order_by("recorded_at", "pk")
    by_measure: dict[int, list[OutcomeScore]] = defaultdict(list)
    for score in scores:
        by_measure[score.measure_id].append(score)
    for measure_scores in sorted(by_measure.values(), key=lambda s: s[0].measure.name):
        measure = measure_scores[0].measure
        first, last = measure_scores[0], measure_scores[-1]
        if len(measure_scores) < 2:
            lines.append(f"{measure.name}: {_number(first.score)} at the start; not measured again.")
            continue
        change = score_change(measure=measure, first=first.score, last=last.score)
        lines.append(
            f"{measure.name}: {_number(first.score)} → {_number(last.score)}, {change.words}; "
            f"important change {_number(measure.mcid)}: {'reached' if change.reached else 'not reached'}."
        )
    return lines
