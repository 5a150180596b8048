"""Issue 17: the channel a patient is reached by (e-mail or SMS), and self-booking on or off for one patient."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('patients', '0001_squashed_0005_text_limits'),
    ]

    operations = [
        migrations.AddField(
            model_name='patient',
            name='contact_channel',
            field=models.CharField(choices=[('email', 'E-mail'), ('sms', 'Text message (SMS)')], default='email', help_text='How the clinic sends reminders and offers.', max_length=5, verbose_name='Messages by'),
        ),
        migrations.AddField(
            model_name='patient',
            name='self_booking',
            field=models.BooleanField(default=True, help_text='Books, moves and cancels the sessions of a prescribed course in the portal.', verbose_name='May book online'),
        ),
        migrations.AddConstraint(
            model_name='patient',
            constraint=models.CheckConstraint(condition=models.Q(('contact_channel__in', ['email', 'sms'])), name='patient_contact_channel_known', violation_error_message='Messages go by e-mail or by text message (SMS).'),
        ),
    ]
