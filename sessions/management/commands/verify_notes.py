"""Recompute the fingerprint of every signed session note and report the ones whose content no
longer matches what was signed. Exit status 1 when any does, so cron or monitoring can alert."""

from django.core.management.base import BaseCommand, CommandError

from sessions.models import SessionNote
from sessions.note_seal import note_hash_matches


class Command(BaseCommand):
    help = "Report every signed session note whose content changed after signing (exit status 1 if any)."

    def handle(self, *args, **options):
        notes = (
            SessionNote.objects.filter(signed_at__isnull=False).select_related("appointment__patient").order_by("pk")
        )
        checked, mismatches = 0, []
        for note in notes.iterator(chunk_size=500):
            checked += 1
            if not note_hash_matches(note):
                mismatches.append(note)
        for note in mismatches:
            patient = note.appointment.patient
            problem = "no hash stored" if not note.content_hash else "content does not match its signature"
            self.stdout.write(
                f"Note {note.pk}: {problem} (appointment {note.appointment_id}, patient {patient.pk} {patient})"
            )
        if mismatches:
            raise CommandError(f"{len(mismatches)} of {checked} signed notes changed after signing.", returncode=1)
        self.stdout.write(self.style.SUCCESS(f"All {checked} signed notes match their signatures."))
