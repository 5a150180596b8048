"""The site select on the day board, the booking page and the reports: there only when the
clinic has more than one site, and it narrows what the page shows."""

import pytest
from django.urls import reverse

from clinic.models import Location
from tests.conftest import client_for
from tests.factories import MONDAY, AppointmentFactory, RoomFactory, on_monday, therapist_named


@pytest.fixture
def two_sites(back_massage, blue_room):
    """Tom works Monday mornings at the main site (blue room), afternoons at Riverside (green room)."""
    riverside = Location.objects.create(name="Riverside")
    green = RoomFactory(name="Green room", modalities=[back_massage], location=riverside)
    tom = therapist_named(
        "Tom Weiss",
        back_massage,
        hours=[(0, "08:00", "12:00", blue_room.location), (0, "13:00", "17:00", riverside)],
    )
    return riverside, green, tom


def test_one_site_shows_no_select(receptionist, manager, maria_keller, back_massage, blue_room):
    desk = client_for(receptionist)
    assert 'name="location"' not in desk.get(reverse("reception:day_board")).content.decode()
    booking = desk.get(reverse("booking:appointment_book"), {"patient": maria_keller.pk}).content.decode()
    assert 'name="location"' not in booking
    assert 'name="location"' not in client_for(manager).get(reverse("manager:reports")).content.decode()


def test_the_day_board_shows_one_site(receptionist, maria_keller, back_massage, blue_room, two_sites):
    riverside, green, tom = two_sites
    for hour, room in ((9, blue_room), (14, green)):
        AppointmentFactory(
            patient=maria_keller, therapist=tom, room=room, modality=back_massage, starts_at=on_monday(hour)
        )
    desk = client_for(receptionist)
    url = reverse("reception:day_board")
    everywhere = desk.get(url, {"day": MONDAY.isoformat(), "by": "room"})
    assert 'name="location"' in everywhere.content.decode()
    assert everywhere.context["board"].appointment_count == 2
    there = desk.get(url, {"day": MONDAY.isoformat(), "by": "room", "location": riverside.pk})
    assert there.context["board"].appointment_count == 1
    assert [str(column) for column in there.context["board"].columns] == ["Green room"]
    assert f"&amp;location={riverside.pk}" in there.content.decode()


def test_the_booking_page_offers_slots_at_the_chosen_site(receptionist, maria_keller, back_massage, two_sites):
    riverside, green, tom = two_sites
    response = client_for(receptionist).get(
        reverse("booking:appointment_book"),
        {"patient": maria_keller.pk, "modality": back_massage.pk, "therapist": tom.pk, "day": MONDAY.isoformat(),
         "location": riverside.pk},
    )  # fmt: skip
    slots = [slot for slot, _ in response.context["slots"]]
    assert slots and {slot.room for slot in slots} == {green}


def test_the_reports_count_one_site(manager, maria_keller, back_massage, blue_room, two_sites):
    riverside, green, tom = two_sites
    for hour, room in ((9, blue_room), (14, green)):
        AppointmentFactory(
            patient=maria_keller, therapist=tom, room=room, modality=back_massage, starts_at=on_monday(hour)
        )
    period = {"starts_on": MONDAY.isoformat(), "ends_on": MONDAY.isoformat()}
    reports = client_for(manager)
    assert reports.get(reverse("manager:reports"), period).context["scope"].location_id is None
    there = reports.get(reverse("manager:reports"), period | {"location": riverside.pk})
    assert there.context["scope"].location_id == riverside.pk
    assert "· Riverside." in there.content.decode()


def test_an_unknown_site_on_the_board_shows_every_site(receptionist, two_sites):
    response = client_for(receptionist).get(reverse("reception:day_board"), {"location": "nope"})
    assert response.status_code == 200
    assert response.context["location"] is None
