"""Self-booking (sessions.self_booking): what a patient may book, move and cancel alone in the
portal. Every refusal reason on its own, with the sentence the patient reads and nothing written;
the happy paths mark the booking as the patient's, log it and tell the therapist."""

import datetime as dt
from functools import partial

import pytest
from auditlog.models import LogEntry
from django.test import override_settings
from django.utils import timezone

from clinic import roles
from clinic.models import Cadence
from clinic.refusals import Refused
from patients.models import FlagKind, Phase
from sessions import self_booking
from sessions.models import Appointment, AppointmentStatus, CourseStatus
from sessions.self_booking import (
    GATE,
    MOVE_NOTICE,
    course_therapist,
    self_book,
    self_booking_problems,
    self_booking_slots,
    self_cancel,
    self_reschedule,
)
from tests.factories import (
    MONDAY,
    CourseFactory,
    DiagnosisFactory,
    HealthFlagFactory,
    PhaseRecordFactory,
    TherapistFactory,
    UserFactory,
    at,
    therapist_named,
)
from tests.scenes import course_session, portal_patient
from tests.self_booking_scene import self_booking_course, self_booking_maria  # noqa: F401 (course, maria)

pytestmark = pytest.mark.django_db

PHONE = "+49 30 1234 5678"


@pytest.fixture
def ben(back_massage):
    return therapist_named("Ben Roth", back_massage)


@pytest.fixture
def book(maria, course, anna_berg, blue_room):
    """Book online with the scene's defaults; any argument may be swapped."""
    scene = {"patient": maria, "course": course, "therapist": anna_berg, "room": blue_room}
    return partial(self_book, starts_at=at(MONDAY, 10), **scene)


def refused(action, **overrides) -> list[str]:
    """Run the action, expect a refusal, check nothing was booked, and return the reasons."""
    before = list(Appointment.objects.values_list("pk", "status", "starts_at"))
    with pytest.raises(Refused) as excinfo:
        action(**overrides)
    assert list(Appointment.objects.values_list("pk", "status", "starts_at")) == before
    return excinfo.value.reasons


# The happy paths -----------------------------------------------------------------------------


def test_a_patient_books_the_next_session_of_their_course(book, maria, course, anna_berg, mailoutbox,
                                                          django_capture_on_commit_callbacks):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book()

    appointment.refresh_from_db()
    assert (appointment.course, appointment.therapist, appointment.status) == (course, anna_berg, "booked")
    assert appointment.self_booked and appointment.booked_by == maria.user
    assert appointment.ends_at - appointment.starts_at == dt.timedelta(minutes=course.session_minutes)
    entry = LogEntry.objects.get_for_object(appointment).get(action=LogEntry.Action.CREATE)
    assert entry.actor == maria.user
    assert entry.additional_data["patient_id"] == maria.pk and entry.additional_data["source"] == "patient"
    assert entry.additional_data["detail"].startswith("Booked by the patient in the portal:")
    [notice] = mailoutbox
    assert notice.to == [anna_berg.user.email]
    assert "Maria Keller booked a session of Classic back massage in the portal" in notice.body


def test_a_warning_does_not_stop_the_patient_and_the_therapist_reads_it(
    book, maria, mailoutbox, django_capture_on_commit_callbacks
):
    HealthFlagFactory(patient=maria, kind=FlagKind.HYPERTENSION)

    with django_capture_on_commit_callbacks(execute=True):
        book()

    assert "Before treating:\n- High blood pressure" in mailoutbox[0].body


def test_a_patient_moves_a_session_and_both_therapists_are_told(book, maria, ben, blue_room, mailoutbox,
                                                                 django_capture_on_commit_callbacks):  # fmt: skip
    appointment = book()
    with override_settings(CLINIC_SELF_BOOKING_ANY_THERAPIST=True), django_capture_on_commit_callbacks(execute=True):
        moved = self_reschedule(
            patient=maria, appointment=appointment, starts_at=at(MONDAY, 14), therapist=ben, room=blue_room
        )

    assert (moved.pk, moved.starts_at, moved.therapist) == (appointment.pk, at(MONDAY, 14), ben)
    entry = LogEntry.objects.get_for_object(appointment).get(action=LogEntry.Action.UPDATE)
    assert entry.additional_data["detail"].startswith("Moved by the patient in the portal: from ")
    assert sorted(m.to[0] for m in mailoutbox) == sorted([ben.user.email, appointment.therapist.user.email])


def test_a_patient_cancels_a_session_and_the_therapist_is_told(book, maria, anna_berg, mailoutbox,
                                                               django_capture_on_commit_callbacks):  # fmt: skip
    appointment = book()
    with django_capture_on_commit_callbacks(execute=True):
        self_cancel(patient=maria, appointment=appointment, reason="Travelling")

    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.cancellation_reason == "Cancelled by the patient online: Travelling"
    assert LogEntry.objects.get_for_object(appointment).filter(additional_data__detail__startswith="Cancelled by")
    assert [m.to for m in mailoutbox] == [[anna_berg.user.email]]


# Whatever the slot: the switches, the course, the open sessions, the gate ---------------------------


@override_settings(CLINIC_SELF_BOOKING=False)
def test_the_clinic_can_turn_self_booking_off_for_everyone(book):
    assert refused(book) == [f"The clinic does not take bookings in the portal at the moment; please call {PHONE}."]


def test_the_clinic_can_turn_self_booking_off_for_one_patient(book, maria):
    maria.self_booking = False
    maria.save()

    assert refused(book) == [f"Booking in the portal is turned off for you; please call the clinic on {PHONE}."]


def test_another_patients_course_is_refused(book, back_massage, anna_berg):
    other = CourseFactory(modality=back_massage, prescribed_by=anna_berg.user)

    assert refused(book, course=other) == ["This course is not yours."]


@pytest.mark.parametrize("status", [CourseStatus.SUSPENDED, CourseStatus.COMPLETED, CourseStatus.CANCELLED])
def test_a_course_that_is_not_under_way_is_refused(book, course, status):
    course.status = status
    course.save()

    assert refused(book) == [
        f"Your course of Classic back massage is {status.label.lower()}; sessions are booked online only for "
        "a course under way."
    ]


def test_a_course_with_all_its_sessions_booked_is_refused(book, course, anna_berg, blue_room):
    course.max_sessions = course.min_sessions = 1
    course.save()
    course_session(course, anna_berg, blue_room, at(MONDAY, 8), status=AppointmentStatus.COMPLETED)

    assert refused(book, starts_at=at(MONDAY + dt.timedelta(days=2), 10)) == [
        "Every session of your course (1) is booked or done."
    ]


@override_settings(CLINIC_SELF_BOOKING_MAX_OPEN=2)
def test_no_more_open_sessions_than_the_setting_allows(book):
    book(starts_at=at(MONDAY, 10))
    book(starts_at=at(MONDAY + dt.timedelta(days=2), 10))

    assert refused(book, starts_at=at(MONDAY + dt.timedelta(days=4), 10)) == [
        "You already have 2 sessions booked ahead, the most that can be booked online; book the next one after "
        "your next session."
    ]


def test_never_while_the_gate_refuses_and_the_patient_is_not_shown_the_clinical_reason(book, maria):
    diagnosis = DiagnosisFactory(patient=maria, title="Sciatica")
    PhaseRecordFactory(diagnosis=diagnosis, phase=Phase.ACUTE, note="Severe radiating pain")

    reasons = refused(book)

    assert reasons == [
        f"Your therapist needs to see you before another session is booked; please call the clinic on {PHONE}."
    ]


def test_a_block_from_the_date_of_the_session_on_is_refused_too(book, maria):
    HealthFlagFactory(patient=maria, kind=FlagKind.FEVER_INFECTION, active_from=MONDAY)

    assert refused(book) == [
        f"Your therapist needs to see you before another session is booked; please call the clinic on {PHONE}."
    ]


def test_a_course_with_no_therapist_to_book_with_is_refused(book, maria, back_massage):
    course = CourseFactory(patient=maria, modality=back_massage, prescribed_by=UserFactory(role=roles.MANAGER))

    assert refused(book, course=course)[-1] == (
        f"Your course has no therapist to book with online yet; please call the clinic on {PHONE}."
    )


# The slot: the horizon, the therapist, the cadence ------------------------------------------------


@override_settings(CLINIC_SELF_BOOKING_HORIZON_DAYS=3)
def test_never_beyond_the_horizon(book):
    last = timezone.localdate() + dt.timedelta(days=3)

    assert refused(book) == [f"Sessions are booked online up to 3 days ahead, until {last:%A} {last.day} {last:%B}."]


def test_only_the_courses_therapist_unless_the_clinic_allows_anyone(book, ben):
    assert refused(book, therapist=ben) == ["Sessions of your course are booked online with Anna Berg only."]

    with override_settings(CLINIC_SELF_BOOKING_ANY_THERAPIST=True):
        assert book(therapist=ben).therapist == ben


@override_settings(CLINIC_SELF_BOOKING_ANY_THERAPIST=True)
def test_with_anyone_allowed_still_only_a_qualified_therapist(book):
    stranger = therapist_named("Kai Neu")

    assert refused(book, therapist=stranger) == ["Kai Neu does not give Classic back massage."]


def test_the_course_therapist_is_the_latest_sessions_then_the_prescriber_then_the_assigned_one(
    course, maria, anna_berg, ben, blue_room
):
    assert course_therapist(course) == anna_berg
    course_session(course, ben, blue_room, at(MONDAY, 9))
    assert course_therapist(course) == ben
    other = CourseFactory(patient=maria, modality=course.modality, prescribed_by=UserFactory())
    maria.assigned_therapist = anna_berg
    maria.save()
    assert course_therapist(other) == anna_berg


def test_one_session_of_a_course_a_day(book, course, anna_berg, blue_room):
    course_session(course, anna_berg, blue_room, at(MONDAY, 8))

    assert refused(book, starts_at=at(MONDAY, 15)) == [f"You already have a session of this course on {MONDAY:%A} "
                                                       f"{MONDAY.day} {MONDAY:%B}."]  # fmt: skip


def test_a_free_cadence_leaves_a_day_between_two_sessions(book, course, anna_berg, blue_room):
    course_session(course, anna_berg, blue_room, at(MONDAY + dt.timedelta(days=1), 10))

    assert refused(book) == ["Leave a day between two sessions of your course."]


def test_a_course_of_sessions_a_week_keeps_to_its_number(book, course, anna_berg, blue_room):
    course.cadence, course.sessions_per_week = Cadence.PER_WEEK, 1
    course.save()
    course_session(course, anna_berg, blue_room, at(MONDAY + dt.timedelta(days=3), 10))

    assert refused(book) == [f"Your course has 1 session a week, and the week of {MONDAY:%A} {MONDAY.day} "
                             f"{MONDAY:%B} has them all."]  # fmt: skip


def test_a_course_on_consecutive_days_books_the_next_working_day(book, course, anna_berg, blue_room):
    course.cadence = Cadence.CONSECUTIVE_DAYS
    course.save()
    course_session(course, anna_berg, blue_room, at(MONDAY, 10))
    tuesday, wednesday = MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=2)

    assert refused(book, starts_at=at(wednesday, 10)) == [
        f"Your course has a session every working day: the next one is on {tuesday:%A} {tuesday.day} {tuesday:%B}."
    ]
    assert book(starts_at=at(tuesday, 10)).starts_at == at(tuesday, 10)


# What the booking service refuses reaches the patient too ------------------------------------------


def test_the_booking_services_refusals_still_apply(book, anna_berg):
    saturday = MONDAY + dt.timedelta(days=5)

    assert refused(book, starts_at=at(saturday, 10)) == [f"{saturday:%a} {saturday.day} {saturday:%b} 10:00 is "
                                                         "outside Anna Berg's working hours."]  # fmt: skip


# Moving and cancelling ---------------------------------------------------------------------------


def test_a_session_is_moved_online_only_within_the_notice_period(book, maria, anna_berg, blue_room, course):
    soon = course_session(course, anna_berg, blue_room, timezone.now() + dt.timedelta(hours=20))

    reasons = refused(
        self_reschedule, patient=maria, appointment=soon, starts_at=at(MONDAY, 10), therapist=anna_berg, room=blue_room
    )

    assert reasons == [MOVE_NOTICE.format(hours=24, phone=PHONE)]
    assert reasons[0].startswith("Sessions can be moved online until 24 hours before they start.")


def test_a_session_outside_a_course_is_not_moved_online(maria, anna_berg, blue_room, back_massage):
    single = course_session(CourseFactory(patient=maria, modality=back_massage), anna_berg, blue_room, at(MONDAY, 9))
    Appointment.objects.filter(pk=single.pk).update(course=None)
    single.refresh_from_db()

    assert refused(
        self_reschedule, patient=maria, appointment=single, starts_at=at(MONDAY, 12), therapist=anna_berg,
        room=blue_room,
    ) == [f"Only the sessions of a course are moved online; please call the clinic on {PHONE}."]  # fmt: skip


def test_a_cancelled_session_is_not_moved(book, maria, anna_berg, blue_room):
    appointment = book()
    self_cancel(patient=maria, appointment=appointment)

    assert refused(
        self_reschedule, patient=maria, appointment=appointment, starts_at=at(MONDAY, 12), therapist=anna_berg,
        room=blue_room,
    ) == ["A cancelled session cannot be moved."]  # fmt: skip


def test_another_patients_session_is_neither_moved_nor_cancelled(book, anna_berg, blue_room):
    theirs = book()
    stranger = portal_patient(email="someone@example.org")

    assert refused(
        self_reschedule, patient=stranger, appointment=theirs, starts_at=at(MONDAY, 12), therapist=anna_berg,
        room=blue_room,
    ) == ["This session is not yours."]  # fmt: skip
    assert refused(self_cancel, patient=stranger, appointment=theirs) == ["This session is not yours."]


def test_a_move_keeps_the_cadence_without_counting_the_session_itself(book, maria, anna_berg, blue_room):
    appointment = book()

    moved = self_reschedule(
        patient=maria, appointment=appointment, starts_at=at(MONDAY, 16), therapist=anna_berg, room=blue_room
    )

    assert moved.starts_at == at(MONDAY, 16)


def test_a_move_is_refused_while_the_gate_refuses(book, maria, anna_berg, blue_room):
    appointment = book()
    HealthFlagFactory(patient=maria, kind=FlagKind.FEVER_INFECTION, active_from=timezone.localdate())

    reasons = refused(
        self_reschedule, patient=maria, appointment=appointment, starts_at=at(MONDAY, 16), therapist=anna_berg,
        room=blue_room,
    )  # fmt: skip

    assert reasons == [GATE.format(phone=PHONE)]


# The slots offered ---------------------------------------------------------------------------------


@override_settings(CLINIC_SELF_BOOKING_HORIZON_DAYS=14)
def test_the_slots_offered_are_the_courses_therapist_within_the_horizon_and_the_cadence(
    course, anna_berg, ben, blue_room
):
    course_session(course, anna_berg, blue_room, at(MONDAY, 8))

    by_day = self_booking_slots(course=course)

    assert by_day
    assert {slot.therapist for slots in by_day.values() for slot in slots} == {anna_berg}
    assert max(by_day) <= timezone.localdate() + dt.timedelta(days=14)
    # A free cadence: not the session's day, nor the days either side of it.
    assert not {MONDAY - dt.timedelta(days=1), MONDAY, MONDAY + dt.timedelta(days=1)} & set(by_day)
    assert all(slot.ends_at - slot.starts_at == dt.timedelta(minutes=course.session_minutes)
               for slots in by_day.values() for slot in slots)  # fmt: skip


def test_no_slots_when_nobody_may_be_booked_with(course, maria):
    course.prescribed_by = UserFactory()
    course.save()

    assert self_booking_slots(course=course) == {}
    assert self_booking_problems(patient=maria, course=course)


def test_every_refusal_sentence_is_tested():
    """Each sentence self_booking can refuse with appears in a test above."""
    sentences = [name for name in dir(self_booking) if name.isupper() and isinstance(getattr(self_booking, name), str)]
    assert set(sentences) >= {
        "CLINIC_OFF", "PATIENT_OFF", "NOT_YOURS", "SESSION_NOT_YOURS", "COURSE_CLOSED", "COURSE_FULL",
        "TOO_MANY_OPEN", "GATE", "BEYOND_HORIZON", "NO_THERAPIST", "OTHER_THERAPIST", "NOT_QUALIFIED", "SAME_DAY",
        "EVERY_DAY", "WEEK_FULL", "DAY_BETWEEN", "MOVE_NOTICE", "NOT_A_COURSE_SESSION",
    }  # fmt: skip


def test_a_therapist_added_later_does_not_change_an_unrelated_course(course):
    TherapistFactory()
    assert course_therapist(course).user.username == "anna"


@override_settings(CLINIC_SELF_BOOKING_ANY_THERAPIST=True, CLINIC_SELF_BOOKING_HORIZON_DAYS=14)
def test_with_anyone_allowed_every_qualified_therapists_times_are_offered(course, anna_berg, ben, blue_room):
    by_day = self_booking_slots(course=course)

    assert {slot.therapist for slots in by_day.values() for slot in slots} == {anna_berg, ben}


@override_settings(CLINIC_SELF_BOOKING_ANY_THERAPIST=True, CLINIC_SELF_BOOKING_HORIZON_DAYS=21)
def test_a_course_on_consecutive_days_offers_only_the_next_working_day(course, anna_berg, ben, blue_room):
    course.cadence = Cadence.CONSECUTIVE_DAYS
    course.save()
    friday = MONDAY + dt.timedelta(days=4)
    course_session(course, anna_berg, blue_room, at(friday, 10))

    by_day = self_booking_slots(course=course)

    # Anna and Ben work Monday to Friday: after Friday comes the Monday after.
    assert [day for day in by_day if day > friday] == [friday + dt.timedelta(days=3)]
