"""The contraindication rules and the consent topics are part of the clinic's set-up: a write to
them gives the set-up a new version token (clinic/setup_cache.py)."""

from django.db import migrations

from clinic.migrations._frozen import WatchSetupTable


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0008_setup_version"),
        ("patients", "0010_verbose_names"),
    ]

    operations = [
        WatchSetupTable("patients_contraindicationrule"),
        WatchSetupTable("patients_consenttopic"),
        WatchSetupTable("patients_consenttopic_modalities"),
        WatchSetupTable("patients_consentversion"),
    ]
