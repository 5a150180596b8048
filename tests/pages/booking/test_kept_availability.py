"""The availability answer kept between looks (pages.kept_pages.schedule_answer,
sessions.schedule_version): a second look at an unchanged span is cheap, and a kept answer never
lists anything but what a search of the span would find now."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.migrations._frozen import schedule_trigger_names, setup_trigger_names
from clinic.models import WorkingHours
from pages.booking.views import _availability_json
from sessions.models import Appointment, AppointmentStatus, WaitlistOffer
from tests.clinic.test_setup_cache import tables_read, triggers_on
from tests.conftest import client_for
from tests.factories import AppointmentFactory, TherapistFactory, at, clock
from tests.scenes import freed_slot, wish

pytestmark = pytest.mark.django_db

URL = reverse("booking:availability")


@pytest.fixture
def anna(massage):
    """Free on Mondays from 9 to 11: the 45-minute massage fits at 9:00 to 10:15."""
    return TherapistFactory(
        user__first_name="Anna", user__last_name="Berg", modalities=[massage], hours=[(0, "09:00", "11:00")]
    )


def looks(client, massage, monday, **extra) -> tuple[list[str], int]:
    """The free starts of the week from `monday` as "HH:MM therapist", and the look's queries."""
    query = {"modality": massage.pk, "start": monday.isoformat(), "days": 7, **extra}
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, query)
    assert response.status_code == 200
    data = response.json()
    return [f"{slot[0]} {slot[1]}" for day in data["days"] for slot in day["slots"]], len(queries)


def free(therapist, *times: str) -> list[str]:
    return [f"{time} {therapist.pk}" for time in times]


def test_a_second_look_at_an_unchanged_span_is_kept(reception, massage, anna, linden, monday):
    drawn, drawing = looks(reception, massage, monday)
    kept, keeping = looks(reception, massage, monday)
    assert kept == drawn == free(anna, "09:00", "09:15", "09:30", "09:45", "10:00", "10:15")
    # The session, the user, the modality asked for, the set-up's and the schedule's tokens.
    assert keeping <= 5 < drawing


def test_a_session_booked_moved_or_cancelled_shows_on_the_next_look(reception, maria, massage, anna, linden, monday):
    looks(reception, massage, monday)
    session = AppointmentFactory(patient=maria, modality=massage, therapist=anna, room=linden, starts_at=at(monday, 9))
    assert looks(reception, massage, monday)[0] == free(anna, "09:45", "10:00", "10:15")
    Appointment.objects.filter(pk=session.pk).update(status=AppointmentStatus.CANCELLED, cancellation_reason="Ill")
    assert len(looks(reception, massage, monday)[0]) == 6
    Appointment.objects.filter(pk=session.pk).update(
        status=AppointmentStatus.BOOKED, starts_at=at(monday, 10, 15), ends_at=at(monday, 11)
    )
    assert looks(reception, massage, monday)[0] == free(anna, "09:00", "09:15", "09:30")


def test_the_room_taken_by_another_therapist_shows(reception, maria, massage, anna, linden, monday):
    """The room is the only one: another therapist's session in it takes the time from Anna too."""
    looks(reception, massage, monday, therapist=anna.pk)
    bruno = TherapistFactory(modalities=[massage], hours=[(0, "09:00", "11:00")])
    AppointmentFactory(patient=maria, modality=massage, therapist=bruno, room=linden, starts_at=at(monday, 9))
    assert looks(reception, massage, monday, therapist=anna.pk)[0] == free(anna, "09:45", "10:00", "10:15")


def test_a_change_of_hours_shows_on_the_next_look(reception, massage, anna, linden, monday):
    looks(reception, massage, monday)
    WorkingHours.objects.create(therapist=anna, weekday=0, starts=dt.time(14), ends=dt.time(15))
    assert f"14:00 {anna.pk}" in looks(reception, massage, monday)[0]


def test_a_start_gone_by_is_no_longer_listed(receptionist, massage, anna, linden, monday):
    with clock(at(monday, 8)):
        reception = client_for(receptionist)
        looks(reception, massage, monday)
        assert len(looks(reception, massage, monday)[0]) == 6
    with clock(at(monday, 9, 20)):
        assert looks(reception, massage, monday)[0][0] == f"09:30 {anna.pk}"


def test_a_slot_held_for_an_offer_comes_free_when_the_hold_runs_out(
    receptionist, patient_user, massage, anna, linden, monday
):
    slot = freed_slot(anna, linden, massage, at(monday, 9))
    patient = patient_user.patient
    WaitlistOffer.objects.create(
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        offered_at=at(monday, 6),
        expires_at=at(monday, 7),
        slot=slot,
        entry=wish(patient, modality=massage),
        patient=patient,
        therapist=anna,
        room=linden,
    )
    with clock(at(monday, 6, 30)):
        reception = client_for(receptionist)
        looks(reception, massage, monday)
        assert looks(reception, massage, monday)[0] == free(anna, "09:45", "10:00", "10:15")
    with clock(at(monday, 7, 1)):
        assert len(looks(reception, massage, monday)[0]) == 6


def test_each_question_gets_its_own_answer(reception, massage, anna, linden, monday):
    """The span, the therapist asked for: each is another search, kept apart."""
    looks(reception, massage, monday)
    bruno = TherapistFactory(modalities=[massage], hours=[(1, "09:00", "10:00")])
    assert looks(reception, massage, monday, therapist=anna.pk)[0][0] == f"09:00 {anna.pk}"
    assert looks(reception, massage, monday, therapist=bruno.pk)[0] == free(bruno, "09:00", "09:15")
    assert looks(reception, massage, monday, days=1)[0] == looks(reception, massage, monday, therapist=anna.pk)[0]


def test_every_table_the_search_reads_is_logged_or_watched(maria, massage, anna, linden, monday):
    """The search reads the sessions, the held offers and the set-up only: a table read without
    triggers would keep an answer that no longer matches the schedule (pages.kept_pages)."""
    AppointmentFactory(patient=maria, modality=massage, therapist=anna, room=linden, starts_at=at(monday, 9))
    tables = tables_read(lambda: _availability_json(massage, monday, monday + dt.timedelta(days=6), None))
    assert {"treatment_sessions_appointment", "treatment_sessions_waitlistoffer"} <= tables
    for table in tables:
        logged = schedule_trigger_names(connection.vendor, table) <= triggers_on(table)
        assert logged or setup_trigger_names(connection.vendor, table) <= triggers_on(table), table
