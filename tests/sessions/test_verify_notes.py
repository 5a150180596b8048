"""Signed notes are tamper-evident: signing stores a keyed seal (HMAC-SHA256) of the signed
content, the audit log keeps a copy, and `manage.py verify_notes` finds a note changed behind the
app's back, even by someone who can write to the database and recompute a plain hash."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from sessions.models import AppointmentStatus, SessionNote
from sessions.note_seal import note_content_hash, note_seal, note_seal_log_entries, seal_keys
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
def test_signing_stores_the_keyed_seal_of_the_signed_content():
    # Was: a bare SHA-256 (64 hex digits). The seal is now "2:<key id>:<HMAC-SHA256>" (the issue).
    note = signed_note()
    stored = SessionNote.objects.get(pk=note.pk)
    version, key_id, digest = stored.content_hash.split(":")
    assert (version, key_id, len(digest)) == ("2", seal_keys()[0].key_id, 64)
    assert stored.content_hash == note_seal(stored)


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
    assert "1 of 2 signed notes have a problem" in str(refusal.value)
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
    assert "no seal stored" in out.getvalue()


@pytest.mark.django_db
def test_the_demo_datas_signed_notes_verify():
    call_command("seed_demo", stdout=StringIO())
    assert SessionNote.objects.filter(signed_at__isnull=False).exists()
    assert "match their signatures" in verify()


# --- a seal that resists someone who can write to the database -----------------------------------

KEY_A = "a:" + "A" * 40
KEY_B = "b:" + "B" * 40


def problems() -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("verify_notes", stdout=out)
    except CommandError as refusal:
        return refusal.returncode, out.getvalue()
    return 0, out.getvalue()


def rewrite(note, **fields) -> SessionNote:
    """An UPDATE at a database prompt: the row changes, the model's guard never runs."""
    SessionNote.objects.filter(pk=note.pk).update(**fields)
    return SessionNote.objects.get(pk=note.pk)


def rewritten_with_a_recomputed_plain_hash(settings) -> SessionNote:
    note = signed_note()
    changed = rewrite(note, pain_after=0)
    rewrite(note, content_hash=note_content_hash(changed))
    return note


def rewritten_with_a_seal_made_without_the_key(settings) -> SessionNote:
    settings.CLINIC_NOTE_SEAL_KEYS = KEY_A
    note = signed_note()
    changed = rewrite(note, subjective="Rewritten.")
    settings.CLINIC_NOTE_SEAL_KEYS = "a:" + "guessed" * 6  # the attacker's guess at the key
    forged = note_seal(changed)
    settings.CLINIC_NOTE_SEAL_KEYS = KEY_A
    rewrite(note, content_hash=forged)
    return note


def rewritten_with_the_key(settings) -> SessionNote:
    """Even with the key, a rewritten row disagrees with the audit log."""
    note = signed_note()
    changed = rewrite(note, plan="Rewritten.")
    rewrite(note, content_hash=note_seal(changed))
    return note


@pytest.mark.django_db
@pytest.mark.parametrize(
    "tampered, finding",
    [
        (rewritten_with_a_recomputed_plain_hash, "its seal differs from the one the audit log recorded at signing"),
        (rewritten_with_a_seal_made_without_the_key, "content does not match its signature"),
        (rewritten_with_the_key, "its seal differs from the one the audit log recorded at signing"),
    ],
    ids=["recomputed plain hash", "seal made without the key", "seal made with the key"],
)
def test_a_rewritten_row_is_caught(settings, tampered, finding):
    note = tampered(settings)

    status, report = problems()

    assert status == 1
    assert f"Note {note.pk}: {finding}" in report


def signed_without_the_app(seal) -> SessionNote:
    """A note written signed behind the app (bulk data, a script): no signing, no audit entry."""
    appointment = AppointmentFactory(starts_at=timezone.now().replace(microsecond=0) - dt.timedelta(hours=2))
    note = SessionNoteFactory(appointment=appointment, minutes=40, pain_before=5, pain_after=3)
    stored = rewrite(note, signed_at=timezone.now().replace(microsecond=0), signed_by_id=note.author_id)
    return rewrite(note, content_hash=seal(stored))


@pytest.mark.django_db
def test_a_signed_note_without_its_audit_entry_is_reported():
    note = signed_without_the_app(note_seal)

    status, report = problems()

    assert status == 1
    assert f"Note {note.pk}: no audit log entry records its signing" in report


@pytest.mark.django_db
def test_a_rotated_key_still_verifies_while_it_is_listed_and_reseal_retires_it(settings):
    settings.CLINIC_NOTE_SEAL_KEYS = KEY_A
    note = signed_note()
    settings.CLINIC_NOTE_SEAL_KEYS = f"{KEY_B},{KEY_A}"  # b seals from now on, a still verifies
    assert problems() == (0, "All 1 signed notes match their signatures: seals and the audit log agree.\n")

    settings.CLINIC_NOTE_SEAL_KEYS = KEY_B  # a removed too early
    status, report = problems()
    assert status == 1
    assert "sealed with key 'a', which is not configured" in report

    settings.CLINIC_NOTE_SEAL_KEYS = f"{KEY_B},{KEY_A}"
    call_command("verify_notes", "--reseal", stdout=StringIO())
    settings.CLINIC_NOTE_SEAL_KEYS = KEY_B
    assert problems()[0] == 0
    assert SessionNote.objects.get(pk=note.pk).content_hash.startswith("2:b:")


@pytest.fixture
def legacy_note(db):
    """As a note signed before keyed seals: the row and the signing's audit entry hold the SHA-256."""
    from auditlog.models import LogEntry

    note = signed_without_the_app(note_content_hash)
    LogEntry.objects.bulk_create(note_seal_log_entries([note]))
    return note


def test_a_legacy_seal_is_reported_then_resealed(legacy_note):
    note = legacy_note
    assert len(note.content_hash) == 64

    status, report = problems()
    assert status == 1
    assert f"Note {note.pk}: legacy seal (plain SHA-256" in report

    out = StringIO()
    call_command("verify_notes", "--reseal-legacy", stdout=out)
    assert "Resealed 1 notes" in out.getvalue()
    assert problems()[0] == 0
    assert SessionNote.objects.get(pk=note.pk).content_hash.startswith("2:")


def test_a_changed_legacy_note_is_never_resealed(legacy_note):
    note = legacy_note
    rewrite(note, pain_before=0)

    with pytest.raises(CommandError):
        call_command("verify_notes", "--reseal-legacy", stdout=StringIO())
    assert len(SessionNote.objects.get(pk=note.pk).content_hash) == 64


@pytest.mark.django_db
def test_a_seal_key_that_is_malformed_is_refused(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.CLINIC_NOTE_SEAL_KEYS = "no-secret-here"
    with pytest.raises(ImproperlyConfigured):
        seal_keys()


@pytest.mark.django_db
def test_without_configured_keys_the_seal_key_comes_from_the_secret_key(settings):
    settings.CLINIC_NOTE_SEAL_KEYS = ""
    note = signed_note()
    key_id = SessionNote.objects.get(pk=note.pk).content_hash.split(":")[1]
    assert key_id.startswith("sk-")
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-new-secret-key-" * 3, [settings.SECRET_KEY]
    assert problems()[0] == 0  # the old secret key, kept as a fallback, still verifies


@pytest.mark.django_db
def test_the_scale_datas_signed_notes_verify_with_their_audit_entries():
    call_command(
        "seed_scale", "--therapists", "2", "--rooms", "2", "--patients", "30", "--years", "1", stdout=StringIO()
    )
    assert SessionNote.objects.filter(signed_at__isnull=False).exists()
    assert problems()[0] == 0


@pytest.mark.parametrize(
    ("keys", "ids"),
    [("a:" + "A" * 40, []), ("a:short", ["clinic.W001"]), ("nonsense", ["clinic.E001"]), ("", [])],
)
def test_the_system_check_judges_the_seal_keys(settings, keys, ids):
    from sessions.note_seal import seal_keys_check

    settings.CLINIC_NOTE_SEAL_KEYS = keys
    assert [message.id for message in seal_keys_check(None)] == ids
