"""The waitlist: wishes (WaitlistEntry), the slots freed by cancellations and moves (FreedSlot), and
the offers of those slots to the wishes (WaitlistOffer), held for a while (sessions.waitlist)."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Q

from clinic.migrations._frozen import check, later, link, model, moment, unique

SLOT = [("starts_at", moment()), ("ends_at", moment())]


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0005_locations"),
        ("patients", "0001_squashed_0005_text_limits"),
        ("treatment_sessions", "0004_self_booked"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        model("FreedSlot", [
            ("appointment", link("treatment_sessions.appointment", "freed_slots")),
            ("therapist", link("clinic.therapist")),
            ("room", link("clinic.room")),
            ("modality", link("clinic.modality")),
            *SLOT,
            ("cause", models.CharField(choices=[("cancelled", "Cancelled"), ("moved", "Moved"), ("review_cancelled", "Cancelled after review")], max_length=20)),
            ("status", models.CharField(choices=[("open", "Open"), ("filled", "Filled from the waitlist"), ("taken", "Booked otherwise"), ("lapsed", "Lapsed"), ("released", "Released by reception")], default="open", max_length=10)),
            ("outcome", models.CharField(blank=True, max_length=300)),
            ("created_at", moment(now=True)),
            ("closed_at", moment(optional=True)),
        ], ordering=["starts_at", "pk"], indexes=[
            models.Index(fields=["status", "starts_at"], name="freed_slot_status_idx"),
        ], constraints=[
            later("freed_slot_ends_after_start", "A freed slot must end after it starts.", starts="starts_at", ends="ends_at"),
        ]),
        model("WaitlistEntry", [
            ("patient", link("patients.patient", "waitlist_entries")),
            ("course", link("treatment_sessions.course", optional=True)),
            ("modality", link("clinic.modality")),
            ("therapist", link("clinic.therapist", optional=True)),
            ("weekdays", models.CharField(blank=True, max_length=7)),
            ("day_parts", models.CharField(blank=True, max_length=30)),
            ("until", models.DateField(help_text="The last day a session may fall on.")),
            ("urgent", models.BooleanField(default=False)),
            ("status", models.CharField(choices=[("waiting", "Waiting"), ("booked", "Booked from the waitlist"), ("withdrawn", "Withdrawn"), ("expired", "Expired")], default="waiting", max_length=10)),
            ("source", models.CharField(choices=[("reception", "Reception"), ("portal", "The patient, in the portal")], max_length=10)),
            ("created_by", link(settings.AUTH_USER_MODEL)),
            ("created_at", moment(now=True)),
            ("closed_at", moment(optional=True)),
            ("appointment", link("treatment_sessions.appointment", optional=True)),
        ], ordering=["-urgent", "created_at", "pk"], verbose_name_plural="waitlist entries", indexes=[
            models.Index(fields=["status", "urgent", "created_at"], name="waitlist_entry_queue_idx"),
        ], constraints=[
            check("waitlist_entry_booked_has_appointment", "A wish booked from the waitlist names the session booked.", ~Q(status="booked") | Q(appointment__isnull=False)),
        ]),
        model("WaitlistOffer", [
            ("slot", link("treatment_sessions.freedslot", "offers")),
            ("entry", link("treatment_sessions.waitlistentry", "offers")),
            ("patient", link("patients.patient", "waitlist_offers")),
            ("therapist", link("clinic.therapist")),
            ("room", link("clinic.room")),
            *SLOT,
            ("status", models.CharField(choices=[("offered", "Offered"), ("accepted", "Accepted"), ("declined", "Declined"), ("expired", "Expired"), ("taken", "Taken by someone else"), ("refused", "Could not be booked"), ("withdrawn", "Withdrawn")], default="offered", max_length=10)),
            ("offered_at", moment(now=True)),
            ("expires_at", moment()),
            ("ended_at", moment(optional=True)),
            ("channel", models.CharField(blank=True, max_length=20)),
            ("appointment", link("treatment_sessions.appointment", optional=True)),
            ("detail", models.CharField(blank=True, max_length=300)),
        ], ordering=["offered_at", "pk"], indexes=[
            models.Index(fields=["status", "expires_at"], name="waitlist_offer_status_idx"),
            models.Index(condition=Q(status="offered"), fields=["starts_at"], name="waitlist_offer_held_idx"),
        ], constraints=[
            unique("waitlist_offer_once_per_slot", "This wish was offered this slot already.", ("slot", "entry")),
            unique("waitlist_offer_one_open_per_patient", "The patient has an open offer already.", ("patient",), Q(status="offered")),
            unique("waitlist_offer_one_accepted_per_slot", "This slot was accepted already.", ("slot",), Q(status="accepted")),
            check("waitlist_offer_accepted_has_appointment", "An accepted offer names the session booked.", ~Q(status="accepted") | Q(appointment__isnull=False)),
            later("waitlist_offer_ends_after_start", "An offered session must end after it starts.", starts="starts_at", ends="ends_at"),
            later("waitlist_offer_expires_after_offered", "An offer is held for some time after it is made.", starts="offered_at", ends="expires_at"),
        ]),
    ]
