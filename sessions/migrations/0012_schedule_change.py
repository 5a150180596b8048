"""The schedule's version (sessions/schedule_version.py): a log of the days that sessions and held
offers were written on, added to by triggers on both tables."""

from django.db import migrations, models

from clinic.migrations._frozen import LogScheduleDays, model


class Migration(migrations.Migration):
    dependencies = [
        ("treatment_sessions", "0011_record_version"),
    ]

    operations = [
        model(
            "ScheduleChange",
            [("day", models.DateField()), ("nonce", models.IntegerField())],
            indexes=[models.Index(fields=["day", "nonce"], name="schedule_change_day_idx")],
        ),
        LogScheduleDays("treatment_sessions_appointment"),
        LogScheduleDays("treatment_sessions_waitlistoffer"),
    ]
