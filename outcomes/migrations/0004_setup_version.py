"""The outcome measures a patient is asked to fill in are part of the clinic's set-up: a write to
them gives the set-up a new version token (clinic/setup_cache.py)."""

from django.db import migrations

from clinic.migrations._frozen import WatchSetupTable


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0008_setup_version"),
        ("outcomes", "0003_verbose_names"),
    ]

    operations = [
        WatchSetupTable("outcomes_measure"),
        WatchSetupTable("outcomes_measureitem"),
    ]
