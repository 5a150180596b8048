"""The seal of a signed session note (docs/ARCHITECTURE.md invariant 5: a signed note never changes).

Signing stores a seal over a canonical JSON of everything the signature covers; recomputing it
later (`manage.py verify_notes`) shows whether a row was changed behind the app's back, say with
an UPDATE at a database prompt, which the model's own guard cannot stop.

Version 2 (every note signed now) is an HMAC-SHA256 with a key kept outside the database
(settings.CLINIC_NOTE_SEAL_KEYS, from the environment), stored as "2:<key id>:<hex>": someone who
can write to the database but does not hold the key cannot make a seal for changed content. The
first key seals; every listed key still verifies, so a key is rotated by putting a new one first
and removing the old one once nothing sealed with it is left (`verify_notes --reseal` reseals).
Version 1, a bare 64-character SHA-256 of the same content, is what notes signed before the keys
were introduced carry: still verified, reported as legacy, and resealed by
`verify_notes --reseal-legacy`.

The audit log keeps a second copy: the seal each signature (and each reseal) wrote is in the
note's append-only log entries, which `note_seal_log_expected` reads back.

Change the payload only together with a new version, and keep the old versions computable: the
seals already stored were made with them.
"""

import datetime as dt
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from functools import lru_cache

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext

LEGACY_VERSION = 1  # plain SHA-256
SEAL_VERSION = 2  # HMAC-SHA256 with a key id
HASH_VERSION = LEGACY_VERSION  # the name migrations and old code used for version 1
SEAL_FIELD = "content_hash"
KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
MIN_SECRET_LENGTH = 32
_DERIVATION_LABEL = b"clinic.note_seal.v2"
# What a signature's or reseal's audit entry says in additional_data["action"].
SIGN = "sign"
RESEAL = "reseal"


@dataclass(frozen=True)
class SealKey:
    key_id: str
    secret: bytes


def _utc_iso(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def note_signed_content(note, version: int = LEGACY_VERSION) -> dict:
    """What the signature covers: the clinical text, the scores and the facts of the session,
    and who signed when. Works on a historical model in a migration as well."""
    return {
        "v": version,
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


def _canonical(note, version: int) -> bytes:
    content = note_signed_content(note, version)
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def note_content_hash(note) -> str:
    """The version 1 (legacy) seal: a plain SHA-256, which anyone can recompute."""
    return hashlib.sha256(_canonical(note, LEGACY_VERSION)).hexdigest()


# --- keys ------------------------------------------------------------------------------------------


def _derived_key(secret_key: str) -> SealKey:
    secret = hmac.new(secret_key.encode("utf-8"), _DERIVATION_LABEL, hashlib.sha256).digest()
    return SealKey("sk-" + hashlib.sha256(secret).hexdigest()[:8], secret)


@lru_cache(maxsize=8)
def _parse_keys(spec: str, secret_key: str, fallbacks: tuple[str, ...]) -> tuple[SealKey, ...]:
    if not spec.strip():
        # Documented default: derived from SECRET_KEY (and verified with the fallbacks'), so it is
        # outside the database too; its id is a fingerprint, so a changed SECRET_KEY is noticed.
        return tuple(_derived_key(key) for key in (secret_key, *fallbacks) if key)
    keys, seen = [], set()
    for item in spec.split(","):
        item = item.strip()
        if not item:
            continue
        key_id, sep, secret = item.partition(":")
        key_id = key_id.strip()
        if not sep or not KEY_ID.match(key_id) or not secret:
            raise ImproperlyConfigured(
                "CLINIC_NOTE_SEAL_KEYS is a comma-separated list of id:secret, each id 1-32 of "
                "A-Z a-z 0-9 _ . - (the first seals new notes)."
            )
        if key_id in seen:
            raise ImproperlyConfigured(f"CLINIC_NOTE_SEAL_KEYS names the key id {key_id!r} twice.")
        seen.add(key_id)
        keys.append(SealKey(key_id, secret.encode("utf-8")))
    return tuple(keys)


def seal_keys() -> tuple[SealKey, ...]:
    """The configured keys, the sealing one first."""
    return _parse_keys(
        getattr(settings, "CLINIC_NOTE_SEAL_KEYS", "") or "",
        settings.SECRET_KEY,
        tuple(getattr(settings, "SECRET_KEY_FALLBACKS", ()) or ()),
    )


def seal_keys_configured() -> bool:
    return bool((getattr(settings, "CLINIC_NOTE_SEAL_KEYS", "") or "").strip())


# --- seals -----------------------------------------------------------------------------------------


def _mac(key: SealKey, note) -> str:
    return hmac.new(key.secret, _canonical(note, SEAL_VERSION), hashlib.sha256).hexdigest()


def note_seal(note) -> str:
    """The seal signing stores: "2:<key id>:<HMAC-SHA256 hex>" with the first configured key."""
    key = seal_keys()[0]
    return f"{SEAL_VERSION}:{key.key_id}:{_mac(key, note)}"


def seal_version(seal: str | None) -> int | None:
    """1 for a legacy SHA-256, 2 for a keyed seal, None for nothing or something unreadable."""
    if not seal:
        return None
    if re.fullmatch(r"[0-9a-f]{64}", seal):
        return LEGACY_VERSION
    parts = seal.split(":")
    if len(parts) == 3 and parts[0] == str(SEAL_VERSION) and KEY_ID.match(parts[1]):
        return SEAL_VERSION
    return None


def seal_key_id(seal: str) -> str | None:
    return seal.split(":")[1] if seal_version(seal) == SEAL_VERSION else None


def note_seal_problem(note) -> str:
    """Why the note's stored seal does not vouch for its content, or "" when it does (a legacy
    seal that matches vouches, weakly: note_seal_is_legacy tells)."""
    seal = note.content_hash
    version = seal_version(seal)
    if not seal:
        return gettext("no seal stored")
    if version is None:
        return gettext("the seal is unreadable")
    if version == LEGACY_VERSION:
        if not hmac.compare_digest(seal, note_content_hash(note)):
            return gettext("content does not match its signature (legacy seal)")
        return ""
    _, key_id, digest = seal.split(":")
    key = next((key for key in seal_keys() if key.key_id == key_id), None)
    if key is None:
        return gettext("sealed with key %(key)s, which is not configured (CLINIC_NOTE_SEAL_KEYS)") % {
            "key": repr(key_id)
        }
    if not hmac.compare_digest(digest, _mac(key, note)):
        return gettext("content does not match its signature")
    return ""


def note_hash_matches(note) -> bool:
    return note_seal_problem(note) == ""


# --- the audit log's copy --------------------------------------------------------------------------


def _note_content_type():
    from sessions.models import SessionNote

    return ContentType.objects.get_for_model(SessionNote)


def note_seal_log_entries(notes) -> list[LogEntry]:
    """The audit entries that signing writes (django-auditlog's change entry), for notes written
    signed in bulk without save(): the demo and scale data. Unsaved; bulk_create them."""
    content_type = _note_content_type()
    entries = []
    for note in notes:
        entries.append(
            LogEntry(
                content_type=content_type,
                object_pk=str(note.pk),
                object_id=note.pk,
                object_repr=f"Session note {note.pk}",
                action=LogEntry.Action.CREATE,
                changes={SEAL_FIELD: ["None", note.content_hash], "signed_at": ["None", str(note.signed_at)]},
                changes_text="",
                # No actor: a demo reset deletes these users, and the append-only log would refuse
                # to forget them (on PostgreSQL a trigger refuses the SET NULL); the signer is named
                # in the entry's data instead, as the scale seeder does.
                actor_id=None,
                timestamp=note.signed_at,
                additional_data={
                    "patient_id": note.appointment.patient_id,
                    "action": SIGN,
                    "signed_by_id": note.signed_by_id,
                },
            )
        )
    return entries


def note_seal_logs(note_pks=None) -> dict[int, list[tuple[str, str]]]:
    """Every seal the audit log recorded, per note id, oldest first: (old, new) pairs."""
    entries = LogEntry.objects.filter(content_type=_note_content_type(), changes__has_key=SEAL_FIELD)
    if note_pks is not None:
        entries = entries.filter(object_id__in=list(note_pks))
    seals: dict[int, list[tuple[str, str]]] = {}
    for object_id, changes in entries.order_by("pk").values_list("object_id", "changes").iterator(chunk_size=2000):
        if isinstance(changes, str):  # older django-auditlog kept the changes as JSON text
            changes = json.loads(changes)
        old, new = (list(changes.get(SEAL_FIELD) or []) + [None, None])[:2]
        if new and new != "None":
            seals.setdefault(int(object_id), []).append((old if old not in ("None", "") else "", new))
    return seals


def note_seal_log_expected(logged: list[tuple[str, str]]) -> tuple[str | None, str]:
    """The seal the log says the note carries (the one written at signing, then each reseal that
    replaced it with a keyed seal), and a problem with the log's own story, or "". Only a keyed
    seal may replace one: an entry someone added to downgrade a note to a recomputable SHA-256
    does not count."""
    if not logged:
        return None, "no audit log entry records its signing"
    expected = logged[0][1]
    for old, new in logged[1:]:
        if old == expected and seal_version(new) == SEAL_VERSION:
            expected = new  # resealed: a legacy seal, or an old key's, replaced by a keyed one
        elif new == expected:
            continue  # the same seal recorded twice
        else:
            return expected, "the audit log records a later change of its seal"
    return expected, ""


def note_reseal_log_entry(note, old: str) -> LogEntry:
    return LogEntry(
        content_type=_note_content_type(),
        object_pk=str(note.pk),
        object_id=note.pk,
        object_repr=f"Session note {note.pk}",
        action=LogEntry.Action.UPDATE,
        changes={SEAL_FIELD: [old, note.content_hash]},
        changes_text="",
        additional_data={"patient_id": note.appointment.patient_id, "action": RESEAL},
    )


# --- the configuration check -----------------------------------------------------------------------


@register(Tags.security)
def seal_keys_check(app_configs, **kwargs):
    """`manage.py check` (and the deploy check) refuse a malformed CLINIC_NOTE_SEAL_KEYS and warn
    about a secret too short to resist guessing."""
    try:
        keys = seal_keys()
    except ImproperlyConfigured as error:
        return [Error(str(error), id="clinic.E001")]
    if not seal_keys_configured():
        return []  # derived from SECRET_KEY, which Django's own deploy check judges
    return [
        Warning(
            f"The note-seal key {key.key_id!r} is shorter than {MIN_SECRET_LENGTH} characters.",
            hint="Make one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'",
            id="clinic.W001",
        )
        for key in keys
        if len(key.secret) < MIN_SECRET_LENGTH
    ]
