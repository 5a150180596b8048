# Each course's pain before its first session done and after its latest (sessions.course_progress),
# copied from the notes signed before the copies existed.

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_pain(apps, schema_editor):
    """course_pain_record for every course, as it stood when the copies were added."""
    Course = apps.get_model("treatment_sessions", "Course")
    SessionNote = apps.get_model("treatment_sessions", "SessionNote")
    notes = SessionNote.objects.filter(
        appointment__course_id=OuterRef("pk"), appointment__status="completed", signed_at__isnull=False
    )
    first = notes.filter(pain_before__isnull=False).order_by("appointment__starts_at", "pk")
    last = notes.filter(pain_after__isnull=False).order_by("-appointment__starts_at", "-pk")
    Course.objects.update(
        first_pain=Subquery(first.values("pain_before")[:1]), last_pain=Subquery(last.values("pain_after")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [("treatment_sessions", "0009_report_covering_indexes")]

    operations = [
        migrations.AddField(
            model_name="course",
            name="first_pain",
            field=models.PositiveSmallIntegerField(
                editable=False, null=True, verbose_name="pain before the first session"
            ),
        ),
        migrations.AddField(
            model_name="course",
            name="last_pain",
            field=models.PositiveSmallIntegerField(
                editable=False, null=True, verbose_name="pain after the latest session"
            ),
        ),
        migrations.RunPython(copy_pain, migrations.RunPython.noop, elidable=True),
    ]
