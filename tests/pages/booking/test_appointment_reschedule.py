import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from patients.models import FlagKind, Phase
from sessions.booking import appointment_book
from sessions.models import Appointment, AppointmentStatus
from tests.conftest import client_for
from tests.factories import (
    DiagnosisFactory,
    HealthFlagFactory,
    PatientFactory,
    PhaseRecordFactory,
    TherapistFactory,
    at,
    next_weekday,
)
from tests.scenes import asks_to_log_in, shows, url_of

MONDAY = next_weekday(0)
TUESDAY = MONDAY + dt.timedelta(days=1)


url = url_of("booking:appointment_reschedule")


def short(day: dt.date) -> str:
    """How the refusals write a day: "Mon 30 Nov"."""
    return f"{day:%a} {day.day} {day:%b}"


@pytest.fixture
def session(maria, massage, anna, linden):
    """Maria's massage, Monday 10:00–10:45 with Anna in Room Linden."""
    return appointment_book(patient=maria, modality=massage, therapist=anna, room=linden, starts_at=at(MONDAY, 10))


@pytest.fixture
def annas_afternoon(massage, anna, maple):
    """Anna is busy with another patient on Monday 14:00–14:45, in Room Maple."""
    return appointment_book(
        patient=PatientFactory(), modality=massage, therapist=anna, room=maple, starts_at=at(MONDAY, 14)
    )


def move(client, appointment, day: dt.date, time: str, therapist, room, **extra):
    data = {"day": day.isoformat(), "time": time, "therapist": therapist.pk, "room": room.pk, **extra}
    return client.post(url(appointment), data)


def assert_unchanged(session, anna, linden) -> None:
    session.refresh_from_db()
    assert (session.starts_at, session.ends_at, session.therapist, session.room) == (
        at(MONDAY, 10),
        at(MONDAY, 10, 45),
        anna,
        linden,
    )


def test_it_shows_the_session_and_a_form_filled_with_it(reception, session):
    response = reception.get(url(session))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Move the session of Maria Lopez" in content
    assert (
        f"Now: Therapeutic massage, {MONDAY:%A} {MONDAY.day} {MONDAY:%B %Y}, 10:00 with Anna Kuhn in Room Linden."
        in content
    )
    assert f'type="date" name="day" value="{MONDAY.isoformat()}"' in content  # the ISO form a date input accepts
    assert 'name="time" value="10:00"' in content  # hours and minutes (clinic/formats)
    form = response.context["form"]
    assert form.initial == {
        "day": MONDAY,
        "time": dt.time(10, 0),
        "therapist": session.therapist,
        "room": session.room,
    }


def test_it_moves_the_session_keeping_its_length(reception, session, anna, maple):
    response = move(reception, session, TUESDAY, "11:15", anna, maple)
    assert response.status_code == 302
    assert response.url == session.get_absolute_url()
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Moved the session of Maria Lopez."]
    session.refresh_from_db()
    assert (session.starts_at, session.ends_at, session.room) == (at(TUESDAY, 11, 15), at(TUESDAY, 12), maple)
    assert session.status == AppointmentStatus.BOOKED
    assert Appointment.objects.count() == 1


def test_it_moves_to_another_qualified_therapist(reception, session, massage, linden):
    ben = TherapistFactory(user__first_name="Ben", user__last_name="Ortiz", modalities=[massage])
    assert move(reception, session, MONDAY, "10:00", ben, linden).status_code == 302
    session.refresh_from_db()
    assert session.therapist == ben


def test_it_refuses_a_time_the_therapist_is_busy_and_says_when(reception, session, annas_afternoon, anna, linden):
    response = move(reception, session, MONDAY, "14:30", anna, linden)
    assert response.status_code == 200
    assert f"Anna Kuhn is already booked {short(MONDAY)} 14:00–14:45." in response.content.decode()
    assert_unchanged(session, anna, linden)


def test_it_refuses_a_room_that_is_taken(reception, session, annas_afternoon, massage, anna, linden, maple):
    ben = TherapistFactory(user__first_name="Ben", user__last_name="Ortiz", modalities=[massage])
    response = move(reception, session, MONDAY, "14:00", ben, maple)
    assert response.status_code == 200
    assert f"Room Maple is already booked {short(MONDAY)} 14:00–14:45." in response.content.decode()
    assert_unchanged(session, anna, linden)


@pytest.mark.parametrize(
    ("day", "time"),
    [(MONDAY, "17:30"), (MONDAY, "07:00"), (MONDAY + dt.timedelta(days=5), "10:00")],
    ids=["running-past-closing", "before-opening", "saturday"],
)
def test_it_refuses_a_time_outside_working_hours(reception, session, anna, linden, day, time):
    response = move(reception, session, day, time, anna, linden)
    assert response.status_code == 200
    assert f"{short(day)} {time} is outside Anna Kuhn&#x27;s working hours." in response.content.decode()
    assert_unchanged(session, anna, linden)


def test_it_refuses_a_time_in_the_past(reception, session, anna, linden):
    last_monday = MONDAY - dt.timedelta(days=14)
    response = move(reception, session, last_monday, "10:00", anna, linden)
    assert response.status_code == 200
    # A past day is outside the booking window (clinic.date_windows): a form error.
    assert "Choose today or a later day." in response.content.decode()
    assert_unchanged(session, anna, linden)


def test_it_refuses_a_therapist_not_qualified_for_the_modality(reception, session, linden, anna):
    carl = TherapistFactory(user__first_name="Carl", user__last_name="Voss", modalities=[])
    response = move(reception, session, MONDAY, "10:00", carl, linden)
    assert response.status_code == 200
    # The front-desk issue: only qualified therapists are offered, so the form refuses him first.
    assert "Choose one of the therapists qualified for this modality." in response.content.decode()
    assert_unchanged(session, anna, linden)


def test_it_refuses_while_the_patient_is_acute_and_names_the_diagnosis(reception, session, maria, anna, linden):
    sciatica = DiagnosisFactory(patient=maria, icd10_code="M51.1", title="Lumbar disc disorder")
    PhaseRecordFactory(diagnosis=sciatica, phase=Phase.ACUTE)
    response = move(reception, session, TUESDAY, "10:00", anna, linden)
    assert response.status_code == 200
    assert "Acute phase of M51.1 Lumbar disc disorder" in response.content.decode()
    assert_unchanged(session, anna, linden)


def test_it_asks_to_confirm_warnings_before_moving(reception, session, maria, anna, linden):
    HealthFlagFactory(patient=maria, kind=FlagKind.HYPERTENSION)
    response = move(reception, session, TUESDAY, "10:00", anna, linden)
    shows(
        response,
        "Warnings to confirm",
        "the therapist should check it and adapt the pressure",
        "Confirm the warnings to go ahead.",
        status=200,
    )
    assert_unchanged(session, anna, linden)

    assert move(reception, session, TUESDAY, "10:00", anna, linden, confirm_warnings="on").status_code == 302
    session.refresh_from_db()
    assert session.starts_at == at(TUESDAY, 10)


@pytest.mark.parametrize("status", [AppointmentStatus.COMPLETED, AppointmentStatus.CHECKED_IN])
def test_it_refuses_to_move_a_session_that_is_under_way_or_over(reception, session, anna, linden, status):
    Appointment.objects.filter(pk=session.pk).update(status=status)
    response = move(reception, session, TUESDAY, "10:00", anna, linden)
    assert response.status_code == 200
    label = AppointmentStatus(status).label.lower()
    assert f"A {label} session cannot be moved." in response.content.decode()
    assert_unchanged(session, anna, linden)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"time": "25:99"}, "Enter a valid time."),
        ({"day": "someday"}, "Enter a valid date."),
        # The front-desk issue: a slot from the picker or a typed time; only suited rooms offered.
        ({"day": ""}, "Choose a free slot above, or fill this in."),
        ({"room": "999999"}, "Choose one of the rooms suited to this modality."),
        ({"time": "10:05"}, "Choose a time on the quarter hour (:00, :15, :30 or :45)."),
    ],
)
def test_it_explains_bad_input_and_moves_nothing(reception, session, anna, linden, changes, message):
    data = {"day": TUESDAY.isoformat(), "time": "10:00", "therapist": anna.pk, "room": linden.pk, **changes}
    response = reception.post(url(session), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert_unchanged(session, anna, linden)


def test_it_answers_404_for_an_unknown_session(reception, db):
    assert reception.get(reverse("booking:appointment_reschedule", args=[999999])).status_code == 404


@pytest.mark.parametrize("role", ["therapist", "manager"])
def test_therapists_and_managers_may_reschedule(request, role, session, anna, linden):
    user = request.getfixturevalue(role)
    assert move(client_for(getattr(user, "user", user)), session, TUESDAY, "09:00", anna, linden).status_code == 302
    session.refresh_from_db()
    assert session.starts_at == at(TUESDAY, 9)


def test_it_asks_anonymous_visitors_to_log_in(client, session, anna, linden):
    for response in (client.get(url(session)), move(client, session, TUESDAY, "09:00", anna, linden)):
        asks_to_log_in(response)
    assert_unchanged(session, anna, linden)


def test_it_refuses_patients(patient_user, session, anna, linden):
    client = client_for(patient_user)
    assert client.get(url(session)).status_code == 403
    assert move(client, session, TUESDAY, "09:00", anna, linden).status_code == 403
    assert_unchanged(session, anna, linden)


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_it_rejects_other_methods(reception, session, anna, linden, method):
    assert getattr(reception, method)(url(session)).status_code == 405
    assert_unchanged(session, anna, linden)
