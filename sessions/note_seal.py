"""The fingerprint of a signed session note (docs/ARCHITECTURE.md invariant 5: a signed note never changes).

Signing stores a SHA-256 over a canonical JSON of everything the signature covers; recomputing
it later (`manage.py verify_notes`) shows whether a row was changed behind the app's back, say
with an UPDATE at a database prompt, which the model's own guard cannot stop.

Change the payload only together with HASH_VERSION, and keep the old version computable: the
hashes already stored were made with it.
"""

import datetime as dt
import hashlib
import json

HASH_VERSION = 1


def _utc_iso(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def note_signed_content(note) -> dict:
    """What the signature covers: the clinical text, the scores and the facts of the session,
    and who signed when. Works on a historical model in a migration as well."""
    return {
        "v": HASH_VERSION,
        "appointment_id": note.appointment_id,
        "author_id": note.author_id,
        "pain_before": note.pain_before,
        "pain_after": note.pain_after,
        "areas_treated": list(note.areas_treated or []),
        "techniques": note.techniques,
        "oils_used": note.oils_used,
        "minutes": note.minutes,
        "stopped_early": note.stopped_early,
        "stopped_early_reason": note.stopped_early_reason,
        "subjective": note.subjective,
        "objective": note.objective,
        "assessment": note.assessment,
        "plan": note.plan,
        "patient_summary": note.patient_summary,
        "signed_by_id": note.signed_by_id,
        "signed_at": _utc_iso(note.signed_at),
    }


def note_content_hash(note) -> str:
    canonical = json.dumps(note_signed_content(note), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def note_hash_matches(note) -> bool:
    return bool(note.content_hash) and note.content_hash == note_content_hash(note)
