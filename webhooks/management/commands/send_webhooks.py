"""POST the webhook deliveries that are due. Meant for cron, every minute:

    * * * * * cd /srv/clinic && .venv/bin/python manage.py send_webhooks

Running it again, or two copies at once, sends nothing twice: each delivery's row is locked while
it is sent (webhooks.sending)."""

from django.core.management.base import BaseCommand

from webhooks.sending import webhooks_send


class Command(BaseCommand):
    help = "POST the webhook deliveries that are due, signed; retry failures later with backoff."

    def handle(self, *args, **options):
        run = webhooks_send()
        if options["verbosity"] >= 1:
            self.stdout.write(f"{run.delivered} delivered, {run.retrying} to retry, {run.failed} failed.")
