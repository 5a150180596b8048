"""Remind patients (by e-mail or SMS, as each chose) of their sessions in the next 24 hours.
Meant for cron, every few minutes:

    */10 * * * * cd /srv/clinic && .venv/bin/python manage.py send_reminders

Each session is reminded once, however often (or however many copies at once) this runs.
"""

from django.core.management.base import BaseCommand, CommandError

from clinic.messaging import MessageNotSent
from sessions.reminders import appointment_reminders_send


class Command(BaseCommand):
    help = "Remind (e-mail or SMS) of every booked session starting within the next 24 hours, once."

    def handle(self, *args, **options):
        try:
            sent = appointment_reminders_send()
        except MessageNotSent as error:
            # Cron mails the output: the reason, and a failing status; the session is retried.
            raise CommandError(f"Reminders stopped: {error}") from error
        if options["verbosity"] >= 1 and sent:
            self.stdout.write(f"Sent {sent} reminder{'s' if sent != 1 else ''}.")
