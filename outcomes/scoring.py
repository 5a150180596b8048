"""How a measure's answers make a score, how far that score can go, and whether a change between
two scores is clinically important (reaches the measure's MCID). Pure arithmetic on a Measure:
no query, so the portal, the discharge summary and the reports all count the same way."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext, ngettext

from clinic.refusals import Refused
from outcomes.models import Measure, MeasureKind, Scoring

TWO_PLACES = Decimal("0.01")


def _round(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def answers_problems(*, measure: Measure, answers: list[int], item_count: int) -> list[str]:
    """Why these answers cannot be scored, in sentences; empty when they can. `item_count` is
    the number of questions asked (a questionnaire's items, or the activities a patient named)."""
    if measure.kind == MeasureKind.PATIENT_SPECIFIC:
        if not 1 <= len(answers) <= (measure.max_items or 1):
            return [gettext("Name and rate between one and %(max)s activities.") % {"max": measure.max_items}]
    elif len(answers) != item_count:
        return [
            gettext("Answer every question: %(asked)s asked, %(answered)s answered.")
            % {"asked": item_count, "answered": len(answers)}
        ]
    out_of_scale = [n for n, a in enumerate(answers, 1) if not measure.scale_min <= a <= measure.scale_max]
    if out_of_scale:
        numbers = ", ".join(str(n) for n in out_of_scale)
        return [
            gettext("Answers go from %(low)s to %(high)s; answer %(numbers)s is outside that.")
            % {"low": measure.scale_min, "high": measure.scale_max, "numbers": numbers}
        ]
    return []


def measure_score(*, measure: Measure, answers: list[int]) -> Decimal:
    """The score of a full set of answers (checked first with answers_problems):
    sum; mean; or the percentage of the highest possible total, counting from the scale's bottom
    (a 0–5 scale of 10 items answered 2 each: 20 of 50, 40 %). Two decimal places."""
    if not answers:
        raise Refused(gettext("There is nothing to score: no answer was given."))
    total = Decimal(sum(answers))
    count = len(answers)
    if measure.scoring == Scoring.SUM:
        return _round(total)
    if measure.scoring == Scoring.MEAN:
        return _round(total / count)
    span = Decimal(count * (measure.scale_max - measure.scale_min))
    return _round((total - count * measure.scale_min) * 100 / span)


def score_range(*, measure: Measure, item_count: int) -> tuple[Decimal, Decimal]:
    """The lowest and highest score possible: the trend chart's axis."""
    if measure.scoring == Scoring.PERCENT_OF_MAX:
        return Decimal(0), Decimal(100)
    if measure.scoring == Scoring.MEAN or measure.kind != MeasureKind.QUESTIONNAIRE:
        return Decimal(measure.scale_min), Decimal(measure.scale_max)
    count = max(item_count, 1)
    return Decimal(count * measure.scale_min), Decimal(count * measure.scale_max)


@dataclass(frozen=True)
class Change:
    """From a first score to a later one: `improvement` is positive when the patient is better,
    whichever way the measure counts; `reached` says whether it is at least the MCID."""

    first: Decimal
    last: Decimal
    improvement: Decimal
    mcid: Decimal
    reached: bool

    @property
    def words(self) -> str:
        """ "2.5 points better", "1 point worse", "no change"."""
        if self.improvement == 0:
            return gettext("no change")
        size = abs(self.improvement).normalize()
        # The plural form by the whole number; a fraction ("2.5 points") takes the form of 2.
        count = int(size) if size == size.to_integral_value() else 2
        if self.improvement > 0:
            words = ngettext("%(size)s point better", "%(size)s points better", count)
        else:
            words = ngettext("%(size)s point worse", "%(size)s points worse", count)
        return words % {"size": f"{size:f}"}


def score_change(*, measure: Measure, first, last) -> Change:
    """The change from `first` to `last`, and whether it reached the measure's MCID (an
    improvement at least as large as it; a worsening never reaches it)."""
    first, last = Decimal(first), Decimal(last)
    improvement = last - first if measure.higher_is_better else first - last
    return Change(first, last, improvement, measure.mcid, improvement >= measure.mcid)
