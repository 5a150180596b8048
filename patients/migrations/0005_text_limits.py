"""Text limits in the database: CheckConstraints on Length(field) (max_length on a TextField binds only forms)."""

from django.conf import settings
from django.db import migrations

from clinic.migrations._frozen import text_length_constraints, text_max_lengths, texts_within_limits


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0004_patient_search_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        texts_within_limits(
            {
                ("patients", "Study"): {"findings": 4000},
                ("patients", "PhaseRecord"): {"note": 2000},
                ("patients", "BreakGlassAccess"): {"reason": 1000},
            }
        ),
        *text_max_lengths("breakglassaccess", {"reason": 1000}, blank=False),
        *text_max_lengths("phaserecord", {"note": 2000}),
        *text_max_lengths("study", {"findings": 4000}, blank=False),
        *text_length_constraints("breakglassaccess", "break_glass", {"reason": 1000}),
        *text_length_constraints("phaserecord", "phase_record", {"note": 2000}),
        *text_length_constraints("study", "study", {"findings": 4000}),
    ]
