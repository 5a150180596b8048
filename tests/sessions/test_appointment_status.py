"""After the booking: moving a session, cancelling it, checking the patient in, and closing it as
completed or missed. Scenes are set with AppointmentFactory at times relative to now."""

import datetime as dt

import pytest
from django.utils import timezone

from clinic.refusals import Refused, WarningsNotConfirmed
from patients.models import FlagKind
from sessions.appointments import appointment_cancel, appointment_check_in, appointment_complete, appointment_no_show
from sessions.booking import appointment_book, appointment_reschedule
from sessions.models import Appointment, AppointmentStatus
from tests.factories import (
    AppointmentFactory,
    CourseFactory,
    HealthFlagFactory,
    PatientFactory,
    RoomFactory,
    TherapistFactory,
    earlier_today,
    on_monday,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(maria_keller, anna_berg, blue_room, back_massage):
    """Maria's session on Monday 10:00–10:45, booked the normal way."""
    return appointment_book(
        patient=maria_keller, therapist=anna_berg, room=blue_room, modality=back_massage, starts_at=on_monday(10)
    )


def scene(starts_at: dt.datetime, status=AppointmentStatus.BOOKED, **kwargs) -> Appointment:
    if status == AppointmentStatus.CANCELLED:
        kwargs.setdefault("cancellation_reason", "Patient called off")
    return AppointmentFactory(starts_at=starts_at, status=status, **kwargs)


def reload(appointment: Appointment) -> Appointment:
    return Appointment.objects.get(pk=appointment.pk)


# --- Reschedule -------------------------------------------------------------------------------


def test_reschedule_moves_the_session_and_keeps_its_length(booked):
    moved = appointment_reschedule(appointment=booked, starts_at=on_monday(14, 30))

    moved = reload(moved)
    assert (moved.starts_at, moved.ends_at) == (on_monday(14, 30), on_monday(15, 15))
    assert moved.status == AppointmentStatus.BOOKED
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize("minutes", [15, -15])
def test_reschedule_by_a_quarter_hour_may_overlap_its_own_old_slot(booked, minutes):
    moved = appointment_reschedule(appointment=booked, starts_at=on_monday(10) + dt.timedelta(minutes=minutes))

    assert reload(moved).starts_at == on_monday(10) + dt.timedelta(minutes=minutes)


def test_reschedule_to_another_therapist_and_room(booked, back_massage):
    jonas = TherapistFactory(user__first_name="Jonas", user__last_name="Roth", modalities=[back_massage])
    green = RoomFactory(name="Green room", modalities=[back_massage])

    moved = reload(appointment_reschedule(appointment=booked, starts_at=on_monday(10), therapist=jonas, room=green))

    assert (moved.therapist, moved.room) == (jonas, green)


def _refused_move(appointment, **kwargs) -> list[str]:
    before = reload(appointment)
    with pytest.raises(Refused) as excinfo:
        appointment_reschedule(appointment=appointment, **kwargs)
    after = reload(appointment)
    assert (after.starts_at, after.ends_at, after.therapist_id, after.room_id, after.status) == (
        before.starts_at,
        before.ends_at,
        before.therapist_id,
        before.room_id,
        before.status,
    )
    return excinfo.value.reasons


def test_reschedule_refuses_a_slot_where_the_therapist_is_busy(booked, anna_berg):
    scene(on_monday(14), therapist=anna_berg)

    reasons = _refused_move(booked, starts_at=on_monday(14, 30))

    assert len(reasons) == 1
    assert reasons[0].startswith("Anna Berg is already booked")


def test_reschedule_refuses_a_slot_where_the_room_is_busy(booked, blue_room):
    scene(on_monday(14), room=blue_room)

    assert _refused_move(booked, starts_at=on_monday(14))[0].startswith("Blue room is already booked")


def test_reschedule_refuses_outside_working_hours(booked):
    assert "outside Anna Berg's working hours" in _refused_move(booked, starts_at=on_monday(17, 30))[0]


def test_reschedule_refuses_an_unqualified_therapist(booked):
    jonas = TherapistFactory(user__first_name="Jonas", user__last_name="Roth")

    assert _refused_move(booked, starts_at=on_monday(10), therapist=jonas) == [
        "Jonas Roth is not qualified for Classic back massage."
    ]


def test_reschedule_refuses_the_past(booked):
    assert "The start time is in the past." in _refused_move(booked, starts_at=timezone.now() - dt.timedelta(hours=1))


def test_reschedule_runs_the_contraindication_check(booked, maria_keller):
    HealthFlagFactory(patient=maria_keller, kind=FlagKind.FEVER_INFECTION)

    assert _refused_move(booked, starts_at=on_monday(14))[0].startswith("Fever or infection")


def test_reschedule_asks_to_confirm_warnings(booked, maria_keller):
    HealthFlagFactory(patient=maria_keller, kind=FlagKind.HYPERTENSION)

    with pytest.raises(WarningsNotConfirmed):
        appointment_reschedule(appointment=booked, starts_at=on_monday(14))
    assert reload(booked).starts_at == on_monday(10)

    appointment_reschedule(appointment=booked, starts_at=on_monday(14), confirm_warnings=True)
    assert reload(booked).starts_at == on_monday(14)


def test_reschedule_of_the_last_course_session_does_not_count_it_twice(
    maria_keller, anna_berg, blue_room, back_massage
):
    course = CourseFactory(patient=maria_keller, modality=back_massage, min_sessions=1, max_sessions=1)
    only = appointment_book(
        patient=maria_keller, therapist=anna_berg, room=blue_room, course=course, starts_at=on_monday(10)
    )

    assert reload(appointment_reschedule(appointment=only, starts_at=on_monday(11))).starts_at == on_monday(11)


@pytest.mark.parametrize(
    "status",
    [AppointmentStatus.CHECKED_IN, AppointmentStatus.COMPLETED, AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW],
)
def test_reschedule_refuses_a_session_that_is_no_longer_booked(booked, status):
    Appointment.objects.filter(pk=booked.pk).update(status=status, cancellation_reason="Called off")

    reasons = _refused_move(booked, starts_at=on_monday(14))

    assert reasons == [f"A {status.label.lower()} session cannot be moved."]


# --- Cancel -----------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_cancel_needs_a_reason(booked, reason):
    with pytest.raises(Refused) as excinfo:
        appointment_cancel(appointment=booked, reason=reason)

    assert excinfo.value.reasons == ["Give a reason for the cancellation."]
    assert reload(booked).status == AppointmentStatus.BOOKED


def test_cancel_keeps_the_row_with_its_reason(booked):
    appointment_cancel(appointment=booked, reason="  Patient has the flu  ")

    cancelled = reload(booked)
    assert cancelled.status == AppointmentStatus.CANCELLED
    assert cancelled.cancellation_reason == "Patient has the flu"
    assert cancelled.cancelled_at is not None
    assert abs(cancelled.cancelled_at - timezone.now()) < dt.timedelta(minutes=1)


def test_cancel_frees_the_slot_for_another_booking(booked, anna_berg, blue_room, back_massage):
    appointment_cancel(appointment=booked, reason="Patient has the flu")

    other = appointment_book(
        patient=PatientFactory(), therapist=anna_berg, room=blue_room, modality=back_massage, starts_at=on_monday(10)
    )

    assert other.starts_at == booked.starts_at
    assert Appointment.objects.count() == 2


def test_cancel_lets_the_same_patient_rebook_the_same_slot(booked, maria_keller, anna_berg, blue_room, back_massage):
    appointment_cancel(appointment=booked, reason="Booked by mistake")

    again = appointment_book(
        patient=maria_keller, therapist=anna_berg, room=blue_room, modality=back_massage, starts_at=on_monday(10)
    )

    assert again.pk != booked.pk


def test_a_checked_in_session_may_still_be_cancelled():
    appointment = scene(earlier_today(), status=AppointmentStatus.CHECKED_IN)

    assert appointment_cancel(appointment=appointment, reason="Felt dizzy").status == AppointmentStatus.CANCELLED


# --- Check in ---------------------------------------------------------------------------------


def test_check_in_on_the_day_of_the_session():
    appointment = scene(earlier_today())

    appointment_check_in(appointment=appointment)

    checked_in = reload(appointment)
    assert checked_in.status == AppointmentStatus.CHECKED_IN
    assert checked_in.checked_in_at is not None


@pytest.mark.parametrize("days", [1, -1, 7])
def test_check_in_is_refused_on_another_day(days):
    appointment = scene(timezone.now() + dt.timedelta(days=days))

    with pytest.raises(Refused) as excinfo:
        appointment_check_in(appointment=appointment)

    assert excinfo.value.reasons == ["A patient is checked in on the day of the session only."]
    assert reload(appointment).status == AppointmentStatus.BOOKED


# --- Complete and no-show ---------------------------------------------------------------------


@pytest.mark.parametrize("status", [AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN])
def test_complete_once_the_session_has_started(status):
    appointment = scene(timezone.now() - dt.timedelta(minutes=50), status=status)

    appointment_complete(appointment=appointment)

    assert reload(appointment).status == AppointmentStatus.COMPLETED


def test_no_show_after_the_start():
    appointment = scene(timezone.now() - dt.timedelta(minutes=20))

    appointment_no_show(appointment=appointment)

    assert reload(appointment).status == AppointmentStatus.NO_SHOW


@pytest.mark.parametrize(
    ("action", "ahead", "reason"),
    [
        pytest.param(
            appointment_complete,
            dt.timedelta(hours=2),
            "A session cannot be completed before it starts.",
            id="complete",
        ),
        pytest.param(
            appointment_no_show,
            dt.timedelta(minutes=30),
            "A no-show is recorded only once the session's start time has passed.",
            id="no_show",
        ),
    ],
)
def test_complete_and_no_show_are_refused_before_the_start(action, ahead, reason):
    appointment = scene(timezone.now() + ahead)

    with pytest.raises(Refused) as excinfo:
        action(appointment=appointment)

    assert excinfo.value.reasons == [reason]
    assert reload(appointment).status == AppointmentStatus.BOOKED


# --- Transitions that make no sense -----------------------------------------------------------


def _cancel(appointment):
    return appointment_cancel(appointment=appointment, reason="Too late")


@pytest.mark.parametrize(
    ("status", "action", "target"),
    [
        (AppointmentStatus.COMPLETED, _cancel, "cancelled"),
        (AppointmentStatus.COMPLETED, appointment_check_in, "checked in"),
        (AppointmentStatus.COMPLETED, appointment_no_show, "no-show"),
        (AppointmentStatus.CANCELLED, appointment_check_in, "checked in"),
        (AppointmentStatus.CANCELLED, appointment_complete, "completed"),
        (AppointmentStatus.CANCELLED, appointment_no_show, "no-show"),
        (AppointmentStatus.NO_SHOW, appointment_complete, "completed"),
        (AppointmentStatus.NO_SHOW, appointment_check_in, "checked in"),
        (AppointmentStatus.NO_SHOW, _cancel, "cancelled"),
        (AppointmentStatus.CHECKED_IN, appointment_check_in, "checked in"),
        (AppointmentStatus.CHECKED_IN, appointment_no_show, "no-show"),
    ],
)
def test_a_session_cannot_move_back_or_sideways(status, action, target):
    # Started a few minutes ago today: only the status can be the reason for refusing.
    appointment = scene(earlier_today(), status=status)

    with pytest.raises(Refused) as excinfo:
        action(appointment=appointment)

    assert excinfo.value.reasons == [f"A {status.label.lower()} session cannot be marked {target}."]
    unchanged = reload(appointment)
    assert unchanged.status == status
    assert unchanged.checked_in_at is None
