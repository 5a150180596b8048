"""The clinic's services (clinic.services): each refusal reason in words with nothing written,
and a change that would strand a booked session refused with that session named."""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from clinic import services
from clinic.date_windows import CLOSURE_WINDOW
from clinic.models import Cadence, Closure, ClosureKind, Location, Modality, Room, WorkingHours
from clinic.refusals import Refused
from clinic.services import ClosureSpec, CourseDefaults, HoursBlock
from tests.factories import (
    MONDAY,
    AppointmentFactory,
    ClosureFactory,
    ModalityFactory,
    RoomFactory,
    local,
    on_monday,
    therapist_named,
)

T = dt.time


def refusal(call, **kwargs) -> list[str]:
    with pytest.raises(Refused) as refused:
        call(**kwargs)
    return refused.value.reasons


@pytest.fixture
def main_site(db):
    return Location.objects.get_or_create(name="Main site")[0]


@pytest.fixture
def booked(maria_keller, anna_berg, blue_room, back_massage):
    """Maria's back massage with Anna in the blue room, Monday 10:00–10:45."""
    return AppointmentFactory(
        patient=maria_keller, therapist=anna_berg, room=blue_room, modality=back_massage, starts_at=on_monday(10)
    )


# Sites ------------------------------------------------------------------------------------------


def test_a_site_is_added_and_renamed(db):
    site = services.location_create(name="  Riverside ", address="1 River Road")
    assert (site.name, site.address) == ("Riverside", "1 River Road")
    services.location_update(location=site, name="Riverside clinic", address="")
    site.refresh_from_db()
    assert site.name == "Riverside clinic"


@pytest.mark.parametrize(
    "name, address, reason",
    [
        ("", "", "Give the site a name."),
        ("x" * 81, "", "The site's name is too long: 80 characters at most."),
        ("main SITE", "", "There is already a site called “main SITE”."),
        ("Elsewhere", "a" * 301, "The address is too long: 300 characters at most."),
    ],
)
def test_a_site_is_refused_in_words(main_site, name, address, reason):
    assert refusal(services.location_create, name=name, address=address) == [reason]
    assert Location.objects.count() == 1


# Therapists -------------------------------------------------------------------------------------


def test_a_therapist_gets_qualifications_colour_and_leaves(anna_berg, back_massage):
    other = ModalityFactory(name="Cupping")
    services.therapist_update(
        therapist=anna_berg, modalities=[back_massage, other], calendar_colour="#112233", active=False
    )
    anna_berg.refresh_from_db()
    assert (set(anna_berg.modalities.all()), anna_berg.calendar_colour, anna_berg.active) == (
        {back_massage, other},
        "#112233",
        False,
    )


def test_a_bad_colour_is_refused(anna_berg, back_massage):
    reasons = refusal(
        services.therapist_update, therapist=anna_berg, modalities=[back_massage], calendar_colour="red", active=True
    )
    assert reasons == ["Choose the calendar colour as #rrggbb, for example #4c8bf5."]


def test_a_therapist_with_sessions_ahead_is_not_deactivated(booked, anna_berg, back_massage):
    reasons = refusal(
        services.therapist_update,
        therapist=anna_berg,
        modalities=[back_massage],
        calendar_colour="#4c8bf5",
        active=False,
    )
    assert reasons[0].startswith("Anna Berg has 1 session(s) booked ahead. Move or cancel them first: ")
    assert "Maria Keller with Anna Berg in Blue room" in reasons[0]
    anna_berg.refresh_from_db()
    assert anna_berg.active


def test_a_qualification_a_session_needs_is_not_taken_away(booked, anna_berg, back_massage):
    reasons = refusal(
        services.therapist_update, therapist=anna_berg, modalities=[], calendar_colour="#4c8bf5", active=True
    )
    assert reasons[0].startswith("Anna Berg has sessions of Classic back massage booked ahead.")
    assert list(anna_berg.modalities.all()) == [back_massage]


def test_a_past_or_cancelled_session_does_not_hold_a_therapist(anna_berg, back_massage, blue_room):
    AppointmentFactory(
        therapist=anna_berg, room=blue_room, modality=back_massage, status="cancelled", cancellation_reason="Ill"
    )
    services.therapist_update(therapist=anna_berg, modalities=[], calendar_colour="#4c8bf5", active=False)


# Rooms ------------------------------------------------------------------------------------------


def test_a_room_is_added_at_a_site(main_site, back_massage):
    room = services.room_create(name="Linden", location=main_site, modalities=[back_massage])
    assert (room.location, list(room.modalities.all()), room.active) == (main_site, [back_massage], True)


@pytest.mark.parametrize(
    "name, site, reason",
    [
        ("", True, "Give the room a name."),
        ("blue ROOM", True, "There is already a room called “blue ROOM”."),
        ("Linden", False, "Choose the site the room is at."),
    ],
)
def test_a_room_is_refused_in_words(blue_room, main_site, name, site, reason):
    location = main_site if site else None
    assert refusal(services.room_create, name=name, location=location, modalities=[]) == [reason]
    assert Room.objects.count() == 1


def test_a_room_with_sessions_ahead_stays_in_use(booked, blue_room, back_massage):
    reasons = refusal(
        services.room_update,
        room=blue_room,
        name="Blue room",
        location=blue_room.location,
        modalities=[back_massage],
        active=False,
    )
    assert reasons[0].startswith("Blue room has 1 session(s) booked ahead.")
    blue_room.refresh_from_db()
    assert blue_room.active


def test_a_room_keeps_what_a_session_needs(booked, blue_room):
    reasons = refusal(
        services.room_update, room=blue_room, name="Blue room", location=blue_room.location, modalities=[], active=True
    )
    assert reasons[0].startswith("Blue room has sessions of Classic back massage booked ahead.")


def test_a_room_with_sessions_ahead_does_not_move_site(booked, blue_room, back_massage):
    riverside = Location.objects.create(name="Riverside")
    reasons = refusal(
        services.room_update,
        room=blue_room,
        name="Blue room",
        location=riverside,
        modalities=[back_massage],
        active=True,
    )
    assert reasons[0].startswith("Blue room has sessions booked ahead at Main site.")
    blue_room.refresh_from_db()
    assert blue_room.location.name == "Main site"


# Modalities -------------------------------------------------------------------------------------


def defaults(**overrides) -> CourseDefaults:
    values = {"session_minutes": 45, "course_min_sessions": 6, "course_max_sessions": 10, "cadence": Cadence.FREE}
    return CourseDefaults(**values | overrides)


def test_a_modality_is_added_and_its_defaults_changed(db):
    modality = services.modality_create(name="Lymph drainage", defaults=defaults(), uses_oils=False)
    services.modality_update(
        modality=modality,
        name="Lymph drainage",
        defaults=defaults(cadence=Cadence.PER_WEEK, sessions_per_week=2),
        uses_oils=False,
        description="",
        active=True,
    )
    modality.refresh_from_db()
    assert (modality.cadence, modality.sessions_per_week) == (Cadence.PER_WEEK, 2)


@pytest.mark.parametrize(
    "overrides, reason",
    [
        (
            {"course_min_sessions": 12, "course_max_sessions": 10},
            "The minimum of sessions (12) is above the maximum (10): the minimum must not exceed the maximum.",
        ),
        ({"session_minutes": 3}, "A session lasts from 5 to 240 minutes."),
        ({"course_min_sessions": 0}, "A course has at least 1 session and at most 100."),
        ({"course_max_sessions": 101}, "A course has at most 100 sessions."),
        ({"cadence": "weekly"}, "Choose how the sessions are spread: consecutive days, a number per week, or free."),
        ({"cadence": Cadence.PER_WEEK}, "Say how many sessions a week, from 1 to 7."),
        (
            {"sessions_per_week": 2},
            "Sessions per week go only with the “a number of sessions per week” cadence; leave it empty.",
        ),
    ],
)
def test_a_modality_is_refused_in_words(db, overrides, reason):
    before = Modality.objects.count()
    assert refusal(services.modality_create, name="Lymph drainage", defaults=defaults(**overrides)) == [reason]
    assert Modality.objects.count() == before


def test_a_modality_name_is_unique(back_massage):
    reasons = refusal(services.modality_create, name="classic back massage", defaults=defaults())
    assert reasons == ["There is already a modality called “classic back massage”."]


# Working hours ----------------------------------------------------------------------------------


def test_a_week_with_breaks_replaces_the_old_one_and_keeps_unchanged_rows(anna_berg, main_site):
    monday_row = anna_berg.working_hours.get(weekday=0)
    monday_row.starts, monday_row.ends = T(8), T(12)
    monday_row.save()
    week = [
        HoursBlock(0, T(8), T(12), main_site),
        HoursBlock(0, T(13), T(17), main_site),
        HoursBlock(2, T(9), T(15), main_site),
    ]
    services.working_hours_set(therapist=anna_berg, blocks=week)
    rows = list(anna_berg.working_hours.order_by("weekday", "starts"))
    assert [(r.weekday, r.starts, r.ends) for r in rows] == [(0, T(8), T(12)), (0, T(13), T(17)), (2, T(9), T(15))]
    assert rows[0].pk == monday_row.pk


def test_overlapping_blocks_are_refused(anna_berg, main_site):
    before = list(anna_berg.working_hours.values_list("pk", flat=True))
    reasons = refusal(
        services.working_hours_set,
        therapist=anna_berg,
        blocks=[HoursBlock(0, T(8), T(12), main_site), HoursBlock(0, T(11), T(15), main_site)],
    )
    assert reasons == ["Monday: 08:00–12:00 and 11:00–15:00 overlap; leave a gap for a break or make them one block."]
    assert list(anna_berg.working_hours.values_list("pk", flat=True)) == before


def test_a_block_that_ends_before_it_starts_is_refused(anna_berg, main_site):
    reasons = refusal(services.working_hours_set, therapist=anna_berg, blocks=[HoursBlock(1, T(12), T(9), main_site)])
    assert reasons == ["Tuesday 12:00–09:00: a block must end after it starts."]


def test_a_block_on_no_weekday_is_refused(anna_berg, main_site):
    reasons = refusal(services.working_hours_set, therapist=anna_berg, blocks=[HoursBlock(7, T(8), T(9), main_site)])
    assert reasons == ["A block is on a day that is not a weekday."]


def test_hours_a_booked_session_relies_on_are_not_taken_away(booked, anna_berg, main_site):
    reasons = refusal(
        services.working_hours_set,
        therapist=anna_berg,
        blocks=[HoursBlock(0, T(8), T(10), main_site), HoursBlock(0, T(11), T(18), main_site)],
    )
    assert reasons[0].startswith("1 session(s) of Anna Berg booked ahead would fall outside these hours")
    assert WorkingHours.objects.filter(therapist=anna_berg).count() == 5


def test_hours_moved_to_another_site_than_the_booked_room_are_refused(booked, anna_berg):
    riverside = Location.objects.create(name="Riverside")
    reasons = refusal(services.working_hours_set, therapist=anna_berg, blocks=[HoursBlock(0, T(8), T(18), riverside)])
    assert "(or at another site than their room)" in reasons[0]


# Closures ---------------------------------------------------------------------------------------


def spec(**overrides) -> ClosureSpec:
    values = {"kind": ClosureKind.CLOSED, "starts_on": MONDAY, "ends_on": MONDAY, "reason": "Training"}
    return ClosureSpec(**values | overrides)


def test_a_closure_is_added_changed_and_removed(anna_berg):
    closure = services.closure_create(spec=spec(therapist=anna_berg, reason="Course in Vienna"))
    assert (closure.therapist, closure.reason) == (anna_berg, "Course in Vienna")
    services.closure_update(closure=closure, spec=spec(ends_on=MONDAY + dt.timedelta(days=1)))
    closure.refresh_from_db()
    assert (closure.therapist, closure.ends_on) == (None, MONDAY + dt.timedelta(days=1))
    services.closure_delete(closure=closure)
    assert not Closure.objects.exists()


@pytest.mark.parametrize(
    "overrides, reason",
    [
        ({"kind": "maybe"}, "Choose whether the clinic is closed or open on a public holiday."),
        ({"reason": "  "}, "Say why: the reason is what the booking pages show."),
        ({"reason": "x" * 201}, "The reason is too long: 200 characters at most."),
        ({"ends_on": MONDAY - dt.timedelta(days=1)}, "The closure cannot end before it starts."),
        ({"kind": ClosureKind.HOLIDAY_OPEN}, "No public holiday falls on these days, so there is nothing to open."),
    ],
)
def test_a_closure_is_refused_in_words(db, overrides, reason):
    assert refusal(services.closure_create, spec=spec(**overrides)) == [reason]
    assert not Closure.objects.exists()


def test_a_closure_outside_the_window_is_refused(db):
    reasons = refusal(services.closure_create, spec=spec(starts_on=dt.date(1990, 1, 1)))
    assert reasons == [CLOSURE_WINDOW.message(dt.date(1990, 1, 1))]


def test_only_the_whole_clinic_opens_on_a_holiday(anna_berg):
    reasons = refusal(services.closure_create, spec=spec(kind=ClosureKind.HOLIDAY_OPEN, therapist=anna_berg))
    assert reasons == ["Only the whole clinic opens on a public holiday; leave the therapist empty."]


def test_closing_a_day_with_sessions_is_refused_with_them(booked, anna_berg):
    reasons = refusal(services.closure_create, spec=spec())
    assert reasons[0].startswith("The clinic has 1 session(s) booked on the days this closes")
    assert "Maria Keller with Anna Berg" in reasons[0]
    reasons = refusal(services.closure_create, spec=spec(therapist=anna_berg))
    assert reasons[0].startswith("Anna Berg has 1 session(s) booked on the days this closes")
    assert not Closure.objects.exists()


def test_another_therapists_leave_does_not_touch_the_session(booked, back_massage):
    ben = therapist_named("Ben Ortiz", back_massage)
    services.closure_create(spec=spec(therapist=ben))


def test_stretching_a_closure_over_a_session_is_refused(booked):
    sunday = MONDAY - dt.timedelta(days=1)
    closure = ClosureFactory(starts_on=sunday, ends_on=sunday, reason="Inventory")
    reasons = refusal(services.closure_update, closure=closure, spec=spec(starts_on=sunday))
    assert "booked on the days this closes" in reasons[0]
    closure.refresh_from_db()
    assert closure.ends_on == sunday


def _next_christmas() -> dt.date:
    today = timezone.localdate()
    christmas = dt.date(today.year, 12, 25)
    return christmas if christmas > today + dt.timedelta(days=2) else dt.date(today.year + 1, 12, 25)


@override_settings(CLINIC_HOLIDAYS_COUNTRY="DE", CLINIC_HOLIDAYS_SUBDIVISION="BE")
def test_removing_an_open_holiday_with_sessions_on_it_is_refused(anna_berg, blue_room, back_massage, maria_keller):
    christmas = _next_christmas()
    opened = services.closure_create(
        spec=spec(kind=ClosureKind.HOLIDAY_OPEN, starts_on=christmas, ends_on=christmas, reason="Open at Christmas")
    )
    AppointmentFactory(
        patient=maria_keller,
        therapist=anna_berg,
        room=blue_room,
        modality=back_massage,
        starts_at=local(christmas.year, 12, 25, 10),
    )
    reasons = refusal(services.closure_delete, closure=opened)
    assert reasons[0].startswith("The clinic has 1 session(s) booked on the days this closes")
    assert Closure.objects.filter(pk=opened.pk).exists()


def test_a_room_made_by_the_factory_is_at_the_main_site(db):
    assert RoomFactory().location.name == "Main site"
