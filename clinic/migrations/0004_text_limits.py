"""Text limits in the database: CheckConstraints on Length(field) (max_length on a TextField binds only forms)."""

import django.db.models.functions.text
import django.db.models.lookups
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
        ("clinic", "0003_username_unique_ignoring_case"),
    ]

    operations = [
        migrations.RunPython(
            texts_within_limits({("clinic", "Modality"): {"description": 2000}}),
            migrations.RunPython.noop,
            elidable=True,
        ),
        migrations.AlterField(
            model_name="modality",
            name="description",
            field=models.TextField(blank=True, max_length=2000),
        ),
        migrations.AddConstraint(
            model_name="modality",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("description"), 2000
                ),
                name="modality_description_length",
                violation_error_message="The description takes up to 2,000 characters.",
            ),
        ),
    ]
