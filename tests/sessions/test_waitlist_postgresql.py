"""The waitlist under real concurrency, on PostgreSQL: patients accepting one freed slot at the
same moment end with one booking, and each of the others reads one clear message; two copies of
the cron command at once offer a slot once.

Run with: scripts/with-postgres .venv/bin/pytest tests/sessions/test_waitlist_postgresql.py
"""

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from clinic.refusals import Refused
from sessions.models import Appointment, AppointmentStatus, FreedSlotStatus, OfferStatus, WaitlistOffer
from sessions.waitlist import TAKEN_BY_SOMEONE_ELSE, waitlist_offer_accept, waitlist_offers_send
from tests.factories import RoomFactory, on_monday, therapist_named
from tests.scenes import freed_slot, portal_patient, wish
from tests.sessions.test_booking_postgresql import overlapping_pairs

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PATIENTS = 8


def at_once(calls) -> list[tuple[str, object]]:
    """Run each call in its own thread and connection, released together: (outcome, detail) each."""
    barrier = threading.Barrier(len(calls), timeout=30)
    results: list[tuple[str, object]] = []
    lock = threading.Lock()

    def run(call):
        try:
            barrier.wait()
            outcome = ("done", call())
        except Refused as error:
            outcome = ("refused", error.reasons)
        except Exception as error:  # anything else is a failure the test must show
            outcome = ("error", repr(error))
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results


@pytest.fixture
def slot(back_massage):
    therapist = therapist_named("Anna Berg", back_massage)
    room = RoomFactory(name="Blue room", modalities=[back_massage])
    return freed_slot(therapist, room, back_massage, on_monday(10))


def waiting_patients(back_massage, count: int):
    now = timezone.now()
    patients = [portal_patient(email=f"waiting{n}@example.org", first_name=f"Patient{n}") for n in range(count)]
    for n, patient in enumerate(patients):
        wish(patient, modality=back_massage, now=now - dt.timedelta(minutes=count - n))
    return patients


@override_settings(CLINIC_WAITLIST_BATCH=2)
def test_two_patients_accepting_at_once_end_with_one_booking_and_one_clear_message(slot, back_massage):
    waiting_patients(back_massage, 2)
    waitlist_offers_send()
    offers = list(WaitlistOffer.objects.filter(status=OfferStatus.OFFERED).select_related("patient__user"))
    assert len(offers) == 2

    results = at_once(
        [lambda offer=offer: waitlist_offer_accept(offer=offer, accepted_by=offer.patient.user).pk for offer in offers]
    )

    assert [detail for outcome, detail in results if outcome == "error"] == []
    assert sorted(outcome for outcome, _ in results) == ["done", "refused"]
    assert [detail for outcome, detail in results if outcome == "refused"] == [[TAKEN_BY_SOMEONE_ELSE]]
    booked = Appointment.objects.filter(status=AppointmentStatus.BOOKED)
    assert booked.count() == 1
    statuses = sorted(WaitlistOffer.objects.values_list("status", flat=True))
    assert statuses == [OfferStatus.ACCEPTED, OfferStatus.TAKEN]
    winner = WaitlistOffer.objects.get(status=OfferStatus.ACCEPTED)
    assert winner.appointment == booked.get()
    slot.refresh_from_db()
    assert slot.status == FreedSlotStatus.FILLED
    assert overlapping_pairs() == 0


@override_settings(CLINIC_WAITLIST_BATCH=PATIENTS)
def test_a_whole_batch_accepting_at_once_ends_with_one_booking(slot, back_massage):
    waiting_patients(back_massage, PATIENTS)
    waitlist_offers_send()
    offers = list(WaitlistOffer.objects.filter(status=OfferStatus.OFFERED).select_related("patient__user"))
    assert len(offers) == PATIENTS

    results = at_once(
        [lambda offer=offer: waitlist_offer_accept(offer=offer, accepted_by=offer.patient.user).pk for offer in offers]
    )

    assert [detail for outcome, detail in results if outcome == "error"] == []
    assert [outcome for outcome, _ in results].count("done") == 1
    assert all(detail == [TAKEN_BY_SOMEONE_ELSE] for outcome, detail in results if outcome == "refused")
    assert Appointment.objects.filter(status=AppointmentStatus.BOOKED).count() == 1
    assert WaitlistOffer.objects.filter(status=OfferStatus.ACCEPTED).count() == 1
    assert WaitlistOffer.objects.filter(status=OfferStatus.TAKEN).count() == PATIENTS - 1
    assert overlapping_pairs() == 0


def test_two_runs_of_the_command_at_once_offer_a_slot_once(slot, back_massage):
    waiting_patients(back_massage, 3)

    results = at_once([lambda: waitlist_offers_send().offers for _ in range(4)])

    assert [detail for outcome, detail in results if outcome == "error"] == []
    assert sum(detail for _, detail in results) == 1
    assert WaitlistOffer.objects.count() == 1
    assert len(mail.outbox) == 1


def test_the_same_patient_is_never_held_two_slots_by_runs_at_once(back_massage):
    therapists = [therapist_named(f"Therapist {n}", back_massage) for n in range(4)]
    room = RoomFactory(modalities=[back_massage])
    for n, therapist in enumerate(therapists):
        freed_slot(therapist, room, back_massage, on_monday(9 + 2 * n))
    (patient,) = waiting_patients(back_massage, 1)

    results = at_once([lambda: waitlist_offers_send().offers for _ in range(4)])

    assert [detail for outcome, detail in results if outcome == "error"] == []
    assert WaitlistOffer.objects.filter(patient=patient, status=OfferStatus.OFFERED).count() == 1
    assert len(mail.outbox) == 1
