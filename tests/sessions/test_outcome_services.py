"""Outcome measures over a course: when each is due, recording one, the trend, and what the
discharge summary says of the change and the MCID."""

from decimal import Decimal

import pytest
from django.utils import timezone

from clinic.refusals import Refused
from outcomes.models import FUNCTION_CODE, Measure
from outcomes.services import ItemSpec
from sessions.courses import course_close
from sessions.models import CourseStatus, OutcomeOccasion, OutcomeScore
from sessions.outcomes import due_occasion, outcome_record, outcome_trends, patient_measures_due
from tests.factories import manager_questionnaire
from tests.scenes import course_for, days_ago, held, portal_patient

pytestmark = pytest.mark.django_db

ACTIVITIES = ["Putting on socks", "Sitting through a film"]


@pytest.fixture
def psfs():
    return Measure.objects.get(code=FUNCTION_CODE)


@pytest.fixture
def course(db):
    """A 12–15 session course of a patient with a portal login; minimum 4 sessions here."""
    return course_for(portal_patient("maria@example.org"), min_sessions=4, max_sessions=6)


def rate(course, measure, ratings, activities=ACTIVITIES):
    return outcome_record(
        course=course, measure=measure, answers=ratings, activities=activities, recorded_by=course.patient.user
    )


def sessions(course, count, start=20):
    for n in range(count):
        held(course, days_ago(start - n))


@pytest.mark.parametrize(
    ("done", "scores", "occasion"),
    [
        (0, [], OutcomeOccasion.START),
        (2, [], OutcomeOccasion.START),  # a late baseline is better than none
        (2, [(OutcomeOccasion.START, 0)], None),
        (4, [(OutcomeOccasion.START, 0)], OutcomeOccasion.END),  # the minimum is done (4); end beats "every 4"
        (4, [(OutcomeOccasion.START, 0), (OutcomeOccasion.END, 4)], None),
        (5, [(OutcomeOccasion.START, 0), (OutcomeOccasion.END, 4)], None),
    ],
)
def test_when_the_functional_scale_is_due(course, psfs, done, scores, occasion):
    existing = [OutcomeScore(occasion=o, sessions_done=n) for o, n in scores]
    assert due_occasion(measure=psfs, course=course, sessions_done=done, scores=existing) == occasion


def test_every_n_sessions_between_start_and_end(course, psfs):
    course.min_sessions = 12
    start = [OutcomeScore(occasion=OutcomeOccasion.START, sessions_done=0)]
    assert due_occasion(measure=psfs, course=course, sessions_done=3, scores=start) is None
    assert due_occasion(measure=psfs, course=course, sessions_done=4, scores=start) == OutcomeOccasion.DURING
    during = [*start, OutcomeScore(occasion=OutcomeOccasion.DURING, sessions_done=5)]
    assert due_occasion(measure=psfs, course=course, sessions_done=7, scores=during) is None
    assert due_occasion(measure=psfs, course=course, sessions_done=8, scores=during) == OutcomeOccasion.DURING


def test_a_cancelled_course_asks_nothing_and_a_completed_one_only_its_end(course, psfs):
    course.status = CourseStatus.CANCELLED
    assert due_occasion(measure=psfs, course=course, sessions_done=0, scores=[]) is None
    course.status = CourseStatus.COMPLETED
    assert due_occasion(measure=psfs, course=course, sessions_done=1, scores=[]) is None
    start = [OutcomeScore(occasion=OutcomeOccasion.START, sessions_done=0)]
    assert due_occasion(measure=psfs, course=course, sessions_done=1, scores=start) == OutcomeOccasion.END


def test_the_pain_score_is_never_asked(course):
    assert [d.measure.code for d in patient_measures_due(patient=course.patient)] == [FUNCTION_CODE]


def test_recording_the_functional_scale_start_then_end(course, psfs):
    first = rate(course, psfs, [2, 5])
    assert (first.occasion, first.sessions_done, first.score) == (OutcomeOccasion.START, 0, Decimal("3.50"))
    assert first.answers == [{"activity": ACTIVITIES[0], "rating": 2}, {"activity": ACTIVITIES[1], "rating": 5}]
    assert patient_measures_due(patient=course.patient) == []

    sessions(course, 4)
    last = rate(course, psfs, [6, 8])

    assert (last.occasion, last.sessions_done, last.score) == (OutcomeOccasion.END, 4, Decimal("7.00"))
    (trend,) = outcome_trends(patient=course.patient)[course.pk]
    assert [score for _, score in trend.points] == [Decimal("3.50"), Decimal("7.00")]
    assert (trend.low, trend.high, trend.change.improvement, trend.change.reached) == (0, 10, Decimal("3.5"), True)


def test_the_same_activities_are_rated_again(course, psfs):
    rate(course, psfs, [2, 5])
    sessions(course, 4)
    with pytest.raises(Refused) as refused:
        rate(course, psfs, [6, 8], activities=["Gardening", "Cycling"])
    assert refused.value.reasons == ["Rate the same activities as the first time."]


@pytest.mark.parametrize(
    ("activities", "ratings", "reason"),
    [
        ([], [], "Name at least one activity you find hard (up to 5)."),
        (["a", "b", "c", "d", "e", "f"], [1] * 6, "Name 5 activities at most."),
        (["Walking", "walking"], [1, 2], "Each activity once: two of them are the same."),
        (["Walking"], [11], "Answers go from 0 to 10; answer 1 is outside that."),
        (["Walking", "Cycling"], [3], "Rate each activity you named, and only those."),
    ],
)
def test_bad_answers_are_refused_in_sentences(course, psfs, activities, ratings, reason):
    with pytest.raises(Refused) as refused:
        rate(course, psfs, ratings, activities=activities)
    assert refused.value.reasons == [reason]
    assert not OutcomeScore.objects.exists()


def test_a_measure_that_is_not_due_is_refused(course, psfs):
    rate(course, psfs, [2, 5])
    with pytest.raises(Refused, match="not due for this course now"):
        rate(course, psfs, [2, 5])
    assert OutcomeScore.objects.count() == 1


def test_a_questionnaire_answers_every_item(course, manager):
    odi = manager_questionnaire(
        items=[ItemSpec("Pain intensity"), ItemSpec("Personal care")],
        created_by=manager,
    )
    score = outcome_record(course=course, measure=odi, answers=[3, 2], recorded_by=course.patient.user)
    assert score.score == Decimal("50.00") and score.answers == [3, 2]


def test_the_discharge_summary_states_each_change_and_the_mcid(course, psfs, therapist):
    rate(course, psfs, [2, 4])  # mean 3
    held(course, days_ago(10), before=7, after=5)
    held(course, days_ago(9), before=5, after=4)
    held(course, days_ago(8), before=4, after=3)
    held(course, days_ago(7), before=3, after=3)
    rate(course, psfs, [4, 5])  # mean 4.5: 1.5 better, below the MCID of 2

    closed = course_close(course=course, closed_by=therapist.user)

    assert "Pain change: 4 points better (7 before the first session, 3 after the last); " in closed.discharge_summary
    assert "important change 2 points: reached." in closed.discharge_summary
    assert (
        "Patient-specific functional scale: 3 → 4.5, 1.5 points better; important change 2: not reached."
        in closed.discharge_summary
    )


def test_patient_measures_due_runs_a_few_queries(course, django_assert_max_num_queries):
    for _ in range(3):
        course_for(course.patient, modality=course.modality)
    patient_measures_due(patient=course.patient)  # the measures kept (clinic/setup_cache.py)
    with django_assert_max_num_queries(4):
        due = patient_measures_due(patient=course.patient)
    assert len(due) == 4 and timezone.now()
