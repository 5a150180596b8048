"""The verbose names made explicit and translatable when the interface was translated (issue 19):
a change of state only, no SQL. Relabel gives each field its label without repeating the field."""

from django.db import migrations

from clinic.migrations._frozen import Relabel


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
    ]

    operations = [
        Relabel(
            "apitoken",
            {
                "created_at": "created at",
                "last_used_at": "last used at",
                "name": "name",
                "prefix": "prefix",
                "revoked_at": "revoked at",
                "scope": "scope",
                "secret_hash": "secret hash",
                "user": "user",
            },
        ),
    ]
