"""/api/v1/appointments/ and /api/v1/availability/: booking, moving and status changes through
the same services as the pages, so every refusal comes back 409 or 422 with its reasons."""

import datetime as dt

import pytest
from django.utils import timezone

from patients.models import FlagKind, Phase
from sessions.booking import SLOT_TAKEN
from sessions.models import Appointment, AppointmentStatus
from tests.api.conftest import bad_input_refused, queries_of_api, reasons_of
from tests.factories import (
    MONDAY,
    AppointmentFactory,
    CourseFactory,
    DiagnosisFactory,
    HealthFlagFactory,
    PhaseRecordFactory,
    on_monday,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/appointments/"


@pytest.fixture
def course(maria_keller, back_massage):
    return CourseFactory(patient=maria_keller, modality=back_massage, session_minutes=30)


@pytest.fixture
def booking(maria_keller, anna_berg, blue_room, course):
    return {
        "patient": maria_keller.pk,
        "course": course.pk,
        "therapist": anna_berg.pk,
        "room": blue_room.pk,
        "starts_at": on_monday(10).isoformat(),
    }


def test_reception_books_a_session(desk, booking, receptionist):
    response = desk.post(URL, booking, format="json")

    assert response.status_code == 201, response.content
    appointment = Appointment.objects.get(pk=response.json()["id"])
    assert appointment.starts_at == on_monday(10)
    assert appointment.booked_by == receptionist
    assert response.json()["therapist_name"] == "Anna Berg"


def test_any_therapist_may_book(as_anna, booking):
    assert as_anna.post(URL, booking, format="json").status_code == 201


def test_a_patient_may_not_book_through_the_staff_endpoint(patient_login, booking):
    _, client = patient_login

    assert client.post(URL, booking, format="json").status_code == 403
    assert not Appointment.objects.exists()


def test_a_clash_is_409_with_its_reason(desk, booking, anna_berg):
    AppointmentFactory(therapist=anna_berg, starts_at=on_monday(10))

    reasons = reasons_of(desk.post(URL, booking, format="json"), 409)

    assert reasons == [f"Anna Berg is already booked {_label(on_monday(10))}–10:45."]


def test_an_acute_phase_is_422_with_its_reason(desk, booking, maria_keller):
    sciatica = DiagnosisFactory(patient=maria_keller, icd10_code="M54.3", title="Sciatica")
    PhaseRecordFactory(diagnosis=sciatica, phase=Phase.ACUTE, effective_from=timezone.now() - dt.timedelta(days=1))

    reasons = reasons_of(desk.post(URL, booking, format="json"), 422)

    assert len(reasons) == 1
    assert "Acute phase of M54.3 Sciatica" in reasons[0]
    assert Appointment.objects.count() == 0


def test_a_course_rule_is_422(desk, booking, course):
    course.min_sessions = course.max_sessions = 1
    course.save()
    AppointmentFactory(patient=course.patient, course=course, modality=course.modality, starts_at=on_monday(15))

    reasons = reasons_of(desk.post(URL, booking, format="json"), 422)

    assert reasons == ["The course already has all its 1 sessions booked or done."]


def test_warnings_are_confirmed_with_confirm_warnings(desk, booking, maria_keller):
    HealthFlagFactory(patient=maria_keller, kind=FlagKind.HYPERTENSION)

    first = desk.post(URL, booking, format="json")
    confirmed = desk.post(URL, {**booking, "confirm_warnings": True}, format="json")

    assert reasons_of(first, 422) == []
    assert first.json()["warnings"][0].startswith("High blood pressure")
    assert "confirm_warnings" in first.json()["detail"]
    assert confirmed.status_code == 201


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"starts_at": "next monday"}, "starts_at"),
        ({"therapist": 987654}, "therapist"),
        ({"room": "blue"}, "room"),
        ({"patient": None}, "patient"),
        ({"course": 987654}, "course"),
        ({"confirm_warnings": "perhaps"}, "confirm_warnings"),
    ],
)
def test_bad_input_is_400(desk, booking, changes, field):
    bad_input_refused(desk, URL, {**booking, **changes}, field, Appointment)


def test_neither_course_nor_modality_is_422(desk, booking):
    reasons = reasons_of(desk.post(URL, {**booking, "course": None}, format="json"), 422)

    assert reasons == ["Choose a course or a modality."]


@pytest.mark.parametrize("starts_at", ["9999-12-31T23:00:00+00:00", "0001-01-01T00:00:00+00:00"])
def test_a_time_at_the_calendars_edge_is_bad_input_not_an_error(desk, booking, starts_at):
    response = desk.post(URL, {**booking, "starts_at": starts_at}, format="json")

    assert response.status_code in (400, 422)
    assert not Appointment.objects.exists()


# --- reading --------------------------------------------------------------------------------------


def test_the_list_filters_by_days_therapist_and_status(desk, anna_berg):
    kept = AppointmentFactory(therapist=anna_berg, starts_at=on_monday(10))
    AppointmentFactory(therapist=anna_berg, starts_at=on_monday(10) + dt.timedelta(days=2))
    AppointmentFactory(starts_at=on_monday(12))
    AppointmentFactory(
        therapist=anna_berg, starts_at=on_monday(14), status=AppointmentStatus.CANCELLED, cancellation_reason="Ill."
    )

    response = desk.get(
        URL,
        {"date_from": MONDAY.isoformat(), "date_to": MONDAY.isoformat(), "therapist": anna_berg.pk, "status": "booked"},
    )

    assert [row["id"] for row in response.json()["results"]] == [kept.pk]


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "yesterday"},
        {"status": "lost"},
        {"therapist": "anna"},
        {"date_from": "2026-05-02", "date_to": "2026-05-01"},
    ],
)
def test_bad_filters_are_400(desk, params):
    assert desk.get(URL, params).status_code == 400


def test_the_list_takes_the_same_queries_for_many_appointments(desk):
    AppointmentFactory.create_batch(2)
    few = queries_of_api(desk, URL)
    AppointmentFactory.create_batch(15)

    assert queries_of_api(desk, URL) == few <= 6


def test_one_appointment(desk, anna_berg):
    appointment = AppointmentFactory(therapist=anna_berg)

    response = desk.get(f"{URL}{appointment.pk}/")

    assert response.status_code == 200
    assert response.json()["status"] == "booked"
    assert desk.get(f"{URL}987654/").status_code == 404


# --- moving ---------------------------------------------------------------------------------------


@pytest.fixture
def booked(maria_keller, anna_berg, blue_room, course):
    return AppointmentFactory(
        patient=maria_keller,
        course=course,
        modality=course.modality,
        therapist=anna_berg,
        room=blue_room,
        starts_at=on_monday(10),
        ends_at=on_monday(10) + dt.timedelta(minutes=30),
    )


def test_a_session_is_moved(desk, booked):
    response = desk.post(f"{URL}{booked.pk}/reschedule/", {"starts_at": on_monday(14).isoformat()}, format="json")

    assert response.status_code == 200, response.content
    booked.refresh_from_db()
    assert booked.starts_at == on_monday(14)


def test_a_move_onto_a_taken_time_is_409(desk, booked, anna_berg):
    AppointmentFactory(therapist=anna_berg, starts_at=on_monday(14))

    reasons = reasons_of(
        desk.post(f"{URL}{booked.pk}/reschedule/", {"starts_at": on_monday(14).isoformat()}, format="json"), 409
    )

    assert reasons[0].startswith("Anna Berg is already booked")
    booked.refresh_from_db()
    assert booked.starts_at == on_monday(10)


def test_a_move_outside_hours_is_422(desk, booked):
    response = desk.post(f"{URL}{booked.pk}/reschedule/", {"starts_at": on_monday(22).isoformat()}, format="json")

    assert reasons_of(response, 422) == [f"{_label(on_monday(22))} is outside Anna Berg's working hours."]


def test_a_move_without_a_time_is_400(desk, booked):
    assert desk.post(f"{URL}{booked.pk}/reschedule/", {}, format="json").status_code == 400


# --- status ---------------------------------------------------------------------------------------


def test_a_session_is_cancelled_with_a_reason(desk, booked):
    response = desk.post(
        f"{URL}{booked.pk}/status/", {"status": "cancelled", "reason": "Called in sick."}, format="json"
    )

    assert response.status_code == 200
    booked.refresh_from_db()
    assert (booked.status, booked.cancellation_reason) == (AppointmentStatus.CANCELLED, "Called in sick.")


def test_a_cancellation_without_a_reason_is_400(desk, booked):
    response = desk.post(f"{URL}{booked.pk}/status/", {"status": "cancelled"}, format="json")

    assert response.status_code == 400
    assert response.json()["reason"] == ["Give a reason for the cancellation."]
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.BOOKED


def test_a_check_in_before_the_day_is_422(desk, booked):
    reasons = reasons_of(desk.post(f"{URL}{booked.pk}/status/", {"status": "checked_in"}, format="json"), 422)

    assert reasons == ["A patient is checked in on the day of the session only."]


def test_a_no_show_before_the_start_is_422(desk, booked):
    reasons = reasons_of(desk.post(f"{URL}{booked.pk}/status/", {"status": "no_show"}, format="json"), 422)

    assert reasons == ["A no-show is recorded only once the session's start time has passed."]


def test_a_check_in_on_the_day_works_and_carries_the_warnings(desk, maria_keller, anna_berg, blue_room, back_massage):
    HealthFlagFactory(patient=maria_keller, kind=FlagKind.HYPERTENSION)
    now = timezone.now().replace(microsecond=0)
    today = AppointmentFactory(
        patient=maria_keller, therapist=anna_berg, room=blue_room, modality=back_massage, starts_at=now
    )

    response = desk.post(f"{URL}{today.pk}/status/", {"status": "checked_in"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "checked_in"
    assert response.json()["treatment_warnings"][0].startswith("High blood pressure")


def test_an_unknown_status_is_400(desk, booked):
    assert desk.post(f"{URL}{booked.pk}/status/", {"status": "booked"}, format="json").status_code == 400


def test_a_patient_may_not_change_a_status(patient_login, booked):
    _, client = patient_login

    assert (
        client.post(f"{URL}{booked.pk}/status/", {"status": "cancelled", "reason": "x"}, format="json").status_code
        == 403
    )


# --- availability ---------------------------------------------------------------------------------


def test_free_slots_over_days(desk, anna_berg, blue_room, back_massage):
    response = desk.get("/api/v1/availability/", {"modality": back_massage.pk, "start": MONDAY.isoformat(), "days": 1})

    assert response.status_code == 200
    first = response.json()["results"][0]
    assert first["therapist"] == anna_berg.pk
    assert first["room"] == blue_room.pk
    assert dt.datetime.fromisoformat(first["starts_at"]) == on_monday(8)


@pytest.mark.parametrize("params", [{}, {"modality": 987654}, {"modality": "x"}, {"days": 40}, {"start": "1000-01-01"}])
def test_availability_bad_input_is_400(desk, back_massage, params):
    params = {"modality": back_massage.pk, **params} if params and "modality" not in params else params
    assert desk.get("/api/v1/availability/", params).status_code == 400


def test_a_patient_sees_no_availability(patient_login, back_massage):
    _, client = patient_login

    assert client.get("/api/v1/availability/", {"modality": back_massage.pk}).status_code == 403


def _label(moment) -> str:
    from sessions.booking_checks import when

    return when(moment)


def test_a_clash_beside_another_rule_is_422_with_both_reasons(desk, booking, anna_berg, maria_keller):
    AppointmentFactory(therapist=anna_berg, starts_at=on_monday(10))
    HealthFlagFactory(patient=maria_keller, kind=FlagKind.FEVER_INFECTION)

    reasons = reasons_of(desk.post(URL, booking, format="json"), 422)

    assert reasons[0].startswith("Fever or infection")
    assert reasons[1].startswith("Anna Berg is already booked")


@pytest.mark.postgresql
def test_a_race_lost_to_the_exclusion_constraint_is_409(desk, booking, anna_berg, monkeypatch):
    """Another desk booked the slot after the checks ran: the database refuses, the API says so."""
    AppointmentFactory(therapist=anna_berg, starts_at=on_monday(10))
    monkeypatch.setattr("sessions.booking.booking_problems", lambda appointment: ([], []))

    reasons = reasons_of(desk.post(URL, booking, format="json"), 409)

    assert reasons == [SLOT_TAKEN]
