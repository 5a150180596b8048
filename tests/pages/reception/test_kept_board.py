"""The day board kept between looks (pages.kept_pages, sessions.day_version): a look at an
unchanged day is cheap, and a kept board never shows anything but what the day's sessions, their
patients' records, the clock and the language would draw now."""

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pages.reception.board import day_board
from patients.models import Phase
from sessions.models import Appointment, AppointmentStatus
from tests.conftest import client_for
from tests.factories import (
    AppointmentFactory,
    ClosureFactory,
    DiagnosisFactory,
    PhaseRecordFactory,
    TherapistFactory,
    at,
    clock,
)
from tests.patients.test_record_version import record_tables_watched

pytestmark = pytest.mark.django_db

BOARD = reverse("reception:day_board")


def looks(client, day: dt.date | None = None) -> tuple[str, int]:
    """The board's HTML and how many queries the look took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(BOARD, {"day": day.isoformat()} if day else {})
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def rows(page: str) -> str:
    """The board's body (the form around it carries a CSRF token masked afresh on every page)."""
    return page.split('<tbody id="board-body"')[1].split("</tbody>")[0]


def button(action: str, session: Appointment) -> str:
    return f'formaction="{reverse(f"booking:appointment_{action}", args=[session.pk])}"'


@pytest.fixture
def anna(massage):
    return TherapistFactory(modalities=[massage], hours=[(d, "08:00", "18:00") for d in range(7)])


def test_a_second_look_at_an_unchanged_day_is_kept(reception, maria, massage, anna, linden, monday):
    AppointmentFactory(patient=maria, modality=massage, therapist=anna, room=linden, starts_at=at(monday, 9))
    drawn, drawing = looks(reception, monday)
    kept, keeping = looks(reception, monday)
    assert rows(kept) == rows(drawn)
    assert "Maria Lopez" in kept
    # The session, the user, the review count, the day's and the set-up's tokens.
    assert keeping <= 8 < drawing


def test_a_session_booked_moved_or_cancelled_shows_on_the_next_look(reception, maria, massage, anna, linden, monday):
    looks(reception, monday)
    session = AppointmentFactory(patient=maria, modality=massage, therapist=anna, room=linden, starts_at=at(monday, 9))
    assert "Maria Lopez" in looks(reception, monday)[0]
    Appointment.objects.filter(pk=session.pk).update(status=AppointmentStatus.CANCELLED, cancellation_reason="Ill")
    assert "Maria Lopez" not in looks(reception, monday)[0]
    Appointment.objects.filter(pk=session.pk).update(
        status=AppointmentStatus.BOOKED, cancellation_reason="", starts_at=at(monday, 11), ends_at=at(monday, 12)
    )
    assert 'data-time="11:00"' in looks(reception, monday)[0].split("Maria Lopez")[0].rsplit("<tr", 1)[1]
    Appointment.objects.filter(pk=session.pk).update(
        starts_at=at(monday + dt.timedelta(days=1), 11), ends_at=at(monday + dt.timedelta(days=1), 12)
    )
    assert "Maria Lopez" not in looks(reception, monday)[0]


def test_a_change_to_the_record_of_a_patient_of_the_day_shows(receptionist, maria, massage, anna, linden, monday):
    session = AppointmentFactory(patient=maria, modality=massage, therapist=anna, room=linden, starts_at=at(monday, 11))
    with clock(at(monday, 10)):
        reception = client_for(receptionist)
        looks(reception)
        assert button("check_in", session) in looks(reception)[0]
        PhaseRecordFactory(diagnosis=DiagnosisFactory(patient=maria), phase=Phase.ACUTE, effective_from=at(monday, 9))
        assert button("check_in", session) not in looks(reception)[0]


def test_todays_board_moves_on_with_the_clock(receptionist, maria, massage, anna, linden, monday):
    """The "now" row at the quarter hour, no-show once a session has started, and check-in no
    more once a phase dated ahead turns acute: each without any write."""
    session = AppointmentFactory(
        patient=maria, modality=massage, therapist=anna, room=linden, starts_at=at(monday, 10, 30)
    )
    PhaseRecordFactory(diagnosis=DiagnosisFactory(patient=maria), phase=Phase.ACUTE, effective_from=at(monday, 10, 40))
    with clock(at(monday, 10, 5)):
        reception = client_for(receptionist)
        looks(reception)
        early = looks(reception)[0]
    with clock(at(monday, 10, 20)):
        quarter = looks(reception)[0]
    with clock(at(monday, 10, 31)):
        started = looks(reception)[0]
    with clock(at(monday, 10, 41)):
        acute = looks(reception)[0]
    assert '<tr class="now" data-time="10:00">' in early
    assert '<tr class="now" data-time="10:15">' in quarter
    assert button("no_show", session) not in quarter and button("no_show", session) in started
    assert button("check_in", session) in started and button("check_in", session) not in acute


def test_another_language_draws_the_board_in_it(receptionist, maria, massage, anna, linden, monday):
    AppointmentFactory(patient=maria, modality=massage, therapist=anna, room=linden, starts_at=at(monday, 11))
    with clock(at(monday, 10)):
        reception = client_for(receptionist)
        looks(reception)
        assert "Check in" in rows(looks(reception)[0])
        reception.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
        german = rows(looks(reception)[0])
    assert "Ankunft erfassen" in german and "Check in" not in german


def test_every_table_the_board_is_drawn_from_is_watched(maria, massage, anna, linden, monday):
    """The board's drawing reads the day's sessions, their patients' records and the set-up only:
    a table read without triggers would keep a board that no longer shows the day."""
    complete = AppointmentFactory(patient=maria, modality=massage, therapist=anna, room=linden, starts_at=at(monday, 9))
    Appointment.objects.filter(pk=complete.pk).update(status=AppointmentStatus.COMPLETED)
    PhaseRecordFactory(diagnosis=DiagnosisFactory(patient=maria), phase=Phase.SUBACUTE, effective_from=at(monday, 8))
    AppointmentFactory(patient=maria, modality=massage, therapist=anna, room=linden, starts_at=at(monday, 11))
    for by in ("therapist", "room"):
        with clock(at(monday, 10)):
            tables = record_tables_watched(lambda by=by: day_board(day=monday, by=by))
        assert tables >= {"treatment_sessions_appointment", "patients_phaserecord"}


def test_the_body_refreshes_from_the_board_it_shows(reception, anna, monday):
    """Kept whatever else the address carries: today's board (no day asked) rolls over at midnight,
    an asked day stays that day, with its columns."""
    assert 'id="board-body" hx-get="/reception/"' in looks(reception)[0]
    page = reception.get(BOARD, {"day": monday.isoformat(), "by": "room", "utm": "x"}).content.decode()
    assert f'id="board-body" hx-get="/reception/?day={monday.isoformat()}&amp;by=room"' in page


def test_the_top_of_the_board_moves_on_with_the_day_and_the_closures(receptionist, anna, monday):
    """The top is kept with the rows: "Today" points at the new day after midnight, and a closure
    entered for the day shows on the next look."""
    friday = monday + dt.timedelta(days=4)
    with clock(at(monday, 23, 50)):
        reception = client_for(receptionist)
        looks(reception, friday)
        assert f"?day={monday.isoformat()}&by=therapist" in looks(reception, friday)[0]
    tuesday = monday + dt.timedelta(days=1)
    with clock(at(tuesday, 0, 10)):
        assert f"?day={tuesday.isoformat()}&by=therapist" in looks(reception, friday)[0]
        ClosureFactory(starts_on=friday, reason="Staff training")
        assert "Staff training" in looks(reception, friday)[0]
