"""Domain events: what happened, announced by the service that made it happen, inside its
transaction. Listeners live above the domain (webhooks/), so the domain names no listener and a
rolled-back change leaves behind nothing a listener wrote.

    event_announce(APPOINTMENT_BOOKED, appointment=appointment)

Each event carries the objects it is about as keyword arguments: `appointment`, `note`,
`record` (a phase record), `offer` (a waitlist offer), and for a move `previous_starts_at`."""

from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _

APPOINTMENT_BOOKED = "appointment.booked"
APPOINTMENT_MOVED = "appointment.moved"
APPOINTMENT_CANCELLED = "appointment.cancelled"
APPOINTMENT_CHECKED_IN = "appointment.checked_in"
APPOINTMENT_COMPLETED = "appointment.completed"
APPOINTMENT_NO_SHOW = "appointment.no_show"
NOTE_SIGNED = "note.signed"
PATIENT_ACUTE = "patient.acute"
WAITLIST_OFFER_ACCEPTED = "waitlist.offer_accepted"

EVENTS = {
    APPOINTMENT_BOOKED: _("Appointment booked"),
    APPOINTMENT_MOVED: _("Appointment moved"),
    APPOINTMENT_CANCELLED: _("Appointment cancelled"),
    APPOINTMENT_CHECKED_IN: _("Patient checked in"),
    APPOINTMENT_COMPLETED: _("Appointment completed"),
    APPOINTMENT_NO_SHOW: _("Patient did not come"),
    NOTE_SIGNED: _("Session note signed"),
    PATIENT_ACUTE: _("Patient turned acute"),
    WAITLIST_OFFER_ACCEPTED: _("Waitlist offer accepted"),
}

domain_event = Signal()


def event_announce(event: str, **objects) -> None:
    """Tell the listeners; called by the service at the point of change, inside its transaction."""
    domain_event.send(sender=event, event=event, **objects)
