"""Telling a patient something: the one entry point (waitlist offers…).

A minimal version, by e-mail only: the clinic's pluggable channels (e-mail or SMS, as the patient
chooses) replace its body, not its signature."""

import logging

from django.core.mail import send_mail

from patients.models import Patient

logger = logging.getLogger(__name__)

EMAIL = "email"


def notify_patient(patient: Patient, *, subject: str, text: str) -> str:
    """Send `text` to the patient; returns the channel used ("email"), or "" when the patient
    cannot be reached (no e-mail address)."""
    address = (patient.email or "").strip()
    if not address:
        return ""
    send_mail(subject, text, None, [address])
    return EMAIL
