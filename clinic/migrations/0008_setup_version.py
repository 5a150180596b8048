"""The set-up's version token (clinic/setup_cache.py): its table, its first token, and the
triggers on the clinic's set-up tables and on the users' names (a therapist is shown by name).
patients/migrations/0011_setup_version.py watches the rules and the consent topics."""

from django.conf import settings
from django.db import migrations, models
from django.utils.crypto import get_random_string

from clinic.migrations._frozen import WatchSetupTable


def first_token(apps, schema_editor):
    apps.get_model("clinic", "SetupVersion").objects.using(schema_editor.connection.alias).create(
        id=1, token=get_random_string(32)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0007_verbose_names"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SetupVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.CharField(max_length=64)),
            ],
        ),
        migrations.RunPython(first_token, migrations.RunPython.noop),
        WatchSetupTable("clinic_modality"),
        WatchSetupTable("clinic_location"),
        WatchSetupTable("clinic_therapist"),
        WatchSetupTable("clinic_therapist_modalities"),
        WatchSetupTable("clinic_room"),
        WatchSetupTable("clinic_room_modalities"),
        WatchSetupTable("clinic_workinghours"),
        WatchSetupTable("clinic_closure"),
        WatchSetupTable("auth_user", columns=["username", "first_name", "last_name"]),
    ]
