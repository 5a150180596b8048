"""The verbose names made explicit and translatable when the interface was translated (issue 19):
a change of state only, no SQL. Relabel gives each field its label without repeating the field."""

from django.db import migrations

from clinic.migrations._frozen import Relabel


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0006_profile"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="closure",
            options={"ordering": ["starts_on"], "verbose_name": "closure", "verbose_name_plural": "closures"},
        ),
        migrations.AlterModelOptions(
            name="modality",
            options={"ordering": ["name"], "verbose_name": "modality", "verbose_name_plural": "modalities"},
        ),
        migrations.AlterModelOptions(
            name="room",
            options={"ordering": ["name"], "verbose_name": "room", "verbose_name_plural": "rooms"},
        ),
        migrations.AlterModelOptions(
            name="therapist",
            options={
                "ordering": ["user__last_name", "user__first_name"],
                "verbose_name": "therapist",
                "verbose_name_plural": "therapists",
            },
        ),
        migrations.AlterModelOptions(
            name="workinghours",
            options={
                "ordering": ["therapist", "weekday", "starts"],
                "verbose_name": "working hours",
                "verbose_name_plural": "working hours",
            },
        ),
        Relabel(
            "closure",
            {
                "ends_on": "ends on",
                "kind": "kind",
                "reason": "reason",
                "starts_on": "starts on",
                "therapist": "therapist",
            },
        ),
        Relabel("location", {"address": "address", "name": "name"}),
        Relabel(
            "modality",
            {
                "active": "active",
                "cadence": "cadence",
                "course_max_sessions": "course max sessions",
                "course_min_sessions": "course min sessions",
                "description": "description",
                "name": "name",
                "session_minutes": "session minutes",
                "sessions_per_week": "sessions per week",
                "uses_oils": "uses oils",
            },
        ),
        Relabel("profile", {"user": "user"}),
        Relabel("room", {"active": "active", "location": "location", "modalities": "modalities", "name": "name"}),
        Relabel(
            "therapist",
            {"active": "active", "calendar_colour": "calendar colour", "modalities": "modalities", "user": "user"},
        ),
        Relabel(
            "workinghours",
            {
                "ends": "ends",
                "location": "location",
                "starts": "starts",
                "therapist": "therapist",
                "weekday": "weekday",
            },
        ),
    ]
