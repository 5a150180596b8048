"""The schedule's version over a span of days (sessions/schedule_version.py): every write to a
session or a held offer that may take time in the span, by any path, gives the span a new token;
a write elsewhere, or one rolled back, leaves it."""

import datetime as dt

import pytest
from django.db import connection, transaction

from clinic.migrations._frozen import schedule_trigger_names
from sessions.models import Appointment, AppointmentStatus, WaitlistOffer
from sessions.schedule_version import schedule_token
from tests.clinic.test_setup_cache import triggers_on
from tests.factories import AppointmentFactory, at
from tests.scenes import freed_slot, wish

pytestmark = pytest.mark.django_db

WEEK = 7


@pytest.fixture
def span(monday):
    """A week from Monday: (first day, last day)."""
    return monday, monday + dt.timedelta(days=WEEK - 1)


@pytest.fixture
def session(maria, massage, lena, linden, monday):
    return AppointmentFactory(patient=maria, modality=massage, therapist=lena, room=linden, starts_at=at(monday, 10))


@pytest.mark.parametrize("table", ["treatment_sessions_appointment", "treatment_sessions_waitlistoffer"])
def test_sessions_and_offers_are_logged(table):
    # Missing after a migration that SQLite carried out by rebuilding the table: the migration
    # must put the triggers back (LogScheduleDays, clinic/migrations/_frozen.py).
    assert schedule_trigger_names(connection.vendor, table) <= triggers_on(table)


@pytest.mark.parametrize(("day", "hour", "minute"), [(0, 0, 0), (WEEK - 1, 23, 45)])
def test_a_session_booked_on_any_moment_of_the_span_gives_it_a_new_token(
    span, maria, massage, lena, linden, day, hour, minute
):
    before = schedule_token(*span)
    starts_at = at(span[0] + dt.timedelta(days=day), hour, minute)
    AppointmentFactory(patient=maria, modality=massage, therapist=lena, room=linden, starts_at=starts_at)
    assert schedule_token(*span) != before


def test_a_session_booked_weeks_away_leaves_the_span(span, maria, massage, lena, linden):
    before = schedule_token(*span)
    later = span[1] + dt.timedelta(days=WEEK)
    AppointmentFactory(patient=maria, modality=massage, therapist=lena, room=linden, starts_at=at(later, 10))
    assert schedule_token(*span) == before


def test_cancelling_moving_and_deleting_a_session_give_new_tokens(span, session):
    later = (span[0] + dt.timedelta(days=3 * WEEK), span[1] + dt.timedelta(days=3 * WEEK))
    seen = {schedule_token(*span)}
    Appointment.objects.filter(pk=session.pk).update(status=AppointmentStatus.CANCELLED, cancellation_reason="Ill")
    seen.add(schedule_token(*span))
    Appointment.objects.filter(pk=session.pk).update(status=AppointmentStatus.BOOKED, cancellation_reason="")
    seen.add(schedule_token(*span))
    assert len(seen) == 3  # and booked again is not the first token: nothing is ever taken back
    # Moved three weeks on: the span it left and the span it reached both change.
    there = schedule_token(*later)
    session.refresh_from_db()
    Appointment.objects.filter(pk=session.pk).update(
        starts_at=session.starts_at + dt.timedelta(days=3 * WEEK), ends_at=session.ends_at + dt.timedelta(days=3 * WEEK)
    )
    assert schedule_token(*span) not in seen
    assert schedule_token(*later) != there
    there = schedule_token(*later)
    Appointment.objects.filter(pk=session.pk).delete()
    assert schedule_token(*later) != there


def test_a_slot_held_for_an_offer_gives_a_new_token(span, patient_user, massage, lena, linden):
    patient = patient_user.patient
    slot = freed_slot(lena, linden, massage, at(span[0] + dt.timedelta(days=2), 15))
    before = schedule_token(*span)
    WaitlistOffer.objects.create(
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        expires_at=slot.starts_at - dt.timedelta(hours=2),
        slot=slot,
        entry=wish(patient, modality=massage),
        patient=patient,
        therapist=lena,
        room=linden,
    )
    assert schedule_token(*span) != before


def test_a_rolled_back_write_keeps_the_token(span, maria, massage, lena, linden):
    before = schedule_token(*span)
    with pytest.raises(RuntimeError), transaction.atomic():
        AppointmentFactory(patient=maria, modality=massage, therapist=lena, room=linden, starts_at=at(span[0], 10))
        assert schedule_token(*span) != before  # the writer sees its own write
        raise RuntimeError
    assert schedule_token(*span) == before
