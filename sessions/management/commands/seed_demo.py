"""`manage.py seed_demo`: load the demo clinic (sessions/management/seeding/demo.py), keep it in
the present, and print the logins."""

from django.core.management.base import BaseCommand, CommandError

from sessions.management.seeding import demo

MESSAGES = {
    demo.LOADED: "Demo data loaded.",
    demo.UNCHANGED: "Demo data is already there from today; nothing changed.",
    demo.MOVED: "Demo data moved to today: the demo's rows were deleted and the clinic seeded again.",
}


class Command(BaseCommand):
    help = (
        "Load demo data: four therapists, three rooms, 32 patients with courses, notes and bookings, "
        "and one login per role, as of today. Run again the same day, it changes nothing; on a later "
        "day (or with --reset) it moves the demo to today. Refuses a database with non-demo data."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="Delete the demo and seed it again as of now, even if from today."
        )
        parser.add_argument(
            "--address",
            default="127.0.0.1:8000",
            help="host:port the server listens on, for the printed log-in address (make run passes HOST:PORT).",
        )

    def handle(self, *args, **options):
        try:
            outcome = demo.demo_seed(reset=options["reset"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        message = MESSAGES[outcome]
        self.stdout.write(self.style.SUCCESS(message) if outcome != demo.UNCHANGED else message)
        counts = demo.counts()
        self.stdout.write(", ".join(f"{value} {name}" for name, value in counts.items()))
        self.stdout.write(f"\nLogins (http://{_host_port(options['address'])}/accounts/login/):")
        for username, password, role in demo.logins():
            self.stdout.write(f"  {username:<10} {password:<20} {role}")


def _host_port(address: str) -> str:
    """An IPv6 host goes in brackets in a URL."""
    host, _, port = address.rpartition(":")
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{host}:{port}" if host else address
