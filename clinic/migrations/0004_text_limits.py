"""Text limits in the database: CheckConstraints on Length(field) (max_length on a TextField binds only forms)."""

from django.db import migrations

from clinic.migrations._frozen import text_length_constraints, text_max_lengths, texts_within_limits


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0003_username_unique_ignoring_case"),
    ]

    operations = [
        texts_within_limits({("clinic", "Modality"): {"description": 2000}}),
        *text_max_lengths("modality", {"description": 2000}),
        *text_length_constraints("modality", "modality", {"description": 2000}),
    ]
