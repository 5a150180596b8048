# A flag on the session, set when its note is signed, and the index of the sessions given without one.

from django.conf import settings
from django.db import migrations, models


def mark_signed(apps, schema_editor):
    """The sessions whose note was signed before the flag existed (sessions.notes)."""
    Appointment = apps.get_model("treatment_sessions", "Appointment")
    Appointment.objects.filter(note__signed_at__isnull=False).update(note_signed=True)


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0007_verbose_names"),
        ("patients", "0010_verbose_names"),
        ("treatment_sessions", "0007_verbose_names"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="appointment",
            name="note_signed",
            field=models.BooleanField(db_default=False, default=False, editable=False, verbose_name="note signed"),
        ),
        migrations.RunPython(mark_signed, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="appointment",
            index=models.Index(
                condition=models.Q(("note_signed", False), ("status__in", ["checked_in", "completed"])),
                fields=["starts_at"],
                name="appointment_note_unsigned_idx",
            ),
        ),
    ]
