"""The verbose names made explicit and translatable when the interface was translated (issue 19):
a change of state only, no SQL. Relabel gives each field its label without repeating the field."""

from django.db import migrations

from clinic.migrations._frozen import Relabel


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0007_verbose_names"),
        ("outcomes", "0003_verbose_names"),
        ("patients", "0010_verbose_names"),
        ("treatment_sessions", "0006_report_indexes"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="addendum",
            options={"ordering": ["created_at"], "verbose_name": "addendum", "verbose_name_plural": "addenda"},
        ),
        migrations.AlterModelOptions(
            name="appointment",
            options={"ordering": ["starts_at"], "verbose_name": "appointment", "verbose_name_plural": "appointments"},
        ),
        migrations.AlterModelOptions(
            name="course",
            options={"ordering": ["-starts_on"], "verbose_name": "course", "verbose_name_plural": "courses"},
        ),
        migrations.AlterModelOptions(
            name="freedslot",
            options={
                "ordering": ["starts_at", "pk"],
                "verbose_name": "freed slot",
                "verbose_name_plural": "freed slots",
            },
        ),
        migrations.AlterModelOptions(
            name="outcomescore",
            options={
                "ordering": ["recorded_at", "pk"],
                "verbose_name": "outcome score",
                "verbose_name_plural": "outcome scores",
            },
        ),
        migrations.AlterModelOptions(
            name="sessionnote",
            options={"verbose_name": "session note", "verbose_name_plural": "session notes"},
        ),
        migrations.AlterModelOptions(
            name="waitlistentry",
            options={
                "ordering": ["-urgent", "created_at", "pk"],
                "verbose_name": "waitlist entry",
                "verbose_name_plural": "waitlist entries",
            },
        ),
        migrations.AlterModelOptions(
            name="waitlistoffer",
            options={
                "ordering": ["offered_at", "pk"],
                "verbose_name": "waitlist offer",
                "verbose_name_plural": "waitlist offers",
            },
        ),
        Relabel("addendum", {"author": "author", "created_at": "created at", "note": "note", "text": "text"}),
        Relabel(
            "appointment",
            {
                "booked_by": "booked by",
                "cancellation_reason": "cancellation reason",
                "cancelled_at": "cancelled at",
                "checked_in_at": "checked in at",
                "course": "course",
                "created_at": "created at",
                "ends_at": "ends at",
                "modality": "modality",
                "needs_review": "needs review",
                "patient": "patient",
                "reminder_sent_at": "reminder sent at",
                "review_reason": "review reason",
                "room": "room",
                "self_booked": "self booked",
                "starts_at": "starts at",
                "status": "status",
                "therapist": "therapist",
                "updated_at": "updated at",
            },
        ),
        Relabel(
            "course",
            {
                "cadence": "cadence",
                "created_at": "created at",
                "diagnosis": "diagnosis",
                "discharge_summary": "discharge summary",
                "goals": "goals",
                "home_programme": "home programme",
                "max_sessions": "max sessions",
                "min_sessions": "min sessions",
                "modality": "modality",
                "patient": "patient",
                "prescribed_by": "prescribed by",
                "session_minutes": "session minutes",
                "sessions_per_week": "sessions per week",
                "starts_on": "starts on",
                "status": "status",
                "updated_at": "updated at",
            },
        ),
        Relabel(
            "freedslot",
            {
                "appointment": "appointment",
                "cause": "cause",
                "closed_at": "closed at",
                "created_at": "created at",
                "ends_at": "ends at",
                "modality": "modality",
                "outcome": "outcome",
                "room": "room",
                "starts_at": "starts at",
                "status": "status",
                "therapist": "therapist",
            },
        ),
        Relabel(
            "outcomescore",
            {
                "answers": "answers",
                "course": "course",
                "measure": "measure",
                "occasion": "occasion",
                "patient": "patient",
                "recorded_at": "recorded at",
                "recorded_by": "recorded by",
                "score": "score",
                "sessions_done": "sessions done",
            },
        ),
        Relabel(
            "sessionnote",
            {
                "appointment": "appointment",
                "areas_treated": "areas treated",
                "assessment": "assessment",
                "author": "author",
                "content_hash": "content hash",
                "created_at": "created at",
                "minutes": "minutes",
                "objective": "objective",
                "oils_used": "oils used",
                "pain_after": "pain after",
                "pain_before": "pain before",
                "patient_summary": "patient summary",
                "plan": "plan",
                "signed_at": "signed at",
                "signed_by": "signed by",
                "stopped_early": "stopped early",
                "stopped_early_reason": "stopped early reason",
                "subjective": "subjective",
                "techniques": "techniques",
                "updated_at": "updated at",
            },
        ),
        Relabel(
            "waitlistentry",
            {
                "appointment": "appointment",
                "closed_at": "closed at",
                "course": "course",
                "created_at": "created at",
                "created_by": "created by",
                "day_parts": "day parts",
                "modality": "modality",
                "patient": "patient",
                "source": "source",
                "status": "status",
                "therapist": "therapist",
                "until": "until",
                "urgent": "urgent",
                "weekdays": "weekdays",
            },
        ),
        Relabel(
            "waitlistoffer",
            {
                "appointment": "appointment",
                "channel": "channel",
                "detail": "detail",
                "ended_at": "ended at",
                "ends_at": "ends at",
                "entry": "entry",
                "expires_at": "expires at",
                "offered_at": "offered at",
                "patient": "patient",
                "room": "room",
                "slot": "slot",
                "starts_at": "starts at",
                "status": "status",
                "therapist": "therapist",
            },
        ),
    ]
