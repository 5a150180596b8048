"""The chart's session notes are written in Python (pages.chart.notes_html), not by a template:
what people typed is escaped there as a template would, and the labels come in the reader's
language."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from pages.chart.notes_html import chart_notes_html
from sessions.notes import session_notes_for_chart
from tests.conftest import client_for
from tests.factories import AddendumFactory, AppointmentFactory, SessionNoteFactory
from tests.scenes import url_of

pytestmark = pytest.mark.django_db

url = url_of("chart:patient_chart")


@pytest.fixture
def typed_note(maria, lena, massage):
    visit = AppointmentFactory(
        patient=maria,
        therapist=lena,
        modality=massage,
        starts_at=timezone.now() - dt.timedelta(days=3),
        status="completed",
    )
    note = SessionNoteFactory(
        appointment=visit,
        signed_at=visit.starts_at + dt.timedelta(hours=1),
        signed_by=lena.user,
        subjective='Felt <b>better</b> & "lighter"\nSlept well.',
        techniques="<script>alert(1)</script>",
        oils_used="",
        plan="",
    )
    AddendumFactory(note=note, author=lena.user, text="Called back:\nfine <i>now</i>")
    return note


def test_what_was_typed_is_escaped_with_its_line_breaks(maria, lena, typed_note):
    content = client_for(lena.user).get(url(maria)).content.decode()
    assert "Felt &lt;b&gt;better&lt;/b&gt; &amp; &quot;lighter&quot;<br>Slept well." in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "<script>alert(1)" not in content
    assert "Called back:<br>fine &lt;i&gt;now&lt;/i&gt;</li>" in content
    # No oils: "none"; no plan: a dash.
    assert '<dt class="col-sm-3">Oils</dt><dd class="col-sm-9">none</dd>' in content
    assert '<dt class="col-sm-3">Plan</dt><dd class="col-sm-9">–</dd>' in content


def test_the_labels_are_in_the_readers_language(maria, lena, typed_note):
    notes = session_notes_for_chart(patient=maria, reader=lena.user)
    for note in notes:
        note.area_labels, note.open_on_chart = [], True
    with translation.override("de"):
        german = str(chart_notes_html(notes, reader_id=lena.user.pk))
    assert '<dt class="col-sm-3">Subjektiv</dt>' in german
    assert '<dt class="col-sm-3">Subjective</dt>' not in german
