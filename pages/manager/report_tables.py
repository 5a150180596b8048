"""The reports as the manager's page shows them and as CSV: each report becomes one table
(headings and rows, the same for the page and the download) with its chart."""

import csv
from dataclasses import dataclass
from functools import partial
from io import StringIO

from django.conf import settings
from django.http import HttpResponse
from django.utils.formats import date_format, localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from clinic.side_by_side import side_by_side
from pages.report_charts import WEEKDAYS, bar_chart_svg, heat_map_svg, number_text
from sessions import reports
from sessions.reports import ReportFilter


@dataclass
class Table:
    slug: str
    title: str
    lead: str
    headings: list[str]
    rows: list[list]
    chart: SafeString | str = ""

    def body(self) -> SafeString:
        """The rows as the page's table shows them: the first cell heads its row, an empty cell is
        a dash, every value localised and escaped as the template's `{{ }}` does. Made here, not in
        the template: a year's tables have some 400 rows, which nested template loops took about
        20 ms to write (docs/PERFORMANCE.md, "Eleventh round")."""
        return mark_safe(
            "".join(
                f'<tr><th scope="row">{conditional_escape(localize(row[0]))}</th>'
                + "".join(f"<td>{'–' if cell is None else conditional_escape(localize(cell))}</td>" for cell in row[1:])
                + "</tr>"
                for row in self.rows
            )
        )


def _utilisation(scope: ReportFilter) -> Table:
    use = reports.report_utilisation(scope=scope)
    rows = [
        *[[gettext("Therapist"), r.name, r.booked_hours, r.working_hours, r.share] for r in use["therapists"]],
        *[[gettext("Room"), r.name, r.booked_hours, r.working_hours, r.share] for r in use["rooms"]],
    ]
    top = max([100, *[r[4] or 0 for r in rows]])
    chart = bar_chart_svg(
        [(f"{r[1]}", [r[4]]) for r in rows],
        series=[gettext("Utilisation")],
        maximum=top,
        unit=" %",
        title=gettext("Utilisation: booked over working hours"),
        id_prefix="chart-utilisation",
    )
    return Table(
        "utilisation",
        gettext("Utilisation"),
        gettext(
            "Booked time (sessions not cancelled; a no-show kept its slot) over working time: the therapists' "
            "hours minus closures; a room's is the time the clinic is open."
        ),
        [gettext("Kind"), gettext("Name"), gettext("Booked hours"), gettext("Working hours"), gettext("Utilisation %")],
        rows,
        chart,
    )


def _cancellations(scope: ReportFilter) -> Table:
    rows = reports.report_cancellations(scope=scope)
    chart = bar_chart_svg(
        [(r.name, [r.in_time_share, r.late_share, r.no_show_share]) for r in rows],
        series=[gettext("Cancelled in time"), gettext("Cancelled late"), gettext("No-show")],
        maximum=100,
        unit=" %",
        title=gettext("Cancellations and no-shows, share of the sessions booked"),
        id_prefix="chart-cancellations",
    )
    return Table(
        "cancellations",
        gettext("Cancellations and no-shows"),
        # Translators: the English text says "hours" even for one hour.
        ngettext(
            "Sessions booked for the period. Late: cancelled within %(hours)s hours of the start (the clinic's "
            "notice period).",
            "Sessions booked for the period. Late: cancelled within %(hours)s hours of the start (the clinic's "
            "notice period).",
            settings.CANCELLATION_NOTICE_HOURS,
        )
        % {"hours": settings.CANCELLATION_NOTICE_HOURS},
        [
            gettext("Therapist"),
            gettext("Booked"),
            gettext("Cancelled in time"),
            gettext("In time %"),
            gettext("Cancelled late"),
            gettext("Late %"),
            gettext("No-shows"),
            gettext("No-show %"),
        ],
        [
            [
                r.name,
                r.booked,
                r.cancelled_in_time,
                r.in_time_share,
                r.cancelled_late,
                r.late_share,
                r.no_shows,
                r.no_show_share,
            ]
            for r in rows
        ],  # fmt: skip
        chart,
    )


def _new_patients(scope: ReportFilter) -> Table:
    months = reports.report_new_patients(scope=scope)
    rows = [[date_format(month, gettext("F Y")), count] for month, count in months]
    chart = bar_chart_svg(
        [(label, [count]) for label, count in rows],
        series=[gettext("New patients")],
        title=gettext("New patients per month"),
        id_prefix="chart-new-patients",
    )
    return Table(
        "new_patients",
        gettext("New patients"),
        gettext("Patients whose first session ever (not cancelled) was in the period."),
        [gettext("Month"), gettext("New patients")],
        rows,
        chart,
    )


def _courses(scope: ReportFilter) -> Table:
    rows = reports.report_courses(scope=scope)
    chart = bar_chart_svg(
        [(r.name, [r.completed, r.closed_early, r.dropped, r.ongoing]) for r in rows],
        series=[gettext("Completed"), gettext("Closed early"), gettext("Dropped off"), gettext("Still going")],
        title=gettext("Courses started in the period, by what became of them"),
        id_prefix="chart-courses",
    )
    return Table(
        "courses",
        gettext("Course completion and drop-off"),
        gettext("Courses that started in the period. Closed early: closed below the prescribed minimum. Dropped off: "
                "still open, nothing booked and no session for three weeks."),
        [gettext("Modality"), gettext("Started"), gettext("Completed"), gettext("Closed early"), gettext("Dropped off"),
         gettext("Still going"), gettext("Completed %"), gettext("Closed early or dropped %")],
        [[r.name, r.started, r.completed, r.closed_early, r.dropped, r.ongoing, r.completed_share, r.dropped_share]
         for r in rows],
    chart)  # fmt: skip


def _outcomes(scope: ReportFilter, by: str, rows: list[reports.OutcomeRow] | None = None) -> Table:
    if rows is None:
        rows = reports.report_outcomes(scope=scope, by=by)
    if by == "diagnosis":
        what = gettext("Diagnosis (ICD-10)")
        chart_title = gettext("Share of courses reaching the important change, per diagnosis")
        title = gettext("Outcomes per diagnosis")
    else:
        what = gettext("Modality")
        chart_title = gettext("Share of courses reaching the important change, per modality")
        title = gettext("Outcomes per modality")
    chart = bar_chart_svg(
        [(r.name, [r.pain_reached_share, r.function_reached_share]) for r in rows],
        series=[gettext("Pain"), gettext("Function")],
        grouped=True,
        maximum=100,
        unit=" %",
        title=chart_title,
        id_prefix=f"chart-outcomes-{by}",
    )
    return Table(
        f"outcomes_{by}",
        title,
        gettext("Courses with a session held in the period. Pain: before the first session to after the last "
                "(improvement in points, lower pain is better). Function: the patient-specific functional scale, "
                "first score to latest, for courses scored twice or more. MCID: the minimal clinically important "
                "difference."),
        [what, gettext("Courses"), gettext("Pain: courses"), gettext("Pain: mean improvement"),
         gettext("Pain: reached MCID"), gettext("Pain: reached %"), gettext("Function: courses"),
         gettext("Function: mean improvement"), gettext("Function: reached MCID"), gettext("Function: reached %")],
        [[r.name, r.courses, r.pain_courses, r.pain_change, r.pain_reached, r.pain_reached_share,
          r.function_courses, r.function_change, r.function_reached, r.function_reached_share] for r in rows],
        chart,
    )  # fmt: skip


def _busy_hours(scope: ReportFilter) -> Table:
    busy = reports.report_busy_hours(scope=scope)
    rows = [[str(WEEKDAYS[day]), f"{hour:02d}:00", busy.counts[(day, hour)]] for day, hour in sorted(busy.counts)]
    chart = heat_map_svg(
        busy.counts, busy.hours, title=gettext("Busy hours: sessions by weekday and hour"), id_prefix="chart-busy"
    )
    return Table(
        "busy_hours",
        gettext("Busy hours"),
        gettext("Sessions (not cancelled) by the weekday and hour they start, in the clinic's time."),
        [gettext("Weekday"), gettext("Hour"), gettext("Sessions")],
        rows,
        chart,
    )


REPORTS = {
    "utilisation": _utilisation,
    "cancellations": _cancellations,
    "new_patients": _new_patients,
    "courses": _courses,
    "outcomes_modality": lambda scope: _outcomes(scope, "modality"),
    "outcomes_diagnosis": lambda scope: _outcomes(scope, "diagnosis"),
    "busy_hours": _busy_hours,
}


def report_tables(scope: ReportFilter) -> list[Table]:
    """Every report, their six queries side by side (clinic.side_by_side), each in its own
    `custom_plans()`. The outcomes per modality and per diagnosis come from one query: each
    course's figures are the same in both, grouped twice."""

    def outcomes() -> list[Table]:
        grouped = reports.report_outcomes_grouped(scope=scope, groupings=("modality", "diagnosis"))
        return [_outcomes(scope, by, rows) for by, rows in grouped.items()]

    jobs = {name: partial(build, scope) for name, build in REPORTS.items() if not name.startswith("outcomes_")}
    # The two longest first (about twice the others for a year), so that neither waits for a free
    # thread while shorter ones run.
    jobs = {"outcomes": outcomes, "new_patients": jobs.pop("new_patients"), **jobs}
    done = side_by_side(jobs, using=reports.reads_from(), within=reports.custom_plans)
    tables = {table.slug: table for table in [*done.pop("outcomes"), *done.values()]}
    return [tables[name] for name in REPORTS]


def _cell(value) -> str:
    """A cell as text. A spreadsheet would run a cell that starts with = + - or @ as a formula:
    such text (a name someone typed) gets a leading apostrophe; numbers go as they are."""
    if value is None:
        return ""
    text = number_text(value) if not isinstance(value, str) else value
    if isinstance(value, str) and text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def csv_response(table: Table, scope: ReportFilter) -> HttpResponse:
    out = StringIO()
    writer = csv.writer(out)
    writer.writerow(table.headings)
    for row in table.rows:
        writer.writerow([_cell(value) for value in row])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"{table.slug}-{scope.starts_on:%Y%m%d}-{scope.ends_on:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
