"""The patient list's rows, written in Python rather than by the template once per patient: the
search is the front desk's most asked page, and the template engine spent about a third of its
time on the page's 25 rows (docs/PERFORMANCE.md, thirteenth round). The day board's cards and the
chart's notes are written the same way.

The markup is the one reception/_patient_results.html wrote. Every message is a literal gettext()
call, so `make messages` keeps finding it; what people typed (names, phones, e-mail addresses) is
escaped."""

from collections.abc import Iterable

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext

from pages.page_tags import email_breaks
from pages.routes import url_pattern
from patients.models import Patient

NONE = "—"


def patient_rows_html(patients: Iterable[Patient], *, book_query: str | None = None) -> SafeString:
    """One table row per patient: the name linking to the overview, the phone and e-mail address
    folded under it on a phone, the date of birth, the phone, the e-mail address, and the Edit
    button; with `book_query` (a free cell of the day board chose a time: the booking page's
    query) a Book button first."""
    overview, edit = url_pattern("reception:patient_overview"), url_pattern("reception:patient_edit")
    # The buttons' words, translated once for the page; only the patient's name differs.
    edit_label = gettext('Edit<span class="visually-hidden"> %(patient)s</span>')
    book = book_label = book_rest = ""
    if book_query is not None:
        book, book_rest = f"{reverse('booking:appointment_book')}?patient=", f"&amp;{escape(book_query)}"
        book_label = pgettext("verb", 'Book<span class="visually-hidden"> %(patient)s</span>')
    rows = []
    for patient in patients:
        pk, name = patient.pk, {"patient": escape(str(patient))}
        phone = escape(patient.phone) if patient.phone else ""
        email = email_breaks(patient.email) if patient.email else ""
        folded = (f'<div class="text-nowrap">{phone}</div>' if phone else "") + (f"<div>{email}</div>" if email else "")
        born = patient.date_of_birth
        book_button = ""
        if book:
            book_button = f'<a class="btn btn-sm btn-primary" href="{book}{pk}{book_rest}">{book_label % name}</a> '
        rows.append(
            "<tr>"
            f'<td><a href="{overview.format(pk=pk)}">{escape(patient.last_name)}, {escape(patient.first_name)}</a>'
            f'<div class="d-md-none small">{folded}</div></td>'
            f'<td class="text-nowrap">{born.day:02d}.{born.month:02d}.{born.year:04d}</td>'
            f'<td class="text-nowrap d-none d-md-table-cell">{phone or NONE}</td>'
            f'<td class="d-none d-md-table-cell">{email or NONE}</td>'
            f'<td class="text-end text-nowrap">{book_button}'
            f'<a class="btn btn-sm btn-outline-secondary" href="{edit.format(pk=pk)}">{edit_label % name}</a></td>'
            "</tr>"
        )
    return mark_safe("\n".join(rows))
