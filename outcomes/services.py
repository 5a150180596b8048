"""Adding a measure the clinic holds (a licensed questionnaire): checked, then written with its
items in one transaction. Refused with every reason, in sentences the manager can act on."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext

from clinic.refusals import Refused
from outcomes.models import Measure, MeasureItem, MeasureKind, Scoring

MAX_ITEMS = 60
MAX_SCALE_POINTS = 11  # 0–10: the widest scale a patient answers point by point on a phone


@dataclass(frozen=True)
class ItemSpec:
    """One question as the manager writes it, with the words of each answer (optional)."""

    text: str
    answers: list[str] = field(default_factory=list)


def _problems(
    *, name, code, scale_min, scale_max, scoring, mcid, due_at_start, due_every_sessions, due_at_end, items
) -> list[str]:
    reasons = []
    if not name:
        reasons.append(gettext("Give the measure a name."))
    elif Measure.objects.filter(name__iexact=name).exists():
        reasons.append(gettext("There is already a measure called %(name)s.") % {"name": name})
    if not code:
        reasons.append(gettext("Give the measure a short name of letters and numbers, such as odi."))
    elif Measure.objects.filter(code=code).exists():
        reasons.append(gettext("The short name %(code)s is taken by another measure.") % {"code": code})
    if scale_max <= scale_min:
        reasons.append(
            gettext("The highest answer (%(high)s) must be above the lowest (%(low)s).")
            % {"high": scale_max, "low": scale_min}
        )
    elif scale_max - scale_min + 1 > MAX_SCALE_POINTS:
        reasons.append(
            gettext(
                "A scale from %(low)s to %(high)s has %(count)s answers; a patient can choose among %(max)s at most."
            )
            % {"low": scale_min, "high": scale_max, "count": scale_max - scale_min + 1, "max": MAX_SCALE_POINTS}
        )
    if scoring not in Scoring.values:
        reasons.append(gettext("Choose how the answers make the score: sum, mean, or percentage of the maximum."))
    if mcid is None or mcid <= 0:
        reasons.append(gettext("The minimal clinically important difference must be above zero."))
    if not items:
        reasons.append(gettext("Write at least one question, one a line."))
    elif len(items) > MAX_ITEMS:
        reasons.append(
            gettext("%(count)s questions is more than the %(max)s a measure may have.")
            % {"count": len(items), "max": MAX_ITEMS}
        )
    points = scale_max - scale_min + 1
    for number, item in enumerate(items, 1):
        if item.answers and len(item.answers) != points and scale_max > scale_min:
            reasons.append(
                gettext(
                    "Question %(number)s (%(text)s) has %(count)s answers; the scale from %(low)s to %(high)s "
                    "needs %(points)s, one for each point, or none to show the numbers."
                )
                % {
                    "number": number,
                    "text": item.text[:40],
                    "count": len(item.answers),
                    "low": scale_min,
                    "high": scale_max,
                    "points": points,
                }
            )
        if len(item.text) > MeasureItem._meta.get_field("text").max_length:
            reasons.append(
                gettext("Question %(number)s is longer than 300 characters; shorten it.") % {"number": number}
            )
    if scoring in Scoring.values and mcid and mcid > 0 and scale_max > scale_min and items:
        # An MCID larger than the whole range could never be reached.
        if scoring == Scoring.PERCENT_OF_MAX:
            widest = Decimal(100)
        elif scoring == Scoring.MEAN:
            widest = Decimal(scale_max - scale_min)
        else:
            widest = Decimal(len(items) * (scale_max - scale_min))
        if mcid > widest:
            reasons.append(
                gettext(
                    "An important change of %(mcid)s is more than the score can move (%(widest)s); "
                    "check the number and the scoring rule."
                )
                % {"mcid": f"{mcid.normalize():f}", "widest": f"{widest:f}"}
            )
    if not (due_at_start or due_every_sessions or due_at_end):
        reasons.append(gettext("Say when the measure is due: at the start, every few sessions, or at the end."))
    return reasons


@transaction.atomic
def measure_create(
    *,
    name: str,
    code: str,
    scale_min: int,
    scale_max: int,
    scoring: str,
    higher_is_better: bool,
    mcid: Decimal,
    items: list[ItemSpec],
    created_by: AbstractBaseUser,
    instructions: str = "",
    min_label: str = "",
    max_label: str = "",
    mcid_source: str = "",
    due_at_start: bool = True,
    due_every_sessions: int | None = None,
    due_at_end: bool = True,
    licence: str = "",
) -> Measure:
    """Add a questionnaire with its items. The same answer scale serves every item."""
    name, code = name.strip(), slugify(code.strip())
    items = [ItemSpec(i.text.strip(), [a.strip() for a in i.answers if a.strip()]) for i in items if i.text.strip()]
    reasons = _problems(
        name=name,
        code=code,
        scale_min=scale_min,
        scale_max=scale_max,
        scoring=scoring,
        mcid=mcid,
        due_at_start=due_at_start,
        due_every_sessions=due_every_sessions,
        due_at_end=due_at_end,
        items=items,
    )
    if reasons:
        raise Refused(reasons)
    measure = Measure.objects.create(
        name=name,
        code=code,
        kind=MeasureKind.QUESTIONNAIRE,
        instructions=instructions.strip(),
        scale_min=scale_min,
        scale_max=scale_max,
        min_label=min_label.strip(),
        max_label=max_label.strip(),
        scoring=scoring,
        higher_is_better=higher_is_better,
        mcid=mcid,
        mcid_source=mcid_source.strip(),
        due_at_start=due_at_start,
        due_every_sessions=due_every_sessions,
        due_at_end=due_at_end,
        licence=licence.strip(),
        created_by=created_by,
    )
    MeasureItem.objects.bulk_create(
        MeasureItem(measure=measure, position=n, text=item.text, answers=item.answers)
        for n, item in enumerate(items, 1)
    )
    return measure
