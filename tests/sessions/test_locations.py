"""Several sites: a session is booked only in a room at the site of the therapist's hours then;
the free slots come only from such rooms, and a site filter narrows them; the reports and the
day board count one site. Run on SQLite and on PostgreSQL (scripts/with-postgres)."""

import pytest

from clinic.models import Location
from clinic.refusals import Refused
from sessions.availability import slots_available
from sessions.booking import appointment_book
from sessions.models import Appointment
from sessions.reports import ReportFilter, report_cancellations, report_utilisation
from tests.factories import MONDAY, RoomFactory, on_monday, therapist_named


@pytest.fixture
def main_site(db):
    return Location.objects.get_or_create(name="Main site")[0]


@pytest.fixture
def riverside(db):
    return Location.objects.create(name="Riverside", address="1 River Road")


@pytest.fixture
def green_room(back_massage, riverside):
    return RoomFactory(name="Green room", modalities=[back_massage], location=riverside)


@pytest.fixture
def split_week(back_massage, main_site, riverside):
    """Tom works Monday mornings at the main site and Monday afternoons at Riverside."""
    return therapist_named(
        "Tom Weiss",
        back_massage,
        hours=[(0, "08:00", "12:00", main_site), (0, "13:00", "17:00", riverside)],
    )


def test_a_room_belongs_to_the_main_site_unless_said_otherwise(blue_room, main_site):
    assert blue_room.location == main_site


def test_slots_are_only_in_rooms_at_the_site_of_the_hours(back_massage, blue_room, green_room, split_week):
    slots = slots_available(modality=back_massage, starts_on=MONDAY, ends_on=MONDAY, therapist=split_week)
    mornings = [s for s in slots if s.starts_at < on_monday(12)]
    afternoons = [s for s in slots if s.starts_at >= on_monday(13)]
    assert mornings and afternoons
    assert {s.room for s in mornings} == {blue_room}
    assert {s.room for s in afternoons} == {green_room}


def test_the_site_filter_keeps_only_that_sites_hours_and_rooms(back_massage, blue_room, green_room, split_week):
    slots = slots_available(
        modality=back_massage, starts_on=MONDAY, ends_on=MONDAY, therapist=split_week, location=green_room.location
    )
    assert slots
    assert {s.room for s in slots} == {green_room}
    assert min(s.starts_at for s in slots) == on_monday(13)


def test_no_slots_when_the_site_has_no_room_for_it(back_massage, blue_room, split_week, riverside):
    assert slots_available(modality=back_massage, starts_on=MONDAY, ends_on=MONDAY, location=riverside) == []


def test_booking_refuses_a_room_at_another_site_than_the_hours(maria_keller, back_massage, green_room, split_week):
    with pytest.raises(Refused) as refusal:
        appointment_book(
            patient=maria_keller, therapist=split_week, room=green_room, starts_at=on_monday(9), modality=back_massage
        )
    assert refusal.value.reasons == [
        f"Green room is at Riverside, but Tom Weiss works at Main site at {_when(on_monday(9))}: choose a room there."
    ]
    assert not Appointment.objects.exists()


def test_booking_accepts_the_room_at_the_site_of_the_hours(maria_keller, back_massage, green_room, split_week):
    appointment = appointment_book(
        patient=maria_keller, therapist=split_week, room=green_room, starts_at=on_monday(14), modality=back_massage
    )
    assert appointment.room == green_room


def test_reports_count_one_site(maria_keller, back_massage, blue_room, green_room, split_week):
    for hour, room in ((9, blue_room), (14, green_room), (15, green_room)):
        appointment_book(
            patient=maria_keller, therapist=split_week, room=room, starts_at=on_monday(hour), modality=back_massage
        )
    everywhere = ReportFilter(MONDAY, MONDAY)
    riverside = ReportFilter(MONDAY, MONDAY, location_id=green_room.location_id)
    assert report_cancellations(scope=everywhere)[-1].booked == 3
    assert report_cancellations(scope=riverside)[-1].booked == 2
    use = report_utilisation(scope=riverside)
    assert [(r.name, r.booked_minutes, r.working_minutes) for r in use["therapists"]] == [("Tom Weiss", 90, 240)]
    assert [r.name for r in use["rooms"]] == ["Green room"]


def _when(moment) -> str:
    from sessions.booking_checks import when

    return when(moment)
