"""The chart's session notes, written in Python rather than through a template included once per
note: a long-treated patient has dozens of notes, and the template engine spent about half a
millisecond on each (pages.reception.board writes the day board's cards the same way).

The markup is the one the chart's note template wrote. Every string is the same message as
before and is marked with a literal gettext() call, so `make messages` keeps finding it; what a
person typed (the notes, the addenda, names) is escaped.
"""

from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext

from sessions.models import SessionNote

DASH = "–"
ARROW = conditional_escape(" → ")


class _Page:
    """What every note repeats, translated and escaped once for the page (as {% translate %}
    writes a message: translated, then escaped), and the formats of its dates."""

    def __init__(self, reader_id: int):
        self.reader_id = reader_id
        self.pain = escape(gettext("Pain"))
        self.stopped_early = escape(gettext("Stopped early"))
        self.draft = escape(gettext("Your draft, not signed"))
        self.not_signed_yet = escape(gettext("Started by you, not signed yet"))
        self.open_note = escape(gettext("Open the note"))
        self.continue_note = escape(gettext("Continue the note"))
        self.areas = escape(gettext("Areas"))
        self.techniques = escape(gettext("Techniques"))
        self.oils = escape(gettext("Oils"))
        self.no_oils = escape(gettext("none"))
        self.subjective = escape(gettext("Subjective"))
        self.objective = escape(gettext("Objective"))
        self.assessment = escape(gettext("Assessment"))
        self.plan = escape(gettext("Plan"))
        self.for_patient = escape(gettext("For the patient"))
        self.addenda = escape(gettext("Addenda"))
        self.session_time = gettext("D j M Y, H:i")
        self.time = gettext("j M Y, H:i")


def _date(moment, format_string: str) -> str:
    """`moment` as the template's date filter writes it: in the current time zone, escaped."""
    if moment in (None, ""):
        return ""
    return escape(date_format(template_localtime(moment), format_string))


def _name(user) -> str:
    """The full name, or the username when there is none, escaped."""
    if user is None:
        return ""
    return escape(user.get_full_name() or user.get_username())


def _score(value) -> str:
    return DASH if value is None else escape(value)


def _typed(text: str) -> str:
    """Typed text with its line breaks, or a dash when there is none."""
    return linebreaksbr(text, autoescape=True) or DASH


def chart_notes_html(notes: list[SessionNote], *, reader_id: int) -> SafeString:
    """Each note as a <details> block, open when the view set `open_on_chart`, with the areas the
    view put in `area_labels`; the reader's own notes link to their editing page."""
    page = _Page(reader_id)
    return mark_safe("".join(_note_html(note, page) for note in notes))


def _note_html(note: SessionNote, page: _Page) -> str:
    appointment = note.appointment
    signed = note.is_signed
    before, after = _score(note.pain_before), _score(note.pain_after)
    stopped_badge = stopped_row = draft_badge = edit = addenda = ""
    if note.stopped_early:
        stopped_badge = f'<span class="badge text-bg-danger">{page.stopped_early}</span>'
        stopped_row = (
            f'<dt class="col-sm-3 text-danger">{page.stopped_early}</dt>'
            f'<dd class="col-sm-9 text-danger">{escape(note.stopped_early_reason)}</dd>'
        )
    if signed:
        signature = gettext("Signed by %(name)s on %(signed_at)s") % {
            "name": _name(note.signed_by),
            "signed_at": _date(note.signed_at, page.time),
        }
    else:
        draft_badge = f'<span class="badge text-bg-warning">{page.draft}</span>'
        signature = page.not_signed_yet
    if note.author_id == page.reader_id:
        url = conditional_escape(reverse("therapist:note_edit", args=[appointment.pk]))
        action = page.open_note if signed else page.continue_note
        edit = f'<a class="btn btn-sm btn-outline-primary" href="{url}">{action}</a>'
    pain = gettext("%(before)s before → %(after)s after") % {"before": before, "after": after}
    areas = ARROW.join(conditional_escape(label) for label in note.area_labels) or DASH
    techniques = escape(note.techniques) if note.techniques else DASH
    oils = escape(note.oils_used) if note.oils_used else page.no_oils
    if note.addendum_list:
        addenda = _addenda_html(note.addendum_list, page)
    return (
        f'<details class="chart-note border rounded mb-2{"" if signed else " note-draft"}" id="note-{note.pk}"'
        f"{' open' if note.open_on_chart else ''}>\n"
        '  <summary class="d-flex flex-wrap align-items-center gap-2 px-3 py-2">\n'
        f'    <span class="fw-semibold me-auto">{_date(appointment.starts_at, page.session_time)} · '
        f"{escape(appointment.modality)} · {escape(appointment.therapist)}</span>\n"
        f"    <span>{page.pain} <strong>{before} → {after}</strong></span>\n"
        f"    {stopped_badge}\n"
        f"    {draft_badge}\n"
        "  </summary>\n"
        '  <div class="px-3 pb-3">\n'
        '    <div class="d-flex flex-wrap align-items-center gap-2 mb-2 small text-muted">\n'
        f'      <span class="me-auto">{signature}</span>\n'
        f"      {edit}\n"
        "    </div>\n"
        '    <dl class="row small mb-2">\n'
        f'      <dt class="col-sm-3">{page.pain}</dt><dd class="col-sm-9">{pain}'
        ' <span class="text-muted">(0–10)</span></dd>\n'
        f'      <dt class="col-sm-3">{page.areas}</dt><dd class="col-sm-9">{areas}</dd>\n'
        f'      <dt class="col-sm-3">{page.techniques}</dt><dd class="col-sm-9">{techniques}</dd>\n'
        f'      <dt class="col-sm-3">{page.oils}</dt><dd class="col-sm-9">{oils}</dd>\n'
        f"      {stopped_row}\n"
        f'      <dt class="col-sm-3">{page.subjective}</dt><dd class="col-sm-9">{_typed(note.subjective)}</dd>\n'
        f'      <dt class="col-sm-3">{page.objective}</dt><dd class="col-sm-9">{_typed(note.objective)}</dd>\n'
        f'      <dt class="col-sm-3">{page.assessment}</dt><dd class="col-sm-9">{_typed(note.assessment)}</dd>\n'
        f'      <dt class="col-sm-3">{page.plan}</dt><dd class="col-sm-9">{_typed(note.plan)}</dd>\n'
        f'      <dt class="col-sm-3">{page.for_patient}</dt><dd class="col-sm-9">{_typed(note.patient_summary)}</dd>\n'
        "    </dl>\n"
        f"    {addenda}\n"
        "  </div>\n"
        "</details>\n"
    )


def _addenda_html(addenda, page: _Page) -> str:
    items = "".join(
        "\n"
        f'        <li class="mb-1"><span class="text-muted">{_date(addendum.created_at, page.time)}, '
        f"{_name(addendum.author)}:</span> {linebreaksbr(addendum.text, autoescape=True)}</li>\n"
        "        "
        for addendum in addenda
    )
    return (
        "\n"
        '    <div class="small border-top pt-2">\n'
        f'      <h3 class="h6">{page.addenda}</h3>\n'  # under the section's h2: no level skipped
        '      <ul class="list-unstyled mb-0">\n'
        f"        {items}\n"
        "      </ul>\n"
        "    </div>\n"
        "    "
    )
