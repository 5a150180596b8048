"""Text limits in the database: CheckConstraints on Length(field) (max_length on a TextField binds only forms)."""

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
        ("patients", "0004_patient_search_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(
            texts_within_limits(
                {
                    ("patients", "Study"): {"findings": 4000},
                    ("patients", "PhaseRecord"): {"note": 2000},
                    ("patients", "BreakGlassAccess"): {"reason": 1000},
                }
            ),
            migrations.RunPython.noop,
            elidable=True,
        ),
        migrations.AlterField(
            model_name="breakglassaccess",
            name="reason",
            field=models.TextField(max_length=1000),
        ),
        migrations.AlterField(
            model_name="phaserecord",
            name="note",
            field=models.TextField(blank=True, max_length=2000),
        ),
        migrations.AlterField(
            model_name="study",
            name="findings",
            field=models.TextField(max_length=4000),
        ),
        migrations.AddConstraint(
            model_name="breakglassaccess",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("reason"), 1000
                ),
                name="break_glass_reason_length",
                violation_error_message="The reason takes up to 1,000 characters.",
            ),
        ),
        migrations.AddConstraint(
            model_name="phaserecord",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("note"), 2000
                ),
                name="phase_record_note_length",
                violation_error_message="The note takes up to 2,000 characters.",
            ),
        ),
        migrations.AddConstraint(
            model_name="study",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("findings"), 4000
                ),
                name="study_findings_length",
                violation_error_message="The findings takes up to 4,000 characters.",
            ),
        ),
    ]
