"""Scoring a measure, the change between two scores and the MCID, and adding a measure."""

from decimal import Decimal

import pytest

from clinic.refusals import Refused
from outcomes.models import FUNCTION_CODE, PAIN_CODE, Measure, MeasureKind, Scoring
from outcomes.scoring import answers_problems, measure_score, score_change, score_range
from outcomes.services import ItemSpec, measure_create
from tests.factories import manager_questionnaire

pytestmark = pytest.mark.django_db


def questionnaire(scoring: str, scale_min=0, scale_max=5, higher_is_better=False, mcid="10") -> Measure:
    return Measure(
        name="Test",
        code="t",
        kind=MeasureKind.QUESTIONNAIRE,
        scale_min=scale_min,
        scale_max=scale_max,
        scoring=scoring,
        higher_is_better=higher_is_better,
        mcid=Decimal(mcid),
    )


@pytest.mark.parametrize(
    ("scoring", "answers", "score"),
    [
        (Scoring.SUM, [2, 3, 0, 5], Decimal("10.00")),
        (Scoring.MEAN, [2, 3, 0, 5], Decimal("2.50")),
        # An Oswestry-style index: 10 items of 0–5, 20 of the 50 points possible: 40 %.
        (Scoring.PERCENT_OF_MAX, [2] * 10, Decimal("40.00")),
        (Scoring.MEAN, [1, 1, 2], Decimal("1.33")),
    ],
)
def test_the_score_of_a_set_of_answers(scoring, answers, score):
    assert measure_score(measure=questionnaire(scoring), answers=answers) == score


def test_percentage_of_the_maximum_counts_from_the_bottom_of_the_scale():
    # A 1–4 scale: answering 1 everywhere is 0 %, 4 everywhere 100 %, 2.5 halfway.
    measure = questionnaire(Scoring.PERCENT_OF_MAX, scale_min=1, scale_max=4)
    assert measure_score(measure=measure, answers=[1, 1]) == 0
    assert measure_score(measure=measure, answers=[4, 4]) == 100
    assert measure_score(measure=measure, answers=[2, 3]) == 50


def test_answers_outside_the_scale_or_missing_are_refused_in_sentences():
    measure = questionnaire(Scoring.SUM)
    assert answers_problems(measure=measure, answers=[1, 6], item_count=2) == [
        "Answers go from 0 to 5; answer 2 is outside that."
    ]
    assert answers_problems(measure=measure, answers=[1], item_count=2) == [
        "Answer every question: 2 asked, 1 answered."
    ]
    assert answers_problems(measure=measure, answers=[1, 5], item_count=2) == []


def test_the_built_in_measures_ship_with_the_migration():
    pain = Measure.objects.get(code=PAIN_CODE)
    function = Measure.objects.get(code=FUNCTION_CODE)
    assert (pain.kind, pain.higher_is_better, pain.mcid, pain.asks_patient) == (
        MeasureKind.SESSION_PAIN,
        False,
        Decimal(2),
        False,
    )
    assert (function.kind, function.max_items, function.scoring, function.higher_is_better) == (
        MeasureKind.PATIENT_SPECIFIC,
        5,
        Scoring.MEAN,
        True,
    )
    assert function.mcid == 2 and "Stratford" in function.mcid_source and "Farrar" in pain.mcid_source
    assert score_range(measure=function, item_count=3) == (0, 10)


@pytest.mark.parametrize(
    ("first", "last", "words", "reached"),
    [(7, 3, "4 points better", True), (7, 5, "2 points better", True), (7, 6, "1 point better", False),
     (4, 6, "2 points worse", False), (5, 5, "no change", False)],
)  # fmt: skip
def test_a_pain_change_and_the_mcid_lower_is_better(first, last, words, reached):
    change = score_change(measure=Measure.objects.get(code=PAIN_CODE), first=first, last=last)
    assert (change.words, change.reached) == (words, reached)


def test_a_functional_change_higher_is_better():
    change = score_change(measure=Measure.objects.get(code=FUNCTION_CODE), first=Decimal("3.2"), last=Decimal("5.0"))
    assert (change.improvement, change.words, change.reached) == (Decimal("1.8"), "1.8 points better", False)


def test_the_manager_adds_a_licensed_questionnaire(manager):
    measure = manager_questionnaire(
        code="ODI",
        items=[ItemSpec("Pain intensity", [f"Statement {n}" for n in range(6)]), ItemSpec("Personal care")],
        created_by=manager,
        due_every_sessions=5,
    )
    assert (measure.code, measure.kind, measure.due_every_sessions) == ("odi", MeasureKind.QUESTIONNAIRE, 5)
    assert [(i.position, i.text, len(i.answers)) for i in measure.items.all()] == [
        (1, "Pain intensity", 6),
        (2, "Personal care", 0),
    ]
    assert score_range(measure=measure, item_count=2) == (0, 100)


def test_a_measure_that_cannot_work_is_refused_with_every_reason(manager):
    with pytest.raises(Refused) as refused:
        measure_create(
            name="Patient-specific functional scale",  # taken by the built-in one
            code="psfs",
            scale_min=3,
            scale_max=2,
            scoring="median",
            higher_is_better=True,
            mcid=Decimal(0),
            items=[],
            created_by=manager,
            due_at_start=False,
            due_at_end=False,
        )
    assert refused.value.reasons == [
        "There is already a measure called Patient-specific functional scale.",
        "The short name psfs is taken by another measure.",
        "The highest answer (2) must be above the lowest (3).",
        "Choose how the answers make the score: sum, mean, or percentage of the maximum.",
        "The minimal clinically important difference must be above zero.",
        "Write at least one question, one a line.",
        "Say when the measure is due: at the start, every few sessions, or at the end.",
    ]
    assert Measure.objects.count() == 2


def test_answers_must_word_every_point_and_the_mcid_must_be_reachable(manager):
    with pytest.raises(Refused) as refused:
        manager_questionnaire(
            name="Roland-Morris",
            code="rmdq",
            scale_max=1,
            scoring=Scoring.SUM,
            mcid=Decimal(5),
            items=[ItemSpec("I stay at home most of the time", ["No", "Yes", "Maybe"]), ItemSpec("I walk slowly")],
            created_by=manager,
        )
    assert refused.value.reasons == [
        "Question 1 (I stay at home most of the time) has 3 answers; the scale from 0 to 1 needs 2, "
        "one for each point, or none to show the numbers.",
        "An important change of 5 is more than the score can move (2); check the number and the scoring rule.",
    ]
