"""A phase record may be saved from the therapist's page, the admin or a script. Listening to
the save itself means an acute record flags the patient's bookings on every one of those paths,
inside the transaction that saves it (the patients app cannot import this one)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from clinic.events import PATIENT_ACUTE, event_announce
from patients.models import Phase, PhaseRecord
from sessions.appointments import appointments_flag_for_review


@receiver(post_save, sender=PhaseRecord, dispatch_uid="flag_bookings_on_acute_phase")
def flag_bookings_on_acute_phase(sender, instance: PhaseRecord, created: bool, raw: bool = False, **kwargs):
    # Not only new records: an existing record edited to acute turns the patient acute too.
    if not raw and instance.phase == Phase.ACUTE:
        flagged = appointments_flag_for_review(record=instance)
        event_announce(PATIENT_ACUTE, record=instance, flagged=flagged)
