"""Signed notes are tamper-evident: signing stores a hash of the signed content, and
`manage.py verify_notes` finds a note changed behind the app's back."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from sessions.models import AppointmentStatus, SessionNote
from sessions.note_seal import note_content_hash
from sessions.notes import session_note_sign
from tests.factories import AppointmentFactory, SessionNoteFactory


def signed_note(**fields) -> SessionNote:
    appointment = AppointmentFactory(
        starts_at=timezone.now().replace(microsecond=0) - dt.timedelta(hours=2), status=AppointmentStatus.COMPLETED
    )
    note = SessionNoteFactory(appointment=appointment, minutes=40, subjective="Pain down the left leg.", **fields)
    return session_note_sign(note=note, signed_by=note.author)


def verify() -> str:
    out = StringIO()
    call_command("verify_notes", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_signing_stores_the_hash_of_the_signed_content():
    note = signed_note()
    stored = SessionNote.objects.get(pk=note.pk)
    assert len(stored.content_hash) == 64
    assert stored.content_hash == note_content_hash(stored)


@pytest.mark.django_db
def test_a_draft_has_no_hash():
    note = SessionNoteFactory()
    assert note.content_hash == ""


@pytest.mark.django_db
def test_the_hash_covers_the_clinical_text_the_scores_and_the_signature():
    note = SessionNote.objects.get(pk=signed_note().pk)
    original = note_content_hash(note)
    for name, value in [
        ("subjective", "Changed."),
        ("plan", "Changed."),
        ("pain_after", 9),
        ("areas_treated", ["calf:left"]),
        ("oils_used", "Lavender"),
        ("stopped_early", True),
        ("patient_summary", "Changed."),
        ("signed_at", note.signed_at + dt.timedelta(seconds=1)),
        ("appointment_id", note.appointment_id + 1000),
    ]:
        copy = SessionNote.objects.get(pk=note.pk)
        setattr(copy, name, value)
        assert note_content_hash(copy) != original, name


@pytest.mark.django_db
def test_it_passes_when_every_signed_note_matches():
    signed_note()
    signed_note()
    SessionNoteFactory()  # a draft is not checked
    assert "All 2 signed notes match" in verify()


@pytest.mark.django_db
def test_it_reports_a_note_changed_behind_the_apps_back_and_exits_with_1():
    intact, tampered = signed_note(), signed_note()
    # QuerySet.update() bypasses the model's guard, as an UPDATE at a database prompt would.
    SessionNote.objects.filter(pk=tampered.pk).update(pain_after=0)
    out = StringIO()
    with pytest.raises(CommandError) as refusal:
        call_command("verify_notes", stdout=out)
    assert refusal.value.returncode == 1
    assert "1 of 2 signed notes changed after signing" in str(refusal.value)
    report = out.getvalue()
    assert f"Note {tampered.pk}:" in report
    assert f"appointment {tampered.appointment_id}" in report
    assert f"patient {tampered.appointment.patient_id}" in report
    assert f"Note {intact.pk}:" not in report


@pytest.mark.django_db
def test_a_cleared_hash_counts_as_a_mismatch():
    note = signed_note()
    SessionNote.objects.filter(pk=note.pk).update(content_hash="")
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_notes", stdout=out)
    assert "no hash stored" in out.getvalue()


@pytest.mark.django_db
def test_the_demo_datas_signed_notes_verify():
    call_command("seed_demo", stdout=StringIO())
    assert SessionNote.objects.filter(signed_at__isnull=False).exists()
    assert "match their signatures" in verify()
