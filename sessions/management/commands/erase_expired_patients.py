"""Erase the patients whose retention period is over (sessions.patient_erasure). Meant for cron,
once a night:

    30 3 * * * cd /srv/clinic && .venv/bin/python manage.py erase_expired_patients

--dry-run lists who would be erased and changes nothing. A patient erased already, or whom
erasure refuses (sessions ahead, a wish still waiting, a note that fails its seal), is left
alone, so running it again erases nothing twice.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from clinic.refusals import Refused
from patients.models import Patient
from sessions.patient_erasure import (
    erased_patient_ids,
    patient_erase,
    patient_erasure_problems,
    retention_years,
    years_after,
)


class Command(BaseCommand):
    help = "Anonymise every patient whose record is past CLINIC_RETENTION_YEARS after the last treatment or contact."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List who would be erased; change nothing.")

    def handle(self, *args, dry_run=False, **options):
        now = timezone.now()
        erased = erased_patient_ids()
        done = 0
        # Registered within the period: kept whatever else happened since, so not even checked.
        registered_before = years_after(timezone.localdate(now), -retention_years())
        candidates = Patient.objects.exclude(pk__in=erased).filter(created_at__date__lt=registered_before)
        for patient in candidates.order_by("pk").iterator(chunk_size=500):
            if patient_erasure_problems(patient, now=now):
                continue
            label = f"Patient {patient.pk} {patient}"
            if dry_run:
                self.stdout.write(f"Would erase {label}.")
                done += 1
                continue
            try:
                patient_erase(patient=patient, by=None, now=now)
            except Refused as refusal:  # something changed since the check: a booking meanwhile
                self.stdout.write(f"Kept {label}: {' '.join(refusal.reasons)}")
                continue
            self.stdout.write(f"Erased {label}.")
            done += 1
        verb = "would be erased" if dry_run else "erased"
        self.stdout.write(self.style.SUCCESS(f"{done} patient{'s' if done != 1 else ''} {verb}."))
