"""The chart shows each outcome measure's trend beside the pain chart, with the MCID marked and
whether the change reached it."""

from decimal import Decimal
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from outcomes.models import FUNCTION_CODE, Measure
from pages.outcome_chart import outcome_chart_svg
from sessions.models import OutcomeOccasion, OutcomeScore
from tests.factories import CourseFactory, local
from tests.scenes import shows

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def psfs(db):
    return Measure.objects.get(code=FUNCTION_CODE)


def scored(course, measure, *scores):
    for n, score in enumerate(scores):
        OutcomeScore.objects.create(
            patient=course.patient,
            course=course,
            measure=measure,
            occasion=OutcomeOccasion.START if n == 0 else OutcomeOccasion.DURING,
            sessions_done=4 * n,
            answers=[{"activity": "Walking", "rating": int(score)}],
            score=Decimal(score),
            recorded_at=local(2026, 3, 2 + 7 * n, 9),
            recorded_by=course.prescribed_by,
        )


def test_the_chart_shows_the_trend_with_the_mcid(as_lena, maria, massage, psfs):
    course = CourseFactory(patient=maria, modality=massage)
    scored(course, psfs, "3", "4", "6")

    html = shows(
        as_lena.get(reverse("chart:patient_chart", args=[maria.pk])),
        "Outcome measures",
        "Patient-specific functional scale",
        "3 → 6: 3 points better; the important change (MCID) is 2: <strong>reached</strong>.",
        "Higher is better.",
        status=200,
    )
    assert 'class="mcid"' in html and "Important change: 5" in html


def test_without_scores_the_chart_says_so(as_lena, maria):
    shows(as_lena.get(reverse("chart:patient_chart", args=[maria.pk])), "has not filled in an outcome measure yet")


def test_the_trend_svg_is_well_formed_and_described(psfs):
    svg = outcome_chart_svg(
        points=[("2 Mar", Decimal("3.5")), ("9 Mar", Decimal("7"))],
        low=Decimal(0),
        high=Decimal(10),
        mcid=psfs.mcid,
        higher_is_better=True,
        title="Patient-specific <functional> scale",
        id_prefix="t",
    )
    root = ElementTree.fromstring(str(svg))
    assert root.find(f"{SVG}title").text == "Patient-specific <functional> scale"
    desc = root.find(f"{SVG}desc").text
    assert "Scores: 2 Mar: 3.5; 9 Mar: 7." in desc and "reaching 5.5" in desc
    (line,) = [e for e in root.iter(f"{SVG}line") if e.get("class") == "mcid"]
    assert line.get("stroke-dasharray") == "6 4"
    assert not [e for e in root.iter() if e.get("style") is not None]


def test_an_mcid_beyond_the_scale_is_described_not_drawn():
    svg = outcome_chart_svg(
        points=[("2 Mar", Decimal(9))], low=0, high=10, mcid=Decimal(2), higher_is_better=True, title="T", id_prefix="t"
    )
    assert 'class="mcid"' not in str(svg)
    assert "more than the scale has left" in str(svg)
