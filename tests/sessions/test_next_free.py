"""slots_next_free: the first day with a free slot; on_slot_grid: the quarter-hour grid; and the
bulk cancel of one patient's flagged sessions (appointments_review_cancel)."""

import datetime as dt

import pytest

from clinic.refusals import Refused
from patients.models import Phase
from sessions.appointments import appointments_review_cancel
from sessions.availability import on_slot_grid, slots_next_free
from sessions.models import Appointment, AppointmentStatus
from tests.factories import AppointmentFactory, ClosureFactory, PhaseRecordFactory, TherapistFactory, at


def test_next_free_is_the_first_day_with_a_slot(back_massage, blue_room, monday):
    anna = TherapistFactory(modalities=[back_massage], hours=[(3, "09:00", "11:00")])  # Thursdays only
    slots = slots_next_free(modality=back_massage, starts_on=monday)
    thursday = monday + dt.timedelta(days=3)
    assert {slot.starts_at.date() for slot in slots} == {thursday}
    assert slots[0].starts_at == at(thursday, 9) and slots[0].therapist == anna


def test_next_free_skips_closures_and_stops_after_its_horizon(back_massage, blue_room, monday):
    TherapistFactory(modalities=[back_massage], hours=[(0, "09:00", "11:00")])  # Mondays only
    ClosureFactory(therapist=None, starts_on=monday, ends_on=monday, reason="Public holiday")
    slots = slots_next_free(modality=back_massage, starts_on=monday)
    assert {slot.starts_at.date() for slot in slots} == {monday + dt.timedelta(days=7)}
    assert slots_next_free(modality=back_massage, starts_on=monday, days=7) == []


def test_next_free_runs_at_most_four_searches(back_massage, blue_room, monday, django_assert_max_num_queries):
    TherapistFactory(modalities=[back_massage], hours=[])  # never works
    with django_assert_max_num_queries(4 * 6):
        assert slots_next_free(modality=back_massage, starts_on=monday) == []


@pytest.mark.parametrize(("hour", "minute", "on"), [(9, 0, True), (9, 45, True), (9, 5, False), (9, 50, False)])
def test_the_slot_grid_is_the_quarter_hour(monday, hour, minute, on):
    assert on_slot_grid(at(monday, hour, minute)) is on


@pytest.fixture
def flagged(maria_keller, back_massage, anna_berg, blue_room, monday):
    sessions = [
        AppointmentFactory(
            patient=maria_keller, modality=back_massage, therapist=anna_berg, room=blue_room, starts_at=at(monday, hour)
        )  # fmt: skip
        for hour in (9, 11)
    ]
    PhaseRecordFactory(diagnosis__patient=maria_keller, phase=Phase.ACUTE)
    return sessions


def test_review_cancel_cancels_all_of_the_patients_flagged_sessions(maria_keller, flagged):
    cancelled = appointments_review_cancel(patient=maria_keller, reason="  Acute phase  ")
    assert [a.pk for a in cancelled] == [s.pk for s in flagged]
    rows = Appointment.objects.filter(pk__in=[s.pk for s in flagged])
    assert {(a.status, a.cancellation_reason, a.needs_review) for a in rows} == {
        (AppointmentStatus.CANCELLED, "Acute phase", False)
    }


def test_review_cancel_refuses_without_a_reason(maria_keller, flagged):
    with pytest.raises(Refused) as refused:
        appointments_review_cancel(patient=maria_keller, reason=" ")
    assert refused.value.reasons == ["Give a reason for the cancellation."]
    assert not Appointment.objects.filter(status=AppointmentStatus.CANCELLED).exists()


def test_review_cancel_refuses_when_nothing_waits_for_review(maria_keller, flagged):
    appointments_review_cancel(patient=maria_keller, reason="Acute")
    with pytest.raises(Refused) as refused:
        appointments_review_cancel(patient=maria_keller, reason="Acute")
    assert refused.value.reasons == [f"No session of {maria_keller} waits for review any more."]


def test_review_cancel_is_all_or_nothing(maria_keller, flagged, monkeypatch):
    from sessions import appointments

    calls = []
    original = appointments.appointment_status_set

    def fail_on_second(appointment, status, *, now):
        calls.append(appointment.pk)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return original(appointment, status, now=now)

    monkeypatch.setattr(appointments, "appointment_status_set", fail_on_second)
    with pytest.raises(RuntimeError):
        appointments_review_cancel(patient=maria_keller, reason="Acute")
    assert not Appointment.objects.filter(status=AppointmentStatus.CANCELLED).exists()
