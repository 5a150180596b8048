"""The site filter the day board, the booking page and the reports share: a `location`
parameter, and a select shown only when the clinic has more than one site."""

from clinic.models import Location
from clinic.setup_lists import sites


def clinic_locations() -> list[Location]:
    """The sites to choose from: none when there is only one (then nobody needs to choose)."""
    locations = sites()
    return locations if len(locations) > 1 else []


def location_param(request, locations: list[Location]) -> Location | None:
    """The chosen site from `?location=<id>`, or None (all sites) for anything else."""
    raw = request.GET.get("location", "")
    return next((location for location in locations if str(location.pk) == raw), None)
