"""Whether the clinic has published an intake questionnaire is part of its set-up: a new version
gives the set-up a new version token (clinic/setup_cache.py)."""

from django.db import migrations

from clinic.migrations._frozen import WatchSetupTable


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0008_setup_version"),
        ("patients", "0011_setup_version"),
    ]

    operations = [
        WatchSetupTable("patients_intakeversion"),
    ]
