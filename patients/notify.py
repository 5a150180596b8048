"""Reaching a patient: the channel they chose (Patient.contact_channel, e-mail or SMS) and, when it
has no address or fails, the other one. The channels themselves are clinic.messaging.

`notify_patient` is the entry point for anything the clinic tells a patient (waitlist offers…);
the reminders use `patient_message_send`, which raises instead, so that a run that could not send
gives the session back to be reminded by the next run."""

import logging

from django.utils.translation import gettext_lazy

from clinic.messaging import EMAIL, SMS, MessageNotSent, email_send, sms_send
from patients.models import ContactChannel, Patient

logger = logging.getLogger(__name__)

SMS_NEEDS_PHONE = gettext_lazy(
    "Text messages need a phone number on record: choose e-mail, or have a phone number added first."
)
EMAIL_NEEDS_ADDRESS = gettext_lazy(
    "E-mails need an e-mail address on record: choose SMS, or have an address added first."
)


def contact_channel_problem(*, channel: str, phone: str, email: str) -> str:
    """Why `channel` cannot be chosen with these contact details, or "" when it can."""
    if channel == ContactChannel.SMS and not phone.strip():
        return str(SMS_NEEDS_PHONE)
    if channel == ContactChannel.EMAIL and not email.strip():
        return str(EMAIL_NEEDS_ADDRESS)
    return ""


def patient_channels(patient: Patient) -> list[str]:
    """The channels to try, in order: the chosen one first, then the other; only those the
    patient has an address for."""
    order = [SMS, EMAIL] if patient.contact_channel == ContactChannel.SMS else [EMAIL, SMS]
    address = {EMAIL: patient.email.strip(), SMS: patient.phone.strip()}
    return [channel for channel in order if address[channel]]


def patient_message_send(
    patient: Patient, *, subject: str, text: str, sms_text: str | None = None, connection=None
) -> str:
    """Send to the patient on the first channel that works (patient_channels); returns it, or ""
    when the patient has neither an e-mail address nor a phone number. Raises MessageNotSent
    when every channel they have failed (each failure is logged)."""
    channels = patient_channels(patient)
    failures = []
    for channel in channels:
        try:
            if channel == EMAIL:
                email_send(to=patient.email.strip(), subject=subject, text=text, connection=connection)
            else:
                sms_send(to=patient.phone, text=sms_text or text)
        except MessageNotSent as error:
            failures.append(f"{channel}: {error}")
            continue
        if failures:
            logger.warning("Patient %s reached by %s after: %s", patient.pk, channel, "; ".join(failures))
        return channel
    if failures:
        raise MessageNotSent(f"Patient {patient.pk} could not be reached: {'; '.join(failures)}")
    return ""


def notify_patient(patient, *, subject: str, text: str) -> str:
    """Send `text` to the patient on their chosen channel; returns the channel used ("email"/"sms"),
    or "" when the patient cannot be reached."""
    try:
        return patient_message_send(patient, subject=subject, text=text)
    except MessageNotSent as error:
        logger.error("%s", error)
        return ""
