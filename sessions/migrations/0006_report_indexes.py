"""Indexes for the manager's reports: a course's sessions by status and time with their ids, and a
note's signature and pain scores by session, so each course's first and last figures are read from
the indexes alone (docs/PERFORMANCE.md). The first replaces the index on (course, status), which is
its prefix."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("treatment_sessions", "0005_waitlist"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="appointment", name="appointment_course_status_idx"),
        migrations.AddIndex(
            model_name="appointment",
            index=models.Index(fields=["course", "status", "starts_at", "id"], name="appointment_course_idx"),
        ),
        migrations.AddIndex(
            model_name="sessionnote",
            index=models.Index(
                fields=["appointment", "signed_at", "pain_before", "pain_after", "id"], name="note_signed_pain_idx"
            ),
        ),
    ]
