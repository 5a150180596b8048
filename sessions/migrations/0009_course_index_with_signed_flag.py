"""The index of a course's sessions by status and time carries each session's `note_signed` flag,
so the reports count a course's sessions done from the index alone instead of reading the note of
each completed session (docs/PERFORMANCE.md). It replaces the index on the same columns."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("treatment_sessions", "0008_note_signed_flag"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="appointment", name="appointment_course_idx"),
        migrations.AddIndex(
            model_name="appointment",
            index=models.Index(
                fields=["course", "status", "starts_at", "id"],
                include=("note_signed",),
                name="appointment_course_signed_idx",
            ),
        ),
    ]
