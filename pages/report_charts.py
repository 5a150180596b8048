"""The reports' charts, drawn on the server as inline SVG like the pain chart: horizontal bars
(one or several stacked series per row) and the busy-hours heat map. Only SVG presentation
attributes, never a style attribute or a script, so the page's strict Content-Security-Policy
needs no exception (a chart library such as pygal writes <style> and <script> into its SVG).
Every chart has a title and a description, and the page shows the same figures as a table."""

from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_lazy, ngettext

from pages.pain_chart import FONT, GRID, INK

WIDTH = 640
LABEL_WIDTH = 220
# About the characters of a 12-pixel label that fit left of the bars.
LABEL_CHARS = 32
ROW, GAP, TOP = 24, 8, 34
# Colour-blind-safe (Okabe–Ito); every bar also carries its number, and the table beside it all.
PALETTE = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00"]
WEEKDAYS = [
    gettext_lazy("Mon"),
    gettext_lazy("Tue"),
    gettext_lazy("Wed"),
    gettext_lazy("Thu"),
    gettext_lazy("Fri"),
    gettext_lazy("Sat"),
    gettext_lazy("Sun"),
]


def _at(value: float) -> str:
    return f"{value:.1f}"


def number_text(value) -> str:
    if value is None:
        return "–"
    return f"{Decimal(value).normalize():f}" if isinstance(value, Decimal) else str(value)


def _tag(template: str, *values) -> str:
    """format_html for the charts' elements (a year's reports draw some 1,600): a number goes in
    as it is, anything else escaped as format_html escapes it, at a quarter of the cost, since
    format_html checks every value for a lazy and a safe string."""
    return template.format(*(value if isinstance(value, int | float) else escape(str(value)) for value in values))


def _svg(*, height: int, title: str, desc: str, id_prefix: str, parts: list[str]) -> SafeString:
    """The chart: `parts` are its elements, each made by _tag and so escaped already."""
    opening = _tag(
        '<svg xmlns="http://www.w3.org/2000/svg" class="pain-chart report-chart" viewBox="0 0 {0} {1}"'
        ' width="{0}" height="{1}" role="img" aria-labelledby="{2}-title {2}-desc" font-family="{3}">'
        '<title id="{2}-title">{4}</title><desc id="{2}-desc">{5}</desc>',
        WIDTH,
        height,
        id_prefix,
        FONT,
        title,
        desc,
    )
    return mark_safe(opening + "".join(parts) + "</svg>")  # noqa: S308 (every part escaped by _tag)


def _legend(series: list[str]) -> str:
    if len(series) < 2:
        return ""
    return "".join(
        _tag(
            '<rect x="{0}" y="8" width="12" height="12" fill="{1}"/>'
            '<text x="{2}" y="18" font-size="12" fill="{3}">{4}</text>',
            LABEL_WIDTH + i * 120,
            PALETTE[i % len(PALETTE)],
            LABEL_WIDTH + i * 120 + 16,
            INK,
            name,
        )
        for i, name in enumerate(series)
    )


def _label(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def bar_chart_svg(
    rows: list[tuple[str, list]],
    *,
    series: list[str],
    maximum=None,
    unit: str = "",
    title: str,
    id_prefix: str,
    grouped: bool = False,
) -> SafeString:
    """One horizontal bar per row, its series stacked left to right (None counts as nothing);
    or, `grouped`, one thin bar per series under each other (for figures that do not add up,
    such as two measures' shares). `maximum` fixes the scale (100 for percentages); otherwise
    the largest row total."""
    if grouped:
        return _grouped_bars(rows, series=series, maximum=maximum, unit=unit, title=title, id_prefix=id_prefix)
    totals = [sum(v or 0 for v in values) for _, values in rows]
    top = float(maximum or max(totals, default=0) or 1)
    plot = WIDTH - LABEL_WIDTH - 64
    parts = [_legend(series)]
    for n, (label, values) in enumerate(rows):
        y = TOP + n * (ROW + GAP)
        parts.append(
            _tag(
                '<text x="{0}" y="{1}" text-anchor="end" font-size="12" fill="{2}">{3}</text>'
                '<line x1="{4}" y1="{5}" x2="{6}" y2="{5}" stroke="{7}"/>',
                LABEL_WIDTH - 8,
                y + ROW - 8,
                INK,
                _label(label),
                LABEL_WIDTH,
                y + ROW,
                LABEL_WIDTH + plot,
                GRID,
            )
        )
        x = float(LABEL_WIDTH)
        for i, value in enumerate(values):
            width = plot * float(value or 0) / top
            if width > 0:
                parts.append(
                    _tag(
                        '<rect x="{0}" y="{1}" width="{2}" height="{3}" fill="{4}">'
                        "<title>{5}: {6} {7}{8}</title></rect>",
                        _at(x),
                        y,
                        _at(width),
                        ROW,
                        PALETTE[i % len(PALETTE)],
                        label,
                        series[i],
                        number_text(value),
                        unit,
                    )
                )
            x += width
        shown = values[0] if len(values) == 1 else totals[n]
        parts.append(
            _tag(
                '<text x="{0}" y="{1}" font-size="12" fill="{2}">{3}{4}</text>',
                _at(x + 6),
                y + ROW - 8,
                INK,
                number_text(shown),
                unit if shown is not None else "",
            )
        )
    desc = "; ".join(f"{label}: " + _values_text(series, values, unit) for label, values in rows)
    desc = desc or gettext("No figures for this period.")
    height = TOP + max(len(rows), 1) * (ROW + GAP) + 10
    return _svg(height=height, title=title, desc=desc, id_prefix=id_prefix, parts=parts)


def _grouped_bars(rows, *, series, maximum, unit, title, id_prefix) -> SafeString:
    top = float(maximum or max((v or 0 for _, values in rows for v in values), default=0) or 1)
    plot = WIDTH - LABEL_WIDTH - 64
    bar = 14
    block = bar * len(series) + 2 * (len(series) - 1)
    parts = [_legend(series)]
    for n, (label, values) in enumerate(rows):
        y = TOP + n * (block + GAP + 4)
        parts.append(
            _tag(
                '<text x="{0}" y="{1}" text-anchor="end" font-size="12" fill="{2}">{3}</text>'
                '<line x1="{4}" y1="{5}" x2="{6}" y2="{5}" stroke="{7}"/>',
                LABEL_WIDTH - 8,
                y + block / 2 + 4,
                INK,
                _label(label),
                LABEL_WIDTH,
                y + block + 2,
                LABEL_WIDTH + plot,
                GRID,
            )
        )
        for i, value in enumerate(values):
            bar_y = y + i * (bar + 2)
            width = plot * float(value or 0) / top
            parts.append(
                _tag(
                    '<rect x="{0}" y="{1}" width="{2}" height="{3}" fill="{4}"><title>{5}: {6} {7}{8}</title></rect>'
                    '<text x="{9}" y="{10}" font-size="11" fill="{11}">{7}{8}</text>',
                    LABEL_WIDTH,
                    bar_y,
                    _at(width),
                    bar,
                    PALETTE[i % len(PALETTE)],
                    label,
                    series[i],
                    number_text(value),
                    unit if value is not None else "",
                    _at(LABEL_WIDTH + width + 6),
                    bar_y + bar - 3,
                    INK,
                )
            )
    desc = "; ".join(f"{label}: " + _values_text(series, values, unit) for label, values in rows)
    desc = desc or gettext("No figures for this period.")
    height = TOP + max(len(rows), 1) * (block + GAP + 4) + 10
    return _svg(height=height, title=title, desc=desc, id_prefix=id_prefix, parts=parts)


def _values_text(series: list[str], values: list, unit: str) -> str:
    return ", ".join(
        f"{name} {number_text(value)}{unit if value is not None else ''}"
        for name, value in zip(series, values, strict=True)
    )


def _cell_fill(strength: float) -> str:
    if strength <= 0:
        return "#f1f3f5"
    return f"rgb({int(222 - 210 * strength)},{int(235 - 160 * strength)},{int(247 - 100 * strength)})"


def heat_map_svg(counts: dict[tuple[int, int], int], hours: list[int], *, title: str, id_prefix: str) -> SafeString:
    """Weekdays down, hours across; the darker the cell, the more sessions start in that hour,
    and each cell carries its number."""
    left, top, cell_h = 44, 30, 30
    cell_w = (WIDTH - left - 8) / max(len(hours), 1)
    busiest = max(counts.values(), default=0) or 1
    parts = [
        _tag(
            '<text x="{0}" y="{1}" text-anchor="middle" font-size="11" fill="{2}">{3}</text>',
            _at(left + col * cell_w + cell_w / 2),
            top - 8,
            INK,
            f"{hour:02d}",
        )
        for col, hour in enumerate(hours)
    ]
    for row, day in enumerate(WEEKDAYS):
        y = top + row * cell_h
        parts.append(
            _tag(
                '<text x="{0}" y="{1}" text-anchor="end" font-size="12" fill="{2}">{3}</text>',
                left - 6,
                y + 20,
                INK,
                day,
            )
        )
        for col, hour in enumerate(hours):
            n = counts.get((row, hour), 0)
            strength = n / busiest
            x = left + col * cell_w
            parts.append(
                _tag(
                    '<rect x="{0}" y="{1}" width="{2}" height="{3}" fill="{4}" stroke="#ffffff">'
                    "<title>{5}</title></rect>"
                    '<text x="{6}" y="{7}" text-anchor="middle" font-size="11" fill="{8}">{9}</text>',
                    _at(x),
                    y,
                    _at(cell_w),
                    cell_h,
                    _cell_fill(strength),
                    ngettext("%(day)s %(hour)s:00: %(count)s session", "%(day)s %(hour)s:00: %(count)s sessions", n)
                    % {"day": day, "hour": f"{hour:02d}", "count": n},
                    _at(x + cell_w / 2),
                    y + 19,
                    "#ffffff" if strength > 0.55 else INK,
                    n or "",
                )
            )
    total = sum(counts.values())
    # Translators: the English text says "sessions" even for one.
    desc = ngettext(
        "%(count)s sessions by weekday and starting hour.", "%(count)s sessions by weekday and starting hour.", total
    ) % {"count": total}
    if counts:
        (day, hour), most = max(counts.items(), key=lambda item: item[1])
        desc += " " + gettext("Busiest: %(day)s at %(hour)s:00 with %(count)s.") % {
            "day": WEEKDAYS[day],
            "hour": f"{hour:02d}",
            "count": most,
        }
    return _svg(height=top + 7 * cell_h + 6, title=title, desc=desc, id_prefix=id_prefix, parts=parts)
