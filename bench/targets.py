"""What the load test asks for, read from the seeded database: logins, the day to show, the
patients each therapist treats, search terms, and free slots to book (each one distinct, for a
distinct patient, so that no two bookings of the run compete for the same slot).

    DJANGO_SETTINGS_MODULE=clinic.settings .venv/bin/python bench/targets.py > bench/results/targets.json
"""

import datetime as dt
import json
import os
import random
import sys
from bisect import bisect_right
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.utils import timezone  # noqa: E402

from clinic import roles  # noqa: E402
from clinic.models import Modality, Room, Therapist  # noqa: E402
from patients.models import Patient  # noqa: E402
from sessions.management.seeding import scale  # noqa: E402
from sessions.models import Appointment, AppointmentStatus  # noqa: E402
from sessions.schedule import Schedule, at_local  # noqa: E402

# Enough for a minute of bookings at 250 a second: a list that runs out ends the page's run early.
BOOKINGS = int(os.environ.get("BENCH_BOOKINGS", "15000"))
BOOKING_DAYS = 140  # bookings go into the coming twenty weeks, the busy ones first
rng = random.Random(2026)


def busiest_weekday(today: dt.date) -> dt.date:
    """The day the reception board is measured on: the fullest of the coming seven."""
    days = [today + dt.timedelta(days=i) for i in range(7)]
    counts = {
        day: Appointment.objects.filter(
            starts_at__gte=at_local(day, dt.time.min), starts_at__lt=at_local(day + dt.timedelta(days=1), dt.time.min)
        )
        .exclude(status=AppointmentStatus.CANCELLED)
        .count()
        for day in days
    }
    return max(days, key=lambda day: (counts[day], -days.index(day)))


def therapists_and_patients() -> list[dict]:
    """Each therapist's login and the patients they have seen lately: a chart they may open."""
    result = []
    for therapist in Therapist.objects.filter(active=True).select_related("user").order_by("pk"):
        patient_ids = []
        rows = (
            Appointment.objects.filter(therapist=therapist).order_by("-starts_at").values_list("patient_id", flat=True)
        )
        for patient_id in rows[:400]:
            if patient_id not in patient_ids:
                patient_ids.append(patient_id)
            if len(patient_ids) == 30:
                break
        if patient_ids:
            result.append({"username": therapist.user.username, "patients": patient_ids})
    return result


def portal_logins() -> list[str]:
    users = User.objects.filter(groups__name=roles.PATIENT, patient__courses__isnull=False).distinct()
    return list(users.order_by("pk").values_list("username", flat=True)[:60])


def search_terms() -> list[str]:
    """What reception types: surnames, a surname's first letters, first and last name, phone
    digits as people write them, dates of birth."""
    patients = list(Patient.objects.order_by("?").values("first_name", "last_name", "phone", "date_of_birth")[:200])
    surnames = [row["last_name"] for row in patients[:15]]
    prefixes = [row["last_name"][:4] for row in patients[15:25]]
    full = [f"{row['first_name']} {row['last_name']}".lower() for row in patients[25:40]]
    phones = []
    for row in patients[40:55]:
        _, area, number = row["phone"].split(" ")
        phones.append(f"0{area} {number[:3]} {number[3:]}")
    births = [row["date_of_birth"].strftime("%d.%m.%Y") for row in patients[55:70]]
    terms = surnames + prefixes + full + phones + births
    rng.shuffle(terms)
    return terms


class Busy:
    """Sorted, merged busy spans (epoch seconds) of one therapist or room on one day."""

    def __init__(self):
        self.starts: list[float] = []
        self.ends: list[float] = []

    def free(self, start: float, end: float) -> bool:
        i = bisect_right(self.ends, start)
        return i == len(self.ends) or self.starts[i] >= end

    def take(self, start: float, end: float) -> None:
        i = bisect_right(self.ends, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)


def free_slots(modality: Modality, today: dt.date) -> list[dict]:
    """Non-overlapping free (therapist, room, start) combinations, each for a patient with no
    sessions and no diagnosis (nothing can refuse the booking), in a shuffled order."""
    first, last = today + dt.timedelta(days=1), today + dt.timedelta(days=BOOKING_DAYS)
    therapists = list(Therapist.objects.filter(active=True, modalities=modality).order_by("pk"))
    rooms = list(Room.objects.filter(active=True, modalities=modality).order_by("name"))
    schedule = Schedule.load(starts_on=first, ends_on=last, therapists=therapists, rooms=rooms)
    busy = defaultdict(Busy)
    rows = (
        Appointment.objects.filter(starts_at__gte=at_local(first, dt.time.min))
        .exclude(status=AppointmentStatus.CANCELLED)
        .values_list("therapist_id", "room_id", "starts_at", "ends_at")
    )
    for therapist_id, room_id, starts_at, ends_at in rows:
        day = timezone.localtime(starts_at).date()
        for key in (("t", therapist_id, day), ("r", room_id, day)):
            busy[key].take(starts_at.timestamp(), ends_at.timestamp())
    length = dt.timedelta(minutes=modality.session_minutes)
    slots = []
    day = first
    while day <= last and len(slots) < BOOKINGS:
        for therapist in therapists:
            if schedule.closure_on(therapist.pk, day):
                continue
            # A room at the site where the therapist works in that block (the scale data has three).
            for block_start, block_end, site in schedule.site_blocks(therapist.pk, day):
                start, block_ends = at_local(day, block_start), at_local(day, block_end)
                there = [room for room in rooms if room.location_id == site]
                while start + length <= block_ends:
                    s, e = start.timestamp(), (start + length).timestamp()
                    room = next((r for r in there if busy[("r", r.pk, day)].free(s, e)), None)
                    if busy[("t", therapist.pk, day)].free(s, e) and room is not None:
                        busy[("t", therapist.pk, day)].take(s, e)
                        busy[("r", room.pk, day)].take(s, e)
                        slots.append((start, therapist.pk, room.pk))
                        start += length
                    else:
                        start += dt.timedelta(minutes=15)
        day += dt.timedelta(days=1)
    patients = (
        Patient.objects.annotate(
            sessions=Count("appointments"), records=Count("diagnoses"), flags=Count("health_flags")
        )
        .filter(sessions=0, records=0, flags=0)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    slots = slots[:BOOKINGS]
    rng.shuffle(slots)
    return [
        {
            "patient": patient_id,
            "day": timezone.localtime(start).date().isoformat(),
            "slot": f"{start.isoformat()}|{therapist_id}|{room_id}",
        }
        for (start, therapist_id, room_id), patient_id in zip(slots, patients, strict=False)
    ]


def main() -> None:
    today = timezone.localdate()
    modality = Modality.objects.get(name="Therapeutic massage")
    targets = {
        "password": scale.SCALE_PASSWORD,
        "reception": scale.RECEPTION_USERNAME,
        "manager": scale.MANAGER_USERNAME,
        "day": busiest_weekday(today).isoformat(),
        "today": today.isoformat(),
        "modality": modality.pk,
        "therapists": therapists_and_patients(),
        "portal": portal_logins(),
        "search": search_terms(),
        "bookings": free_slots(modality, today),
        "counts": {
            "therapists": Therapist.objects.count(),
            "patients": Patient.objects.count(),
            "appointments": Appointment.objects.count(),
            "booked_ahead": Appointment.objects.filter(
                Q(status=AppointmentStatus.BOOKED), starts_at__gte=timezone.now()
            ).count(),
        },
    }
    json.dump(targets, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
