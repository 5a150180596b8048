"""Offer freed slots to the waitlist. Meant for cron, every few minutes, beside the reminders:

    */5 * * * * cd /srv/clinic && .venv/bin/python manage.py send_waitlist_offers

Each run: wishes past their last day leave the waitlist, holds that ran out expire, and each open
slot goes to the next wishes in order (urgent first, then first come). Running it again, or two
copies at once, offers nothing twice: a slot held by its batch is left alone.
"""

from django.core.management.base import BaseCommand

from sessions.waitlist import waitlist_offers_send


class Command(BaseCommand):
    help = "Offer freed slots to the waiting wishes, expire holds that ran out, pass their slots on."

    def handle(self, *args, **options):
        run = waitlist_offers_send()
        if options["verbosity"] >= 1:
            done = [
                (run.offers, "offer sent", "offers sent"),
                (run.expired_offers, "hold expired", "holds expired"),
                (run.closed_slots, "slot closed", "slots closed"),
                (run.expired_wishes, "wish expired", "wishes expired"),
            ]
            for count, one, many in done:
                if count:
                    self.stdout.write(f"{count} {one if count == 1 else many}.")
