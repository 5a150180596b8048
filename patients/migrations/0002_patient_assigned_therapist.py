# Reception assigns a therapist to a patient; a diagnosis keeps who recorded it. Both count as
# "treats the patient" (sessions.chart_access).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('clinic', '0001_squashed_0004_audit_log_append_only'),
        ('patients', '0001_squashed_0009_patient_search_trigram'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='diagnosis',
            name='recorded_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='patient',
            name='assigned_therapist',
            field=models.ForeignKey(blank=True, help_text='The therapist who takes this patient on; she may open the chart.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='assigned_patients', to='clinic.therapist'),
        ),
    ]
