"""The clinic's lists that the booking form and the day board offer (modalities, sites, therapists
by name), kept by the set-up cache (clinic/setup_cache.py) rather than read on every page."""

from dataclasses import dataclass

from django.db import router
from django.db.models import Case, CharField, QuerySet, Value, When

from clinic.models import Location, Modality, Room, Therapist
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
    return [(pk, therapist_name(first_name, last_name, username)) for pk, first_name, last_name, username in names]


def therapist_name(first_name: str, last_name: str, username: str) -> str:
    """A therapist's name as Therapist.__str__ gives it: the user's full name, else the username."""
    return f"{first_name} {last_name}".strip() or username


@dataclass(frozen=True, slots=True)
class SetupNames:
    """Every modality's, room's and therapist's name by pk, inactive ones too (a session keeps its
    therapist after she leaves). Shared by every reader: read, never change."""

    modalities: dict[int, str]
    rooms: dict[int, str]
    therapists: dict[int, str]
    oil_modalities: frozenset[int]  # the modalities that use oils (some rules concern them alone)


def names_by_id(*, kept: bool = True) -> SetupNames:
    """The names the day board writes on its cards, so that its cards query joins the sessions to
    their patients and courses alone: four joins fewer for PostgreSQL to plan and run per page.
    `kept=False` reads them from the database: for a session in a room or with a therapist added
    after the request read the set-up's token."""

    def build(using: str) -> SetupNames:
        # One query for the three lists: (kind, pk, name or first name, last name, username or
        # "oils" for a modality that uses them).
        blank = Value("", output_field=CharField())
        oils = Case(When(uses_oils=True, then=Value("oils")), default=blank)
        modalities = Modality.objects.using(using).annotate(kind=Value("m"), last=blank, login=oils)
        rooms = Room.objects.using(using).annotate(kind=Value("r"), last=blank, login=blank)
        therapists = Therapist.objects.using(using).annotate(kind=Value("t"))
        rows = modalities.order_by().values_list("kind", "pk", "name", "last", "login").union(
            rooms.order_by().values_list("kind", "pk", "name", "last", "login"),
            therapists.order_by().values_list("kind", "pk", "user__first_name", "user__last_name", "user__username"),
            all=True,
        )
        names, oily = {"m": {}, "r": {}, "t": {}}, set()
        for kind, pk, name, last, login in rows:
            names[kind][pk] = therapist_name(name, last, login) if kind == "t" else name
            if kind == "m" and login:
                oily.add(pk)
        return SetupNames(
            modalities=names["m"], rooms=names["r"], therapists=names["t"], oil_modalities=frozenset(oily)
        )

    if not kept:
        return build(router.db_for_read(Therapist))
    return setup_cached("names by id", build, model=Therapist)
