"""The waitlist: wishes (WaitlistEntry), the slots freed by cancellations and moves (FreedSlot), and
the offers of those slots to the wishes (WaitlistOffer), held for a while (sessions.waitlist)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0005_locations"),
        ("patients", "0001_squashed_0005_text_limits"),
        ("treatment_sessions", "0004_self_booked"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="FreedSlot",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("starts_at", models.DateTimeField()),
                ("ends_at", models.DateTimeField()),
                (
                    "cause",
                    models.CharField(
                        choices=[
                            ("cancelled", "Cancelled"),
                            ("moved", "Moved"),
                            ("review_cancelled", "Cancelled after review"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("open", "Open"),
                            ("filled", "Filled from the waitlist"),
                            ("taken", "Booked otherwise"),
                            ("lapsed", "Lapsed"),
                            ("released", "Released by reception"),
                        ],
                        default="open",
                        max_length=10,
                    ),
                ),
                ("outcome", models.CharField(blank=True, max_length=300)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("closed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "appointment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="freed_slots",
                        to="treatment_sessions.appointment",
                    ),
                ),
                (
                    "modality",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="clinic.modality"
                    ),
                ),
                (
                    "room",
                    models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="clinic.room"),
                ),
                (
                    "therapist",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="clinic.therapist"
                    ),
                ),
            ],
            options={
                "ordering": ["starts_at", "pk"],
            },
        ),
        migrations.CreateModel(
            name="WaitlistEntry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("weekdays", models.CharField(blank=True, max_length=7)),
                ("day_parts", models.CharField(blank=True, max_length=30)),
                ("until", models.DateField(help_text="The last day a session may fall on.")),
                ("urgent", models.BooleanField(default=False)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("waiting", "Waiting"),
                            ("booked", "Booked from the waitlist"),
                            ("withdrawn", "Withdrawn"),
                            ("expired", "Expired"),
                        ],
                        default="waiting",
                        max_length=10,
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        choices=[("reception", "Reception"), ("portal", "The patient, in the portal")], max_length=10
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("closed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "appointment",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="treatment_sessions.appointment",
                    ),
                ),
                (
                    "course",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="treatment_sessions.course",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "modality",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="clinic.modality"
                    ),
                ),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="waitlist_entries",
                        to="patients.patient",
                    ),
                ),
                (
                    "therapist",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="clinic.therapist",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "waitlist entries",
                "ordering": ["-urgent", "created_at", "pk"],
            },
        ),
        migrations.CreateModel(
            name="WaitlistOffer",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("starts_at", models.DateTimeField()),
                ("ends_at", models.DateTimeField()),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("offered", "Offered"),
                            ("accepted", "Accepted"),
                            ("declined", "Declined"),
                            ("expired", "Expired"),
                            ("taken", "Taken by someone else"),
                            ("refused", "Could not be booked"),
                            ("withdrawn", "Withdrawn"),
                        ],
                        default="offered",
                        max_length=10,
                    ),
                ),
                ("offered_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("expires_at", models.DateTimeField()),
                ("ended_at", models.DateTimeField(blank=True, null=True)),
                ("channel", models.CharField(blank=True, max_length=20)),
                ("detail", models.CharField(blank=True, max_length=300)),
                (
                    "appointment",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="treatment_sessions.appointment",
                    ),
                ),
                (
                    "entry",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="offers",
                        to="treatment_sessions.waitlistentry",
                    ),
                ),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="waitlist_offers",
                        to="patients.patient",
                    ),
                ),
                (
                    "room",
                    models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="clinic.room"),
                ),
                (
                    "slot",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="offers",
                        to="treatment_sessions.freedslot",
                    ),
                ),
                (
                    "therapist",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="clinic.therapist"
                    ),
                ),
            ],
            options={
                "ordering": ["offered_at", "pk"],
            },
        ),
        migrations.AddIndex(
            model_name="freedslot",
            index=models.Index(fields=["status", "starts_at"], name="freed_slot_status_idx"),
        ),
        migrations.AddConstraint(
            model_name="freedslot",
            constraint=models.CheckConstraint(
                condition=models.Q(("ends_at__gt", models.F("starts_at"))),
                name="freed_slot_ends_after_start",
                violation_error_message="A freed slot must end after it starts.",
            ),
        ),
        migrations.AddIndex(
            model_name="waitlistentry",
            index=models.Index(fields=["status", "urgent", "created_at"], name="waitlist_entry_queue_idx"),
        ),
        migrations.AddConstraint(
            model_name="waitlistentry",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "booked"), _negated=True), ("appointment__isnull", False), _connector="OR"
                ),
                name="waitlist_entry_booked_has_appointment",
                violation_error_message="A wish booked from the waitlist names the session booked.",
            ),
        ),
        migrations.AddIndex(
            model_name="waitlistoffer",
            index=models.Index(fields=["status", "expires_at"], name="waitlist_offer_status_idx"),
        ),
        migrations.AddIndex(
            model_name="waitlistoffer",
            index=models.Index(
                condition=models.Q(("status", "offered")), fields=["starts_at"], name="waitlist_offer_held_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="waitlistoffer",
            constraint=models.UniqueConstraint(
                fields=("slot", "entry"),
                name="waitlist_offer_once_per_slot",
                violation_error_message="This wish was offered this slot already.",
            ),
        ),
        migrations.AddConstraint(
            model_name="waitlistoffer",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "offered")),
                fields=("patient",),
                name="waitlist_offer_one_open_per_patient",
                violation_error_message="The patient has an open offer already.",
            ),
        ),
        migrations.AddConstraint(
            model_name="waitlistoffer",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "accepted")),
                fields=("slot",),
                name="waitlist_offer_one_accepted_per_slot",
                violation_error_message="This slot was accepted already.",
            ),
        ),
        migrations.AddConstraint(
            model_name="waitlistoffer",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "accepted"), _negated=True), ("appointment__isnull", False), _connector="OR"
                ),
                name="waitlist_offer_accepted_has_appointment",
                violation_error_message="An accepted offer names the session booked.",
            ),
        ),
        migrations.AddConstraint(
            model_name="waitlistoffer",
            constraint=models.CheckConstraint(
                condition=models.Q(("ends_at__gt", models.F("starts_at"))),
                name="waitlist_offer_ends_after_start",
                violation_error_message="An offered session must end after it starts.",
            ),
        ),
        migrations.AddConstraint(
            model_name="waitlistoffer",
            constraint=models.CheckConstraint(
                condition=models.Q(("expires_at__gt", models.F("offered_at"))),
                name="waitlist_offer_expires_after_offered",
                violation_error_message="An offer is held for some time after it is made.",
            ),
        ),
    ]
