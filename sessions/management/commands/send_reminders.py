"""E-mail patients about their sessions in the next 24 hours. Meant for cron, every few minutes:

    */10 * * * * cd /srv/clinic && .venv/bin/python manage.py send_reminders

Each session is reminded once, however often (or however many copies at once) this runs.
"""

from django.core.management.base import BaseCommand

from sessions.reminders import appointment_reminders_send


class Command(BaseCommand):
    help = "E-mail a reminder for every booked session starting within the next 24 hours, once."

    def handle(self, *args, **options):
        sent = appointment_reminders_send()
        if options["verbosity"] >= 1 and sent:
            self.stdout.write(f"Sent {sent} reminder{'s' if sent != 1 else ''}.")
