"""Text limits in the database (CheckConstraints on Length(field)), and room for the keyed note seal ("2:<key id>:<hmac>")."""

from django.conf import settings
from django.db import migrations, models

from clinic.migrations._frozen import text_length_constraints, text_max_lengths, texts_within_limits

NOTE_LIMITS = {"subjective": 4000, "objective": 4000, "assessment": 4000, "plan": 4000, "patient_summary": 2000}
COURSE_LIMITS = {"goals": 2000, "home_programme": 2000, "discharge_summary": 2000}


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0004_text_limits"),
        ("patients", "0005_text_limits"),
        ("treatment_sessions", "0002_outcome_scores"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        texts_within_limits(
            {
                ("treatment_sessions", "SessionNote"): NOTE_LIMITS,
                ("treatment_sessions", "Addendum"): {"text": 4000},
                ("treatment_sessions", "Course"): COURSE_LIMITS,
            }
        ),
        *text_max_lengths("addendum", {"text": 4000}, blank=False),
        *text_max_lengths("course", {"discharge_summary": 2000, "goals": 2000}),
        migrations.AlterField(
            model_name="course",
            name="home_programme",
            field=models.TextField(
                blank=True,
                help_text="Exercises between sessions; only once the condition is in remission.",
                max_length=2000,
            ),
        ),
        *text_max_lengths("sessionnote", {"assessment": 4000}),
        migrations.AlterField(
            model_name="sessionnote",
            name="content_hash",
            field=models.CharField(blank=True, editable=False, max_length=100),
        ),
        *text_max_lengths("sessionnote", {"objective": 4000}),
        migrations.AlterField(
            model_name="sessionnote",
            name="patient_summary",
            field=models.TextField(blank=True, help_text="The part the patient reads in the portal.", max_length=2000),
        ),
        *text_max_lengths("sessionnote", {"plan": 4000, "subjective": 4000}),
        *text_length_constraints("addendum", "addendum", {"text": 4000}),
        *text_length_constraints("course", "course", COURSE_LIMITS),
        *text_length_constraints("sessionnote", "note", NOTE_LIMITS),
    ]
