"""Issue 17: a session the patient booked in the portal is marked so."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('treatment_sessions', '0001_squashed_0003_text_limits_and_keyed_seal'),
    ]

    operations = [
        migrations.AddField(
            model_name='appointment',
            name='self_booked',
            field=models.BooleanField(default=False, db_default=False, editable=False),
        ),
    ]
