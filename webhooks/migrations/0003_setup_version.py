"""Which endpoints receive which events is part of the clinic's set-up: every booking, move and
cancellation asks, and the set-up cache keeps the answer (clinic/setup_cache.py). A change of
what an endpoint receives gives the set-up a new version token; a new secret does not."""

from django.db import migrations

from clinic.migrations._frozen import WatchSetupTable


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0008_setup_version"),
        ("webhooks", "0002_verbose_names"),
    ]

    operations = [
        WatchSetupTable("webhooks_webhookendpoint", columns=["active", "events", "clinical_text_allowed"]),
    ]
