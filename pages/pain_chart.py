"""Charts drawn on the server as inline SVG: no chart library, no script, nothing a strict
Content-Security-Policy would block. The therapist's chart and the patient portal share them."""

import math

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext, gettext_lazy, ngettext

# One session as the chart shows it: its label (the date), pain before, pain after (0–10).
PainPoint = tuple[str, int | None, int | None]

# Drawn for a phone: the image scales to its column (clinic.css caps it on a wide screen), so the
# drawing is about as wide as a phone's column and its text about the size of the page's small
# print there (a 640-wide drawing shrank its 11-unit dates to 6 px on a 390 px phone).
WIDTH, HEIGHT = 360, 250
# Room for the scores on the left, the legend's two lines on top and the dates below.
LEFT, RIGHT, TOP, BOTTOM = 46, 12, 56, 40
# The first and last session sit a little inside the axes so their markers stay whole.
INSET = 14
PAIN_MAX = 10
PAIN_TICKS = range(0, PAIN_MAX + 1, 2)
MAX_DATE_LABELS = 5
TEXT_SIZE, DATE_SIZE = 14, 13
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
INK, GRID = "#495057", "#dee2e6"
# Colour is never the only cue: "before" is a solid line with round markers, "after" a dashed
# line with square ones. Each series: its class, colour, dashes, legend and a marker's title.
BEFORE = (
    "pain-before",
    "#b42318",
    "none",
    gettext_lazy("Pain before the session"),
    gettext_lazy("%(date)s: %(score)s before the session"),
)
AFTER = (
    "pain-after",
    "#0b5cad",
    "7 4",
    gettext_lazy("Pain after the session"),
    gettext_lazy("%(date)s: %(score)s after the session"),
)
DEFAULT_TITLE = gettext_lazy("Pain before and after each session")


def pain_y(score: float) -> float:
    """0 sits on the x axis, 10 at the top of the plot."""
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - score / PAIN_MAX)


def point_x(index: int, count: int) -> float:
    first, last = LEFT + INSET, WIDTH - RIGHT - INSET
    if count <= 1:
        return (first + last) / 2
    return first + (last - first) * index / (count - 1)


def pain_chart_svg(points: list[PainPoint], *, title: str = DEFAULT_TITLE, id_prefix: str = "pain-chart") -> SafeString:
    """The pain scores of a course of sessions, in time order, as an accessible SVG image.

    Two lines on a 0–10 scale, one for the score before each session and one for after it; a
    session without one of the scores is left out of that line only. Every label is escaped.
    """
    count = len(points)
    before = _coordinates(points, 1)
    after = _coordinates(points, 2)
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="pain-chart" viewBox="0 0 {width} {height}"'
        ' width="{width}" height="{height}" role="img" aria-labelledby="{id}-title {id}-desc"'
        ' font-family="{font}">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        "{grid}{axes}{dates}{legend}{lines}{markers}{empty}</svg>",
        width=WIDTH,
        height=HEIGHT,
        id=id_prefix,
        font=FONT,
        title=title,
        desc=_description(points),
        grid=_grid(),
        axes=_axes(),
        dates=_date_labels(points),
        legend=_legend(),
        lines=_polyline(before, BEFORE) + _polyline(after, AFTER),
        markers=_markers(before, BEFORE, square=False) + _markers(after, AFTER, square=True),
        empty=_empty_note() if not count else "",
    )


def _coordinates(points: list[PainPoint], which: int) -> list[tuple[float, float, str, int]]:
    """(x, y, label, score) of every session that has a score at `which` (1 before, 2 after)."""
    count = len(points)
    return [
        (point_x(index, count), pain_y(point[which]), point[0], point[which])
        for index, point in enumerate(points)
        if point[which] is not None
    ]


def _description(points: list[PainPoint]) -> str:
    if not points:
        return gettext("No pain score has been recorded yet.")
    first, last = points[0], points[-1]
    if len(points) > 1:
        text = ngettext(
            "Pain on a scale from 0 (none) to 10 (worst) over %(count)s session, from %(first)s to %(last)s.",
            "Pain on a scale from 0 (none) to 10 (worst) over %(count)s sessions, from %(first)s to %(last)s.",
            len(points),
        ) % {"count": len(points), "first": first[0], "last": last[0]}
    else:
        text = gettext("Pain on a scale from 0 (none) to 10 (worst) over 1 session, on %(day)s.") % {"day": first[0]}
    if first[1] is not None:
        text += " " + gettext("Before the first session: %(score)s.") % {"score": first[1]}
    if last[2] is not None:
        text += " " + gettext("After the last session: %(score)s.") % {"score": last[2]}
    return text


def _grid() -> SafeString:
    return format_html_join(
        "",
        '<line x1="{0}" y1="{1}" x2="{2}" y2="{1}" stroke="{3}" stroke-width="1"/>'
        '<text x="{4}" y="{5}" text-anchor="end" font-size="{8}" fill="{6}">{7}</text>',
        (
            (
                LEFT,
                f"{pain_y(tick):.1f}",
                WIDTH - RIGHT,
                GRID,
                LEFT - 6,
                f"{pain_y(tick) + 5:.1f}",
                INK,
                tick,
                TEXT_SIZE,
            )
            for tick in PAIN_TICKS
        ),
    )


def _axes() -> SafeString:
    bottom = pain_y(0)
    middle = (TOP + bottom) / 2
    return format_html(
        '<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="{ink}" stroke-width="1"/>'
        '<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="{ink}" stroke-width="1"/>'
        '<text x="13" y="{middle}" text-anchor="middle" font-size="{size}" fill="{ink}"'
        ' transform="rotate(-90 13 {middle})">{label}</text>',
        label=gettext("Pain (0–10)"),
        left=LEFT,
        top=TOP,
        bottom=f"{bottom:.1f}",
        right=WIDTH - RIGHT,
        ink=INK,
        middle=f"{middle:.1f}",
        size=TEXT_SIZE,
    )


def _date_labels(points: list[PainPoint]) -> SafeString:
    """The session dates under the x axis; with many sessions only every few, and always the last."""
    count = len(points)
    step = max(1, math.ceil(count / MAX_DATE_LABELS))
    shown = [i for i in range(count) if i % step == 0 or i == count - 1]
    if len(shown) > 1 and shown[-1] - shown[-2] < step:
        del shown[-2]  # keep the last date from overlapping the one before it
    return format_html_join(
        "",
        '<text x="{0}" y="{1}" text-anchor="middle" font-size="{4}" fill="{2}">{3}</text>',
        ((f"{point_x(i, count):.1f}", f"{pain_y(0) + 24:.1f}", INK, points[i][0], DATE_SIZE) for i in shown),
    )


def _legend() -> SafeString:
    """One line each, above the plot: side by side they would not fit a phone's width."""
    return format_html_join(
        "",
        '<line x1="{0}" y1="{1}" x2="{2}" y2="{1}" stroke="{3}" stroke-width="2.5" stroke-dasharray="{4}"/>'
        '<text x="{5}" y="{6}" font-size="{9}" fill="{7}">{8}</text>',
        (
            (LEFT, y, LEFT + 28, colour, dash, LEFT + 34, y + 5, INK, legend, TEXT_SIZE)
            for y, (_, colour, dash, legend, _) in ((14, BEFORE), (34, AFTER))
        ),
    )


def _polyline(coordinates, series) -> SafeString:
    css_class, colour, dash, _, _ = series
    return format_html(
        '<polyline class="{}" points="{}" fill="none" stroke="{}" stroke-width="2.5" stroke-dasharray="{}"'
        ' stroke-linejoin="round"/>',
        css_class,
        " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in coordinates),
        colour,
        dash,
    )


def _markers(coordinates, series, *, square: bool) -> SafeString:
    _, colour, _, _, title = series
    if square:
        shape = '<rect x="{0}" y="{1}" width="8" height="8" fill="{2}"><title>{3}</title></rect>'
        offset = 4.0
    else:
        shape = '<circle cx="{0}" cy="{1}" r="4" fill="{2}"><title>{3}</title></circle>'
        offset = 0.0
    return format_html_join(
        "",
        shape,
        (
            (f"{x - offset:.1f}", f"{y - offset:.1f}", colour, title % {"date": label, "score": score})
            for x, y, label, score in coordinates
        ),
    )


def _empty_note() -> SafeString:
    return format_html(
        '<text x="{}" y="{}" text-anchor="middle" font-size="{}" fill="{}">{}</text>',
        (LEFT + WIDTH - RIGHT) / 2,
        f"{(TOP + pain_y(0)) / 2:.1f}",
        TEXT_SIZE,
        INK,
        gettext("No pain scores recorded yet."),
    )
