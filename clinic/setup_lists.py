"""The clinic's lists that the booking form and the day board offer (modalities, sites, therapists
by name), and who may give each modality where, kept by the set-up cache (clinic/setup_cache.py)
rather than read on every page or booking."""

from dataclasses import dataclass

from django.db import router
from django.db.models import Case, CharField, QuerySet, Value, When

from clinic.models import Location, Modality, Room, Therapist
from clinic.setup_cache import THERAPIST_FIELDS, copies, setup_cached


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


@dataclass(frozen=True, slots=True)
class Qualifications:
    """Who is qualified for each modality and which rooms are set up for it, as (modality id,
    therapist id) and (modality id, room id) pairs, active or not (being active is asked apart).
    Every booking, move and course series asks (sessions.booking_checks), so the answer is kept
    rather than queried each time. Shared by every reader: read, never change."""

    therapists: frozenset[tuple[int, int]]
    rooms: frozenset[tuple[int, int]]


def qualifications() -> Qualifications:
    def build(using: str) -> Qualifications:
        therapists = Therapist.modalities.through.objects.using(using).values_list("modality_id", "therapist_id")
        rooms = Room.modalities.through.objects.using(using).values_list("modality_id", "room_id")
        return Qualifications(therapists=frozenset(therapists), rooms=frozenset(rooms))

    return setup_cached("qualifications", build, model=Therapist)


@dataclass(frozen=True, slots=True)
class TherapistsAndRooms:
    """Every therapist (with the name fields of their user: THERAPIST_FIELDS) and every room by pk,
    active or not, for a form that turns a chosen slot's ids into them. Shared by every reader:
    hand out copies (therapist_and_room)."""

    therapists: dict[int, Therapist]
    rooms: dict[int, Room]


def therapist_and_room(therapist_id: int, room_id: int) -> tuple[Therapist | None, Room | None]:
    """Copies of the therapist and the room with these pks, None for either that does not exist
    in the set-up the request reads."""

    def build(using: str) -> TherapistsAndRooms:
        therapists = Therapist.objects.using(using).select_related("user").only(*THERAPIST_FIELDS)
        return TherapistsAndRooms(
            therapists={therapist.pk: therapist for therapist in therapists},
            rooms={room.pk: room for room in Room.objects.using(using)},
        )

    kept = setup_cached("therapists and rooms", build, model=Therapist)
    therapist, room = kept.therapists.get(therapist_id), kept.rooms.get(room_id)
    return (copies([therapist])[0] if therapist else None), (copies([room])[0] if room else None)
