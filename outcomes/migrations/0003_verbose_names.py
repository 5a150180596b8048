"""The verbose names made explicit and translatable when the interface was translated (issue 19):
a change of state only, no SQL. Relabel gives each field its label without repeating the field."""

from django.db import migrations

from clinic.migrations._frozen import Relabel


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0002_builtin_measures"),
    ]

    operations = [
        Relabel(
            "measure",
            {
                "active": "active",
                "code": "code",
                "created_at": "created at",
                "created_by": "created by",
                "due_at_end": "due at end",
                "due_at_start": "due at start",
                "due_every_sessions": "due every sessions",
                "higher_is_better": "higher is better",
                "instructions": "instructions",
                "kind": "kind",
                "licence": "licence",
                "max_items": "max items",
                "max_label": "max label",
                "mcid": "mcid",
                "mcid_source": "mcid source",
                "min_label": "min label",
                "name": "name",
                "scale_max": "scale max",
                "scale_min": "scale min",
                "scoring": "scoring",
            },
        ),
        Relabel("measureitem", {"answers": "answers", "measure": "measure", "position": "position", "text": "text"}),
    ]
