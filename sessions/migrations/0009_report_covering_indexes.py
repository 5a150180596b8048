"""Indexes for the manager's reports over long periods (docs/PERFORMANCE.md):

- a period's sessions by their start, carrying who, where, when, the status and the cancellation's
  time, so a year's utilisation, cancellations, busy hours, new patients and the courses held are
  counted from the index without reading the table; it replaces the plain index on the start;
- a course's sessions by status and time carrying the `note_signed` flag, the room and the
  therapist, so a course's sessions done are counted from the index instead of reading the note
  of each completed session, and whether a course had a session at a site or with a therapist is
  answered from it too; it replaces the index on the same columns that carried nothing."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("treatment_sessions", "0008_note_signed_flag"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="appointment", name="appointment_starts_idx"),
        migrations.RemoveIndex(model_name="appointment", name="appointment_course_idx"),
        migrations.AddIndex(
            model_name="appointment",
            index=models.Index(
                fields=["starts_at"],
                include=(
                    "status",
                    "therapist",
                    "room",
                    "patient",
                    "course",
                    "modality",
                    "ends_at",
                    "cancelled_at",
                    "id",
                ),
                name="appointment_period_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="appointment",
            index=models.Index(
                fields=["course", "status", "starts_at", "id"],
                include=("note_signed", "room", "therapist"),
                name="appointment_course_cover_idx",
            ),
        ),
    ]
