"""The trend of one outcome measure over a course, drawn on the server as inline SVG beside the
pain chart (pages.pain_chart: same size, fonts and colours; no script, no style attribute, so
the strict Content-Security-Policy holds). The minimal clinically important difference (MCID) is
marked as a dashed line that far from the first score, in the direction of improvement: a
latest score beyond the line is an important change."""

from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from pages.pain_chart import FONT, GRID, HEIGHT, INK, LEFT, RIGHT, TOP, WIDTH, point_x

BOTTOM = 44
LINE = "#1d7a3a"
MCID = "#8a5a00"
TICKS = 5


def score_text(value) -> str:
    """A score as people write it: 4, 3.5, 42.86."""
    value = Decimal(value)
    return f"{value.quantize(Decimal('0.01')).normalize():f}"


def _at(value: float) -> str:
    return f"{value:.1f}"


def outcome_chart_svg(
    *,
    points: list[tuple[str, Decimal]],
    low: Decimal,
    high: Decimal,
    mcid: Decimal,
    higher_is_better: bool,
    title: str,
    id_prefix: str,
) -> SafeString:
    """Scores in time order (label, score) on an axis from `low` to `high`, with the MCID line."""
    low, high = Decimal(low), Decimal(high)
    span = (high - low) or Decimal(1)

    def y(score) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * float(1 - (Decimal(score) - low) / span)

    count = len(points)
    coords = [(point_x(i, count), y(score), label, score) for i, (label, score) in enumerate(points)]
    ticks = [low + span * n / (TICKS - 1) for n in range(TICKS)]
    grid = format_html_join(
        "",
        '<line x1="{0}" y1="{1}" x2="{2}" y2="{1}" stroke="{3}" stroke-width="1"/>'
        '<text x="{4}" y="{5}" text-anchor="end" font-size="12" fill="{6}">{7}</text>',
        ((LEFT, _at(y(t)), WIDTH - RIGHT, GRID, LEFT - 8, _at(y(t) + 4), INK, score_text(t)) for t in ticks),
    )
    axes = format_html(
        '<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="{3}"/>'
        '<line x1="{0}" y1="{2}" x2="{4}" y2="{2}" stroke="{3}"/>',
        LEFT,
        TOP,
        _at(y(low)),
        INK,
        WIDTH - RIGHT,
    )
    labels = format_html_join(
        "",
        '<text x="{0}" y="{1}" text-anchor="middle" font-size="11" fill="{2}">{3}</text>',
        ((_at(x), _at(y(low) + 18), INK, label) for x, _, label, _ in coords),
    )
    mcid_line, description = "", gettext("%(title)s: no score yet.") % {"title": title}
    if coords:
        first = Decimal(points[0][1])
        target = first + mcid if higher_is_better else first - mcid
        scale = {"title": title, "low": score_text(low), "high": score_text(high)}
        if higher_is_better:
            description = gettext("%(title)s, from %(low)s to %(high)s, higher is better.") % scale
        else:
            description = gettext("%(title)s, from %(low)s to %(high)s, lower is better.") % scale
        scores = "; ".join(f"{label}: {score_text(score)}" for label, score in points)
        description += " " + gettext("Scores: %(scores)s.") % {"scores": scores} + " "
        if low <= target <= high:
            description += gettext("An important change (the MCID) is %(mcid)s: reaching %(target)s.") % {
                "mcid": score_text(mcid),
                "target": score_text(target),
            }
            # The label sits at the left, on the far side of the line from the first score, where
            # no point is: above the line when higher is better, below it otherwise.
            label_y = y(target) - 6 if higher_is_better else y(target) + 15
            mcid_line = format_html(
                '<line class="mcid" x1="{0}" y1="{1}" x2="{2}" y2="{1}" stroke="{3}" stroke-width="2"'
                ' stroke-dasharray="6 4"/>'
                '<text x="{4}" y="{5}" font-size="12" fill="{3}">{6}</text>',
                LEFT,
                _at(y(target)),
                WIDTH - RIGHT,
                MCID,
                LEFT + 6,
                _at(min(max(label_y, TOP + 12), y(low) - 4)),
                gettext("Important change: %(score)s") % {"score": score_text(target)},
            )
        else:
            description += gettext("An important change (the MCID) is %(mcid)s, more than the scale has left.") % {
                "mcid": score_text(mcid)
            }
    line = format_html(
        '<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5" stroke-linejoin="round"/>',
        " ".join(f"{x:.1f},{yy:.1f}" for x, yy, _, _ in coords),
        LINE,
    )
    markers = format_html_join(
        "",
        '<circle cx="{0}" cy="{1}" r="4.5" fill="{2}"><title>{3}: {4}</title></circle>'
        '<text x="{0}" y="{5}" text-anchor="middle" font-size="11" fill="{6}">{4}</text>',
        ((_at(x), _at(yy), LINE, label, score_text(score), _at(yy - 9), INK) for x, yy, label, score in coords),
    )
    legend = format_html(
        '<line x1="{0}" y1="16" x2="{1}" y2="16" stroke="{2}" stroke-width="2.5"/>'
        '<text x="{3}" y="20" font-size="12" fill="{4}">{9}</text>'
        '<line x1="{5}" y1="16" x2="{6}" y2="16" stroke="{7}" stroke-width="2" stroke-dasharray="6 4"/>'
        '<text x="{8}" y="20" font-size="12" fill="{4}">{10}</text>',
        LEFT,
        LEFT + 28,
        LINE,
        LEFT + 34,
        INK,
        LEFT + 110,
        LEFT + 138,
        MCID,
        LEFT + 144,
        gettext("Score"),
        gettext("Important change from the first score (MCID)"),
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="pain-chart outcome-chart" viewBox="0 0 {w} {h}" width="{w}"'
        ' height="{h}" role="img" aria-labelledby="{id}-title {id}-desc" font-family="{font}">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        "{grid}{axes}{labels}{legend}{mcid}{line}{markers}</svg>",
        w=WIDTH,
        h=HEIGHT,
        id=id_prefix,
        font=FONT,
        title=title,
        desc=description,
        grid=grid,
        axes=axes,
        labels=labels,
        legend=legend,
        mcid=mcid_line,
        line=line,
        markers=markers,
    )


def trend_charts(trends, *, prefix: str) -> list:
    """Each trend with its `chart` (SVG with the MCID line) and its scores as text (`first_text`,
    `last_text`); the therapist's chart and the portal share them."""
    for trend in trends:
        trend.first_text, trend.last_text = score_text(trend.points[0][1]), score_text(trend.points[-1][1])
        trend.chart = outcome_chart_svg(
            points=trend.points,
            low=trend.low,
            high=trend.high,
            mcid=trend.measure.mcid,
            higher_is_better=trend.measure.higher_is_better,
            title=trend.measure.name,
            id_prefix=f"{prefix}-{trend.measure.pk}",
        )
    return trends
