"""Check the seal of every signed session note and report each note that has a problem, one line
per note; exit status 1 when any has, so cron or monitoring can alert.

A note has a problem when its content does not match its seal (keyed HMAC, or a legacy SHA-256),
its seal was made with a key that is not configured, its seal differs from the one the
append-only audit log recorded at signing, no audit entry records its signing at all, or its
seal is a legacy one (a plain SHA-256 that anyone who can write to the database can recompute).

--reseal-legacy replaces each legacy seal whose content and audit entry still agree with a keyed
seal (and logs the change); --reseal does the same for keyed seals made with a key other than the
first, to retire an old key. Notes with any other problem are never resealed.
"""

from auditlog.models import LogEntry
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from sessions.models import SessionNote
from sessions.note_seal import (
    LEGACY_VERSION,
    SEAL_VERSION,
    note_reseal_log_entry,
    note_seal,
    note_seal_log_expected,
    note_seal_logs,
    note_seal_problem,
    seal_key_id,
    seal_keys,
    seal_version,
)

LEGACY = "legacy seal (plain SHA-256, recomputable without a key): run verify_notes --reseal-legacy"
CHUNK = 2000


class Command(BaseCommand):
    help = (
        "Report every signed session note whose seal does not vouch for it: changed content, an unknown "
        "key, a seal the audit log does not confirm, or a legacy seal (exit status 1 if any)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reseal-legacy",
            action="store_true",
            help="Replace legacy SHA-256 seals that still match their content and the audit log with keyed seals.",
        )
        parser.add_argument(
            "--reseal",
            action="store_true",
            help="Also reseal keyed seals made with a key other than the first (to retire an old key).",
        )

    def handle(self, *args, reseal_legacy=False, reseal=False, **options):
        current_key = seal_keys()[0].key_id
        notes = (
            SessionNote.objects.filter(signed_at__isnull=False).select_related("appointment__patient").order_by("pk")
        )
        checked, problems, resealed = 0, [], 0
        batch = []
        for note in notes.iterator(chunk_size=CHUNK):
            batch.append(note)
            if len(batch) == CHUNK:
                counts = self._check(batch, problems, current_key, reseal_legacy, reseal)
                checked, resealed = checked + counts[0], resealed + counts[1]
                batch = []
        counts = self._check(batch, problems, current_key, reseal_legacy, reseal)
        checked, resealed = checked + counts[0], resealed + counts[1]
        for note, problem in problems:
            patient = note.appointment.patient
            self.stdout.write(
                f"Note {note.pk}: {problem} (appointment {note.appointment_id}, patient {patient.pk} {patient})"
            )
        if resealed:
            self.stdout.write(f"Resealed {resealed} notes with key {current_key!r}.")
        if problems:
            raise CommandError(f"{len(problems)} of {checked} signed notes have a problem.", returncode=1)
        self.stdout.write(
            self.style.SUCCESS(f"All {checked} signed notes match their signatures: seals and the audit log agree.")
        )

    def _check(self, notes, problems, current_key, reseal_legacy, reseal) -> tuple[int, int]:
        if not notes:
            return 0, 0
        logs = note_seal_logs(note.pk for note in notes)
        resealed = 0
        for note in notes:
            problem = note_seal_problem(note)
            expected, log_problem = note_seal_log_expected(logs.get(note.pk, []))
            if not problem:
                if log_problem:
                    problem = log_problem
                elif expected != note.content_hash:
                    problem = "its seal differs from the one the audit log recorded at signing"
            version = seal_version(note.content_hash)
            if not problem:
                wanted = (version == LEGACY_VERSION and reseal_legacy) or (
                    reseal and version == SEAL_VERSION and seal_key_id(note.content_hash) != current_key
                )
                if wanted:
                    self._reseal(note)
                    resealed += 1
                    continue
                if version == LEGACY_VERSION:
                    problem = LEGACY
            if problem:
                problems.append((note, problem))
        return len(notes), resealed

    @staticmethod
    @transaction.atomic
    def _reseal(note) -> None:
        """Only the seal changes (SessionNote.save refuses a signed note, rightly), and the audit
        log records the old and the new one."""
        old = note.content_hash
        note.content_hash = note_seal(note)
        updated = SessionNote.objects.filter(pk=note.pk, content_hash=old).update(content_hash=note.content_hash)
        if updated:
            LogEntry.objects.bulk_create([note_reseal_log_entry(note, old)])
