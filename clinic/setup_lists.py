"""The clinic's lists that the booking form and the day board offer (modalities, sites, therapists
by name), kept by the set-up cache (clinic/setup_cache.py) rather than read on every page."""

from django.db.models import QuerySet

from clinic.models import Location, Modality, Therapist
from clinic.setup_cache import copies, setup_cached


def active_modalities() -> list[Modality]:
    return copies(
        setup_cached(
            "active modalities", lambda using: list(Modality.objects.using(using).filter(active=True)), model=Modality
        )
    )


def sites() -> list[Location]:
    return copies(
        setup_cached("sites", lambda using: list(Location.objects.using(using).order_by("name")), model=Location)
    )


def active_therapist_names() -> list[tuple[int, str]]:
    """(pk, name) of each active therapist, by surname."""
    return setup_cached(
        "active therapist names",
        lambda using: therapist_names(Therapist.objects.using(using).filter(active=True)),
        model=Therapist,
    )


def therapist_names(therapists: QuerySet) -> list[tuple[int, str]]:
    """(pk, name) of `therapists`, named as Therapist.__str__ names them (the user's full name,
    else the username), without building each therapist and their user: sixty of them, every
    column of both, cost more than the rest of the booking form."""
    names = therapists.values_list("pk", "user__first_name", "user__last_name", "user__username")
    return [(pk, f"{first_name} {last_name}".strip() or username) for pk, first_name, last_name, username in names]
