"""Text limits in the database (CheckConstraints on Length(field)), and room for the keyed note seal ("2:<key id>:<hmac>")."""

import django.db.models.functions.text
import django.db.models.lookups
from django.conf import settings
from django.db import migrations, models
from django.db.models.functions import Length


def texts_within_limits(spec):
    """A step that stops the migration, naming the rows, when existing text is longer than a limit
    about to be enforced, rather than leave it to the database's constraint error. Inlined, as
    migrations import nothing from the apps. spec: {(app_label, model_name): {field: limit}}."""

    def check(apps, schema_editor):
        problems = []
        for (app_label, model_name), limits in spec.items():
            model = apps.get_model(app_label, model_name)
            for field, limit in limits.items():
                longer = model.objects.annotate(_length=Length(field)).filter(_length__gt=limit)
                ids = list(longer.values_list("pk", flat=True)[:20])
                if ids:
                    problems.append(f"{app_label}.{model_name}.{field} longer than {limit} characters: ids {ids}")
        if problems:
            raise RuntimeError("Shorten these texts before migrating: " + "; ".join(problems))

    return check


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0004_text_limits"),
        ("patients", "0005_text_limits"),
        ("treatment_sessions", "0002_outcome_scores"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(
            texts_within_limits(
                {
                    ("treatment_sessions", "SessionNote"): {
                        "subjective": 4000,
                        "objective": 4000,
                        "assessment": 4000,
                        "plan": 4000,
                        "patient_summary": 2000,
                    },
                    ("treatment_sessions", "Addendum"): {"text": 4000},
                    ("treatment_sessions", "Course"): {
                        "goals": 2000,
                        "home_programme": 2000,
                        "discharge_summary": 2000,
                    },
                }
            ),
            migrations.RunPython.noop,
            elidable=True,
        ),
        migrations.AlterField(
            model_name="addendum",
            name="text",
            field=models.TextField(max_length=4000),
        ),
        migrations.AlterField(
            model_name="course",
            name="discharge_summary",
            field=models.TextField(blank=True, max_length=2000),
        ),
        migrations.AlterField(
            model_name="course",
            name="goals",
            field=models.TextField(blank=True, max_length=2000),
        ),
        migrations.AlterField(
            model_name="course",
            name="home_programme",
            field=models.TextField(
                blank=True,
                help_text="Exercises between sessions; only once the condition is in remission.",
                max_length=2000,
            ),
        ),
        migrations.AlterField(
            model_name="sessionnote",
            name="assessment",
            field=models.TextField(blank=True, max_length=4000),
        ),
        migrations.AlterField(
            model_name="sessionnote",
            name="content_hash",
            field=models.CharField(blank=True, editable=False, max_length=100),
        ),
        migrations.AlterField(
            model_name="sessionnote",
            name="objective",
            field=models.TextField(blank=True, max_length=4000),
        ),
        migrations.AlterField(
            model_name="sessionnote",
            name="patient_summary",
            field=models.TextField(blank=True, help_text="The part the patient reads in the portal.", max_length=2000),
        ),
        migrations.AlterField(
            model_name="sessionnote",
            name="plan",
            field=models.TextField(blank=True, max_length=4000),
        ),
        migrations.AlterField(
            model_name="sessionnote",
            name="subjective",
            field=models.TextField(blank=True, max_length=4000),
        ),
        migrations.AddConstraint(
            model_name="addendum",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("text"), 4000
                ),
                name="addendum_text_length",
                violation_error_message="The text takes up to 4,000 characters.",
            ),
        ),
        migrations.AddConstraint(
            model_name="course",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("goals"), 2000
                ),
                name="course_goals_length",
                violation_error_message="The goals takes up to 2,000 characters.",
            ),
        ),
        migrations.AddConstraint(
            model_name="course",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("home_programme"), 2000
                ),
                name="course_home_programme_length",
                violation_error_message="The home programme takes up to 2,000 characters.",
            ),
        ),
        migrations.AddConstraint(
            model_name="course",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("discharge_summary"), 2000
                ),
                name="course_discharge_summary_length",
                violation_error_message="The discharge summary takes up to 2,000 characters.",
            ),
        ),
        migrations.AddConstraint(
            model_name="sessionnote",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("subjective"), 4000
                ),
                name="note_subjective_length",
                violation_error_message="The subjective takes up to 4,000 characters.",
            ),
        ),
        migrations.AddConstraint(
            model_name="sessionnote",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("objective"), 4000
                ),
                name="note_objective_length",
                violation_error_message="The objective takes up to 4,000 characters.",
            ),
        ),
        migrations.AddConstraint(
            model_name="sessionnote",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("assessment"), 4000
                ),
                name="note_assessment_length",
                violation_error_message="The assessment takes up to 4,000 characters.",
            ),
        ),
        migrations.AddConstraint(
            model_name="sessionnote",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("plan"), 4000
                ),
                name="note_plan_length",
                violation_error_message="The plan takes up to 4,000 characters.",
            ),
        ),
        migrations.AddConstraint(
            model_name="sessionnote",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("patient_summary"), 2000
                ),
                name="note_patient_summary_length",
                violation_error_message="The patient summary takes up to 2,000 characters.",
            ),
        ),
    ]
