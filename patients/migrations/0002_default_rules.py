from django.db import migrations

from patients.rules import DEFAULT_RULES


def create_rules(apps, schema_editor):
    Rule = apps.get_model("patients", "ContraindicationRule")
    for values in DEFAULT_RULES:
        values = dict(values)
        message = values.pop("message")
        Rule.objects.get_or_create(modality=None, **values, defaults={"message": message})


class Migration(migrations.Migration):
    dependencies = [("patients", "0001_initial")]

    operations = [migrations.RunPython(create_rules, migrations.RunPython.noop)]
