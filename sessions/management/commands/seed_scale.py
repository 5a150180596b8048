"""`manage.py seed_scale`: fill an empty database with a large practice's years of data, for
measuring performance (docs/PERFORMANCE.md). Never run it against a real clinic's database."""

import time

from django.core.management.base import BaseCommand, CommandError

from sessions.management.seeding import scale


class Command(BaseCommand):
    help = (
        "Generate scale data: therapists, rooms, working hours, closures, patients with their clinical "
        "record, courses, years of held sessions with signed notes and the coming weeks booked. "
        f"Logins: {scale.RECEPTION_USERNAME}, {scale.MANAGER_USERNAME}, scale.therapistNN and the patients' "
        f"e-mail addresses, all with the password {scale.SCALE_PASSWORD}. Deterministic from --seed (and today)."
    )

    def add_arguments(self, parser):
        defaults = scale.ScaleOptions()
        parser.add_argument("--therapists", type=int, default=defaults.therapists)
        parser.add_argument("--rooms", type=int, default=defaults.rooms)
        parser.add_argument("--patients", type=int, default=defaults.patients)
        parser.add_argument("--years", type=float, default=defaults.years, help="how far back the history goes")
        parser.add_argument("--weeks-ahead", type=int, default=defaults.weeks_ahead, help="weeks already booked")
        parser.add_argument("--seed", type=int, default=defaults.seed)
        parser.add_argument(
            "--flush",
            action="store_true",
            help="first delete every patient, booking, therapist and room, and every user but superusers",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="add to a database that already has data (new therapists, rooms and patients only)",
        )

    def handle(self, *args, **options):
        numbers = {name: options[name] for name in ("therapists", "rooms", "patients")}
        if any(value < 1 for value in numbers.values()) or options["years"] < 0 or options["weeks_ahead"] < 0:
            raise CommandError(
                "--therapists, --rooms and --patients must be at least 1; --years and --weeks-ahead 0 or more."
            )
        started = time.monotonic()
        if options["flush"]:
            scale.flush_clinic_data()
        elif scale.database_has_data() and not options["force"]:
            raise CommandError(
                "The database already holds clinic data. Use --flush to delete it first, or --force to add to it."
            )
        seeder = scale.ScaleSeeder(
            scale.ScaleOptions(
                years=options["years"], seed=options["seed"], weeks_ahead=options["weeks_ahead"], **numbers
            ),
            log=self.stdout.write if options["verbosity"] >= 2 else None,
        )
        try:
            counts = seeder.run()
        except ValueError as error:
            raise CommandError(str(error)) from error
        analyzing = time.monotonic()
        scale.analyze()
        if options["verbosity"] >= 2:
            self.stdout.write(f"VACUUM ANALYZE in {time.monotonic() - analyzing:.1f} s")
        if options["verbosity"] >= 1:
            for label, count in counts.items():
                self.stdout.write(f"{count:>10,}  {label}")
            self.stdout.write(self.style.SUCCESS(f"Scale data loaded in {time.monotonic() - started:.0f} s."))
