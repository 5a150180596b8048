"""slots_available: the free times reception offers. Each slot must be one that booking accepts,
and the search costs the same few queries however many therapists or days it covers."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sessions.availability import slots_available
from sessions.booking import appointment_book
from sessions.models import AppointmentStatus
from tests.factories import (
    MONDAY,
    AppointmentFactory,
    ClosureFactory,
    ModalityFactory,
    PatientFactory,
    RoomFactory,
    TherapistFactory,
    on_monday,
    therapist_named,
)

pytestmark = pytest.mark.django_db


def times(hours_minutes: str) -> list[dt.datetime]:
    """'08:00 08:15' → the datetimes on MONDAY."""
    return [on_monday(*map(int, hm.split(":"))) for hm in hours_minutes.split()]


def quarter_hours(first: str, last: str, day: dt.date = MONDAY) -> list[dt.datetime]:
    start = on_monday(*map(int, first.split(":")), day=day)
    end = on_monday(*map(int, last.split(":")), day=day)
    return [start + dt.timedelta(minutes=15 * n) for n in range(int((end - start) / dt.timedelta(minutes=15)) + 1)]


@pytest.fixture
def anna(back_massage):
    """Monday only: 08:00–12:00, lunch, 13:00–15:00."""
    return therapist_named("Anna Berg", back_massage, hours=[(0, "08:00", "12:00"), (0, "13:00", "15:00")])


def starts(slots) -> list[dt.datetime]:
    return [slot.starts_at for slot in slots]


def monday_slots(back_massage, **kwargs):
    return slots_available(modality=back_massage, starts_on=MONDAY, ends_on=MONDAY, **kwargs)


# --- Working hours ----------------------------------------------------------------------------


def test_slots_fill_the_working_blocks_and_skip_the_lunch_break(back_massage, anna, blue_room):
    slots = monday_slots(back_massage, therapist=anna)

    assert starts(slots) == quarter_hours("08:00", "11:15") + quarter_hours("13:00", "14:15")
    assert all(slot.ends_at - slot.starts_at == dt.timedelta(minutes=45) for slot in slots)
    assert {(slot.therapist, slot.room) for slot in slots} == {(anna, blue_room)}


def test_a_45_minute_session_does_not_fit_in_the_last_30_minutes(back_massage, anna, blue_room):
    slots = monday_slots(back_massage, therapist=anna)

    assert on_monday(14, 15) in starts(slots)  # ends 15:00
    assert on_monday(14, 30) not in starts(slots)
    assert on_monday(11, 30) not in starts(slots)  # would run into lunch


def test_a_shorter_session_fits_later(back_massage, anna, blue_room):
    slots = monday_slots(back_massage, therapist=anna, minutes=30)

    assert starts(slots)[-1] == on_monday(14, 30)
    assert on_monday(11, 30) in starts(slots)


def test_no_slots_on_a_day_the_therapist_does_not_work(back_massage, anna, blue_room):
    tuesday = MONDAY + dt.timedelta(days=1)

    assert slots_available(modality=back_massage, starts_on=tuesday, ends_on=tuesday, therapist=anna) == []


def test_slots_span_several_days(back_massage, blue_room):
    therapist = TherapistFactory(modalities=[back_massage], hours=[(0, "09:00", "10:00"), (2, "09:00", "10:00")])

    slots = slots_available(
        modality=back_massage, starts_on=MONDAY, ends_on=MONDAY + dt.timedelta(days=6), therapist=therapist
    )

    wednesday = MONDAY + dt.timedelta(days=2)
    assert starts(slots) == [
        on_monday(9),
        on_monday(9, 15),
        on_monday(9, day=wednesday),
        on_monday(9, 15, day=wednesday),
    ]


# --- Closures ---------------------------------------------------------------------------------


def test_no_slots_on_a_clinic_closure(back_massage, anna, blue_room):
    ClosureFactory(starts_on=MONDAY, reason="Public holiday")

    assert monday_slots(back_massage) == []


def test_a_therapists_own_closure_removes_only_their_slots(back_massage, anna, blue_room):
    jonas = TherapistFactory(modalities=[back_massage], hours=[(0, "08:00", "09:00")])
    ClosureFactory(starts_on=MONDAY, reason="Annual leave", therapist=anna)

    slots = monday_slots(back_massage)

    assert {slot.therapist for slot in slots} == {jonas}
    assert starts(slots) == times("08:00 08:15")


# --- Existing bookings ------------------------------------------------------------------------


def test_the_therapists_bookings_are_not_offered(back_massage, anna, blue_room):
    AppointmentFactory(therapist=anna, starts_at=on_monday(10), ends_at=on_monday(10, 45))  # in another room

    slots = monday_slots(back_massage, therapist=anna)

    # 09:15–10:00 touches the booking and 10:45 starts as it ends; everything in between clashes.
    morning = [s for s in starts(slots) if s < on_monday(12)]
    assert morning == quarter_hours("08:00", "09:15") + quarter_hours("10:45", "11:15")
    assert {slot.room for slot in slots} == {blue_room}


def test_a_cancelled_booking_frees_its_slot(back_massage, anna, blue_room):
    AppointmentFactory(
        therapist=anna,
        room=blue_room,
        starts_at=on_monday(10),
        status=AppointmentStatus.CANCELLED,
        cancellation_reason="Flu",
    )

    assert on_monday(10) in starts(monday_slots(back_massage, therapist=anna))


def test_when_the_only_suited_room_is_busy_there_is_no_slot(back_massage, anna, blue_room):
    AppointmentFactory(
        room=blue_room, starts_at=on_monday(10), ends_at=on_monday(10, 45)
    )  # another therapist's session

    assert on_monday(10) not in starts(monday_slots(back_massage, therapist=anna))
    assert on_monday(10, 45) in starts(monday_slots(back_massage, therapist=anna))


def test_a_second_suited_room_takes_over_when_the_first_is_busy(back_massage, anna, blue_room):
    green = RoomFactory(name="Green room", modalities=[back_massage])
    AppointmentFactory(room=blue_room, starts_at=on_monday(10), ends_at=on_monday(10, 45))

    slot = next(s for s in monday_slots(back_massage, therapist=anna) if s.starts_at == on_monday(10))

    assert slot.room == green


def test_rooms_not_suited_or_out_of_use_are_never_offered(back_massage, anna):
    RoomFactory(name="Gym", modalities=[ModalityFactory()])
    RoomFactory(name="Closed room", modalities=[back_massage], active=False)

    assert monday_slots(back_massage, therapist=anna) == []


def test_the_patients_own_bookings_are_not_offered_to_them(back_massage, anna, blue_room):
    patient = PatientFactory()
    AppointmentFactory(
        patient=patient, starts_at=on_monday(10), ends_at=on_monday(10, 45)
    )  # elsewhere, with someone else

    assert on_monday(10) not in starts(monday_slots(back_massage, therapist=anna, patient=patient))
    assert on_monday(10) in starts(monday_slots(back_massage, therapist=anna))


# --- Past times -------------------------------------------------------------------------------


def test_times_before_now_are_not_offered(back_massage, anna, blue_room):
    slots = monday_slots(back_massage, therapist=anna, now=on_monday(10, 5))

    assert starts(slots)[0] == on_monday(10, 15)


def test_a_day_in_the_past_has_no_slots(back_massage, blue_room):
    therapist = TherapistFactory(modalities=[back_massage], hours=[(d, "00:00", "23:45") for d in range(7)])
    yesterday = timezone.localdate() - dt.timedelta(days=1)

    assert slots_available(modality=back_massage, starts_on=yesterday, ends_on=yesterday, therapist=therapist) == []
    today = slots_available(
        modality=back_massage, starts_on=timezone.localdate(), ends_on=timezone.localdate(), therapist=therapist
    )
    assert all(slot.starts_at >= timezone.now() - dt.timedelta(seconds=5) for slot in today)


# --- Which therapists -------------------------------------------------------------------------


def test_any_qualified_therapist_is_offered_but_no_one_else(back_massage, anna, blue_room):
    jonas = TherapistFactory(modalities=[back_massage], hours=[(0, "08:00", "09:00")])
    TherapistFactory(modalities=[ModalityFactory()], hours=[(0, "08:00", "09:00")])  # not qualified
    TherapistFactory(modalities=[back_massage], hours=[(0, "08:00", "09:00")], active=False)

    slots = monday_slots(back_massage)

    assert {slot.therapist for slot in slots} == {anna, jonas}
    assert [(s.starts_at, s.therapist) for s in slots[:4]] == [
        (on_monday(8), anna),
        (on_monday(8), jonas),
        (on_monday(8, 15), anna),
        (on_monday(8, 15), jonas),
    ]


def test_one_therapist_gets_only_their_own_slots(back_massage, anna, blue_room):
    TherapistFactory(modalities=[back_massage], hours=[(0, "08:00", "09:00")])

    assert {slot.therapist for slot in monday_slots(back_massage, therapist=anna)} == {anna}


def test_a_therapist_not_qualified_for_the_modality_has_no_slots(back_massage, blue_room):
    unqualified = TherapistFactory(modalities=[ModalityFactory()], hours=[(0, "08:00", "18:00")])

    assert monday_slots(back_massage, therapist=unqualified) == []


def test_an_inactive_therapist_has_no_slots(back_massage, blue_room):
    inactive = TherapistFactory(modalities=[back_massage], hours=[(0, "08:00", "18:00")], active=False)

    assert monday_slots(back_massage, therapist=inactive) == []


def test_each_offered_slot_can_be_booked(back_massage, anna, blue_room):
    AppointmentFactory(therapist=anna, starts_at=on_monday(10), ends_at=on_monday(10, 45))
    slots = monday_slots(back_massage, therapist=anna)

    for slot in [slots[0], slots[len(slots) // 2], slots[-1]]:
        appointment = appointment_book(
            patient=PatientFactory(),
            therapist=slot.therapist,
            room=slot.room,
            modality=back_massage,
            starts_at=slot.starts_at,
        )
        assert appointment.ends_at == slot.ends_at


# --- Query count ------------------------------------------------------------------------------


def _queries(**kwargs) -> tuple[int, int]:
    """The queries and slots of a search once the set-up is kept (clinic/setup_cache.py)."""
    slots_available(**kwargs)
    with CaptureQueriesContext(connection) as queries:
        slots = slots_available(**kwargs)
    return len(queries), len(slots)


def _busy_therapists(back_massage, count):
    """Qualified therapists, each with a session at 08:00 (in a room and with a patient of its own)."""
    for _ in range(count):
        therapist = TherapistFactory(modalities=[back_massage])
        AppointmentFactory(therapist=therapist, modality=back_massage, starts_at=on_monday(8), ends_at=on_monday(8, 45))


def test_query_count_does_not_grow_with_therapists(back_massage):
    rooms = [RoomFactory(modalities=[back_massage]) for _ in range(3)]
    AppointmentFactory(room=rooms[0], modality=back_massage, starts_at=on_monday(9))
    ClosureFactory(starts_on=MONDAY + dt.timedelta(days=2), reason="Training")
    _busy_therapists(back_massage, 2)
    week = {"modality": back_massage, "starts_on": MONDAY, "ends_on": MONDAY + dt.timedelta(days=6)}

    two_queries, two_slots = _queries(**week)
    _busy_therapists(back_massage, 18)
    twenty_queries, twenty_slots = _queries(**week)

    assert twenty_slots > two_slots > 0
    assert twenty_queries == two_queries
    # The set-up's version token for each of therapists, rooms and working hours (kept, read on
    # the first search after a change: tests/clinic/test_setup_cache.py); closures; bookings with
    # the slots held for offers.
    assert two_queries == 5


def test_query_count_does_not_grow_with_days(back_massage, blue_room):
    _busy_therapists(back_massage, 3)

    one_day, one_day_slots = _queries(modality=back_massage, starts_on=MONDAY, ends_on=MONDAY)
    four_weeks, four_weeks_slots = _queries(
        modality=back_massage, starts_on=MONDAY, ends_on=MONDAY + dt.timedelta(days=27)
    )

    assert four_weeks_slots > one_day_slots > 0
    assert four_weeks == one_day
