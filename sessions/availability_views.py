"""Free slots over a span of days, as JSON: what the booking page shows one day at a time, for
a front desk planning weeks ahead (and for the benchmark, docs/PERFORMANCE.md)."""

import datetime as dt

from django.conf import settings
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from clinic import roles
from clinic.decorators import role_required
from sessions.availability import slots_available
from sessions.booking_checks import person_name
from sessions.forms import AvailabilityForm

BOOKERS = (roles.RECEPTIONIST, roles.THERAPIST, roles.MANAGER)


@require_GET
@role_required(*BOOKERS)
def availability(request):
    """`?modality=<id>[&therapist=<id>][&start=YYYY-MM-DD][&days=1..31]`: every free start, by day,
    as [local "HH:MM", therapist id, room id], with the names of those therapists and rooms."""
    form = AvailabilityForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    modality, start = form.cleaned_data["modality"], form.cleaned_data["start"]
    end = start + dt.timedelta(days=form.cleaned_data["days"] - 1)
    slots = slots_available(
        modality=modality, starts_on=start, ends_on=end, therapist=form.cleaned_data["therapist"]
    )
    days: dict[dt.date, list] = {}
    therapists, rooms = {}, {}
    # Once, not per slot: a month's search lists thousands of them.
    zone = timezone.get_current_timezone()
    for slot in slots:
        local = slot.starts_at if slot.starts_at.tzinfo is zone else slot.starts_at.astimezone(zone)
        therapist, room = slot.therapist, slot.room
        days.setdefault(local.date(), []).append([f"{local.hour:02d}:{local.minute:02d}", therapist.id, room.id])
        therapists[therapist.id] = therapist
        rooms[room.id] = room
    return JsonResponse(
        {
            "modality": {"id": modality.pk, "name": modality.name, "minutes": modality.session_minutes},
            "start": start.isoformat(),
            "end": end.isoformat(),
            "time_zone": settings.TIME_ZONE,
            "count": len(slots),
            "days": [{"day": day.isoformat(), "slots": day_slots} for day, day_slots in days.items()],
            "therapists": {pk: person_name(therapist) for pk, therapist in therapists.items()},
            "rooms": {pk: room.name for pk, room in rooms.items()},
        }
    )
