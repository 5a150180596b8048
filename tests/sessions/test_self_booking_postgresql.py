"""Two tabs of one patient booking at the same moment (PostgreSQL only): the patient's row lock
keeps them within CLINIC_SELF_BOOKING_MAX_OPEN, and the loser reads why.

Run with: scripts/with-postgres .venv/bin/pytest tests/sessions/test_self_booking_postgresql.py
"""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.test import override_settings

from clinic.refusals import Refused
from sessions.models import Appointment
from sessions.self_booking import self_book
from tests.factories import MONDAY, CourseFactory, ModalityFactory, RoomFactory, at, therapist_named
from tests.scenes import portal_patient

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TABS = 4


@override_settings(CLINIC_SELF_BOOKING_MAX_OPEN=1)
def test_tabs_booking_at_once_never_pass_the_open_sessions_limit():
    modality = ModalityFactory(name="Classic back massage")
    anna = therapist_named("Anna Berg", modality)
    room = RoomFactory(modalities=[modality])
    maria = portal_patient(email="maria@example.org")
    course = CourseFactory(patient=maria, modality=modality, prescribed_by=anna.user, max_sessions=10, min_sessions=10)
    barrier = threading.Barrier(TABS, timeout=30)
    results, lock = [], threading.Lock()

    def tab(day_offset: int):
        try:
            barrier.wait()
            starts_at = at(MONDAY + dt.timedelta(days=day_offset), 10)
            booked = self_book(patient=maria, course=course, starts_at=starts_at, therapist=anna, room=room)
            outcome = ("booked", booked.pk)
        except Refused as error:
            outcome = ("refused", error.reasons)
        except Exception as error:  # noqa: BLE001 (the test must show anything else)
            outcome = ("error", repr(error))
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    # Monday, Wednesday, Friday, and the Monday after: days the free cadence allows together.
    threads = [threading.Thread(target=tab, args=(offset,)) for offset in (0, 2, 4, 7)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert [detail for outcome, detail in results if outcome == "error"] == []
    assert [outcome for outcome, _ in results].count("booked") == 1
    assert Appointment.objects.filter(patient=maria).count() == 1
    refusals = [detail for outcome, detail in results if outcome == "refused"]
    assert all(reasons[0].startswith("You already have 1 session booked ahead") for reasons in refusals)
