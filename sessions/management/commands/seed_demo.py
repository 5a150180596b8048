"""`manage.py seed_demo`: load the demo clinic (see sessions/demo.py) and print the logins."""

from django.core.management.base import BaseCommand, CommandError

from sessions.management.seeding import demo


class Command(BaseCommand):
    help = (
        "Load demo data: four therapists, three rooms, 32 patients with courses, notes and bookings, "
        "and one login per role. Running it again changes nothing once the demo users exist."
    )

    def handle(self, *args, **options):
        try:
            created = demo.demo_seed()
        except ValueError as error:
            raise CommandError(str(error)) from error
        if created:
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        else:
            self.stdout.write("Demo data is already there; nothing changed.")
        counts = demo.counts()
        self.stdout.write(", ".join(f"{value} {name}" for name, value in counts.items()))
        self.stdout.write("\nLogins (http://127.0.0.1:8000/accounts/login/):")
        for username, password, role in demo.logins():
            self.stdout.write(f"  {username:<10} {password:<20} {role}")
