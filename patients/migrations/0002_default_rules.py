"""The contraindication rules a new clinic starts with; the clinic edits them in the admin.

Self-contained copy of patients.rules.DEFAULT_RULES (the messages follow the flag's own name,
"High blood pressure: the therapist should…", so they do not repeat it)."""

from django.db import migrations

DEFAULT_RULES = [
    {"flag_kind": "fever_infection", "effect": "block", "message": "no massage until it has passed."},
    {
        "flag_kind": "oil_allergy",
        "oil_modalities_only": True,
        "effect": "warn",
        "message": "tell the therapist and use an oil the patient tolerates.",
    },
    {"flag_kind": "hypertension", "effect": "warn", "message": "the therapist should check it and adapt the pressure."},
    {"flag_kind": "pregnancy", "effect": "warn", "message": "only positions and techniques that are safe in pregnancy."},
    {"flag_kind": "recent_surgery", "effect": "warn", "message": "confirm the surgeon has cleared the area for massage."},
    {"flag_kind": "skin_condition", "effect": "warn", "message": "avoid the affected skin."},
]


def create_rules(apps, schema_editor):
    Rule = apps.get_model("patients", "ContraindicationRule")
    for values in DEFAULT_RULES:
        values = dict(values)
        message = values.pop("message")
        Rule.objects.get_or_create(modality=None, **values, defaults={"message": message})


class Migration(migrations.Migration):
    dependencies = [("patients", "0001_initial")]

    operations = [migrations.RunPython(create_rules, migrations.RunPython.noop)]
