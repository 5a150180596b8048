"""appointment_book: the one path every booking takes. Each refusal reason on its own, with the
sentence the receptionist reads, and nothing written when it refuses."""

import datetime as dt
from functools import partial

import psycopg
import pytest
from django.db import IntegrityError, OperationalError
from django.utils import timezone

from clinic import roles
from clinic.refusals import Conflict, Refused, WarningsNotConfirmed
from patients.models import FlagKind, Phase
from sessions.booking import SLOT_TAKEN, appointment_book
from sessions.models import Appointment, AppointmentStatus, CourseStatus
from tests.factories import (
    MONDAY,
    AppointmentFactory,
    ClosureFactory,
    CourseFactory,
    DiagnosisFactory,
    HealthFlagFactory,
    ModalityFactory,
    PhaseRecordFactory,
    RoomFactory,
    TherapistFactory,
    UserFactory,
    on_monday,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(maria_keller, back_massage):
    return CourseFactory(patient=maria_keller, modality=back_massage, session_minutes=30)


@pytest.fixture
def book(maria_keller, anna_berg, blue_room, course):
    """Book with the scene's defaults; any argument may be swapped."""
    scene = {"patient": maria_keller, "therapist": anna_berg, "room": blue_room, "course": course}
    return partial(appointment_book, starts_at=on_monday(10), **scene)


def refused(book, **overrides) -> list[str]:
    """Book, expect a refusal, check nothing was written, and return the reasons."""
    before = Appointment.objects.count()
    with pytest.raises(Refused) as excinfo:
        book(**overrides)
    assert Appointment.objects.count() == before
    assert excinfo.value.reasons
    return excinfo.value.reasons


def busy(**kwargs) -> Appointment:
    """Someone else's session already in the diary, 10:00–10:45 on Monday by default."""
    kwargs.setdefault("starts_at", on_monday(10))
    return AppointmentFactory(**kwargs)


# --- The happy path ---------------------------------------------------------------------------


def test_it_books_a_course_session_for_the_course_length(
    book, maria_keller, anna_berg, blue_room, course, back_massage
):
    desk = UserFactory(username="desk", role=roles.RECEPTIONIST)

    appointment = book(booked_by=desk)

    appointment.refresh_from_db()
    assert appointment.patient == maria_keller
    assert appointment.course == course
    assert appointment.modality == back_massage
    assert (appointment.therapist, appointment.room) == (anna_berg, blue_room)
    assert appointment.starts_at == on_monday(10)
    assert appointment.ends_at == on_monday(10, 30)
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.booked_by == desk
    assert not appointment.needs_review


def test_it_books_a_single_session_for_the_modality_length(book, back_massage):
    appointment = book(course=None, modality=back_massage)

    assert appointment.course is None
    assert appointment.ends_at == on_monday(10, 45)


def test_it_refuses_without_a_course_or_a_modality(book):
    assert refused(book, course=None) == ["Choose a course or a modality."]


def test_it_stores_utc_and_keeps_the_local_time(book):
    appointment = book(starts_at=on_monday(9, 15))

    appointment.refresh_from_db()
    assert appointment.starts_at.utcoffset() == dt.timedelta(0)
    assert timezone.localtime(appointment.starts_at).time() == dt.time(9, 15)


# --- Contraindications ------------------------------------------------------------------------


def test_it_refuses_a_patient_in_an_acute_phase(book, maria_keller):
    sciatica = DiagnosisFactory(patient=maria_keller, icd10_code="M54.3", title="Sciatica")
    PhaseRecordFactory(diagnosis=sciatica, phase=Phase.ACUTE, effective_from=timezone.now() - dt.timedelta(days=1))

    reasons = refused(book)

    assert len(reasons) == 1
    assert "Acute phase of M54.3 Sciatica" in reasons[0]


def test_it_refuses_a_patient_with_a_blocking_health_flag(book, maria_keller):
    HealthFlagFactory(patient=maria_keller, kind=FlagKind.FEVER_INFECTION)

    reasons = refused(book)

    assert reasons == ["Fever or infection: no massage until it has passed."]


def test_a_warning_must_be_confirmed_before_booking(book, maria_keller):
    HealthFlagFactory(patient=maria_keller, kind=FlagKind.HYPERTENSION)

    with pytest.raises(WarningsNotConfirmed) as excinfo:
        book()

    assert Appointment.objects.count() == 0
    assert excinfo.value.reasons == []
    assert len(excinfo.value.warnings) == 1
    assert excinfo.value.warnings[0].startswith("High blood pressure: ")


def test_a_confirmed_warning_books(book, maria_keller):
    HealthFlagFactory(patient=maria_keller, kind=FlagKind.HYPERTENSION)

    appointment = book(confirm_warnings=True)

    assert Appointment.objects.get() == appointment


def test_confirming_warnings_does_not_override_a_block(book, maria_keller):
    HealthFlagFactory(patient=maria_keller, kind=FlagKind.HYPERTENSION)
    HealthFlagFactory(patient=maria_keller, kind=FlagKind.FEVER_INFECTION)

    before = Appointment.objects.count()
    with pytest.raises(Refused) as excinfo:
        book(confirm_warnings=True)

    assert Appointment.objects.count() == before
    assert excinfo.value.reasons[0].startswith("Fever or infection")
    assert excinfo.value.warnings[0].startswith("High blood pressure")


# --- Overlaps ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("hour", "minute"), [(9, 45), (10, 0), (10, 15), (10, 40)])
def test_it_refuses_when_the_therapist_is_busy(book, anna_berg, hour, minute):
    busy(therapist=anna_berg)

    reasons = refused(book, starts_at=on_monday(hour, minute))

    assert reasons == [f"Anna Berg is already booked {_day_label()} 10:00–10:45."]


def test_it_refuses_when_the_room_is_busy(book, blue_room):
    busy(room=blue_room)

    reasons = refused(book)

    assert reasons == [f"Blue room is already booked {_day_label()} 10:00–10:45."]


def test_it_refuses_when_the_patient_is_busy_elsewhere(book, maria_keller):
    busy(patient=maria_keller)

    reasons = refused(book, starts_at=on_monday(10, 15))

    assert reasons == [f"Maria Keller is already booked {_day_label()} 10:00–10:45."]


def test_it_names_every_resource_that_is_busy(book, maria_keller, anna_berg, blue_room):
    busy(patient=maria_keller, therapist=anna_berg, room=blue_room)

    reasons = refused(book)

    assert len(reasons) == 3
    assert [reason.split(" is already booked")[0] for reason in reasons] == ["Anna Berg", "Blue room", "Maria Keller"]


def test_a_clash_is_a_conflict_and_another_rule_is_not(book, maria_keller, anna_berg):
    """The API answers clashes alone 409 (another time may work), any other refusal 422 (api/http.py)."""
    busy(therapist=anna_berg)
    with pytest.raises(Refused) as clash:
        book()
    HealthFlagFactory(patient=maria_keller, kind=FlagKind.FEVER_INFECTION)
    with pytest.raises(Refused) as both:
        book()
    with pytest.raises(Refused) as rule:
        book(starts_at=on_monday(14))

    assert all(isinstance(reason, Conflict) for reason in clash.value.reasons)
    assert clash.value.conflict
    # A rule that another time would not change makes the whole refusal a rule's.
    assert not both.value.conflict and not rule.value.conflict
    assert isinstance(SLOT_TAKEN, Conflict)


@pytest.mark.parametrize("starts", [dt.time(9, 15), dt.time(10, 45)])
def test_a_slot_touching_another_booking_is_allowed(book, maria_keller, anna_berg, blue_room, starts):
    busy(patient=maria_keller, therapist=anna_berg, room=blue_room)  # 10:00–10:45

    appointment = book(starts_at=on_monday(starts.hour, starts.minute))  # 30 minutes: ends 09:45 or starts 10:45

    assert appointment.pk


def test_a_cancelled_booking_does_not_block(book, maria_keller, anna_berg, blue_room):
    busy(
        patient=maria_keller,
        therapist=anna_berg,
        room=blue_room,
        status=AppointmentStatus.CANCELLED,
        cancellation_reason="Patient unwell",
    )

    assert book().pk


@pytest.mark.parametrize("status", [AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN, AppointmentStatus.NO_SHOW])
def test_any_booking_that_is_not_cancelled_blocks(book, anna_berg, status):
    busy(therapist=anna_berg, status=status)

    assert "Anna Berg is already booked" in refused(book)[0]


def test_a_busy_therapist_on_another_day_does_not_block(book, anna_berg):
    busy(therapist=anna_berg, starts_at=on_monday(10, day=MONDAY + dt.timedelta(days=1)))

    assert book().pk


# --- Working hours and closures ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("hour", "minute"),
    [(7, 0), (7, 45), (17, 45), (18, 0), (20, 0)],
    ids=["before", "ends-after-opening", "runs-past-closing", "at-closing", "evening"],
)
def test_it_refuses_outside_working_hours(book, hour, minute):
    reasons = refused(book, starts_at=on_monday(hour, minute))

    assert reasons == [f"{_day_label()} {hour:02d}:{minute:02d} is outside Anna Berg's working hours."]


def test_a_session_ending_exactly_at_closing_time_is_allowed(book):
    assert book(starts_at=on_monday(17, 30)).ends_at == on_monday(18)


def test_it_refuses_on_a_day_the_therapist_does_not_work(book):
    saturday = MONDAY + dt.timedelta(days=5)

    reasons = refused(book, starts_at=on_monday(10, day=saturday))

    assert "outside Anna Berg's working hours" in reasons[0]


def test_it_refuses_a_session_spanning_the_lunch_break(maria_keller, blue_room, back_massage):
    anna_berg = TherapistFactory(
        user__first_name="Jonas",
        user__last_name="Roth",
        modalities=[back_massage],
        hours=[(0, "08:00", "12:00"), (0, "13:00", "17:00")],
    )

    with pytest.raises(Refused) as excinfo:
        appointment_book(
            patient=maria_keller,
            therapist=anna_berg,
            room=blue_room,
            modality=back_massage,
            starts_at=on_monday(11, 30),
        )

    assert excinfo.value.reasons == [f"{_day_label()} 11:30 is outside Jonas Roth's working hours."]
    assert not Appointment.objects.exists()
    afternoon = appointment_book(
        patient=maria_keller, therapist=anna_berg, room=blue_room, modality=back_massage, starts_at=on_monday(13)
    )
    assert afternoon.pk


def test_it_refuses_on_a_clinic_closure(book):
    ClosureFactory(starts_on=MONDAY - dt.timedelta(days=2), ends_on=MONDAY, reason="Staff training")

    reasons = refused(book)

    assert reasons == [f"The clinic is closed on {MONDAY.day} {MONDAY:%B}: Staff training."]


def test_it_refuses_on_the_therapists_own_closure(book, anna_berg):
    ClosureFactory(starts_on=MONDAY, ends_on=MONDAY, reason="Annual leave", therapist=anna_berg)

    reasons = refused(book)

    assert reasons == [f"Anna Berg is closed on {MONDAY.day} {MONDAY:%B}: Annual leave."]


def test_another_therapists_closure_does_not_block(book, back_massage):
    ClosureFactory(starts_on=MONDAY, reason="Annual leave", therapist=TherapistFactory(modalities=[back_massage]))

    assert book().pk


def test_a_closure_on_another_day_does_not_block(book):
    ClosureFactory(starts_on=MONDAY + dt.timedelta(days=1), reason="Public holiday")

    assert book().pk


# --- Therapist and room -----------------------------------------------------------------------


def test_it_refuses_a_therapist_not_qualified_for_the_modality(book):
    other = TherapistFactory(user__first_name="Jonas", user__last_name="Roth", modalities=[ModalityFactory()])

    assert refused(book, therapist=other) == ["Jonas Roth is not qualified for Classic back massage."]


def test_it_refuses_a_room_not_set_up_for_the_modality(book):
    other = RoomFactory(name="Gym", modalities=[ModalityFactory()])

    assert refused(book, room=other) == ["Gym is not set up for Classic back massage."]


def test_a_qualification_withdrawn_after_a_booking_refuses_the_next_one(book, anna_berg, blue_room, back_massage):
    # The first booking has the set-up kept (clinic/setup_lists.qualifications): withdrawing
    # what it relied on must refuse the next booking all the same.
    assert book().pk
    anna_berg.modalities.remove(back_massage)
    blue_room.modalities.remove(back_massage)

    assert refused(book, starts_at=on_monday(11)) == [
        "Anna Berg is not qualified for Classic back massage.",
        "Blue room is not set up for Classic back massage.",
    ]


def test_it_refuses_an_inactive_therapist(book, anna_berg):
    anna_berg.active = False
    anna_berg.save()

    assert refused(book) == ["Anna Berg is no longer active."]


def test_it_refuses_an_inactive_room(book, blue_room):
    blue_room.active = False
    blue_room.save()

    assert refused(book) == ["Blue room is out of use."]


# --- The course -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [CourseStatus.SUSPENDED, CourseStatus.COMPLETED, CourseStatus.CANCELLED])
def test_it_refuses_a_course_that_is_not_planned_or_active(book, course, status):
    course.status = status
    course.save()

    reasons = refused(book)

    assert reasons == [f"The course is {status.label.lower()}; only a planned or active course is booked."]


def test_it_books_a_planned_course(book, course):
    course.status = CourseStatus.PLANNED
    course.save()

    assert book().course == course


def test_it_refuses_a_course_of_another_patient(book, back_massage):
    someone_elses = CourseFactory(modality=back_massage)

    assert refused(book, course=someone_elses) == ["The course belongs to another patient."]


def _course_sessions(course, statuses):
    for offset, status in enumerate(statuses, start=1):
        extra = {"cancellation_reason": "Changed plans"} if status == AppointmentStatus.CANCELLED else {}
        AppointmentFactory(
            patient=course.patient,
            course=course,
            modality=course.modality,
            starts_at=on_monday(10, day=MONDAY + dt.timedelta(days=offset)),
            status=status,
            **extra,
        )


def test_it_refuses_a_course_already_at_its_maximum(book, course):
    course.max_sessions = course.min_sessions = 3
    course.save()
    _course_sessions(course, [AppointmentStatus.COMPLETED, AppointmentStatus.CHECKED_IN, AppointmentStatus.BOOKED])

    assert refused(book) == ["The course already has all its 3 sessions booked or done."]


def test_cancelled_and_missed_sessions_do_not_use_up_the_course(book, course):
    course.max_sessions = course.min_sessions = 3
    course.save()
    _course_sessions(
        course,
        [AppointmentStatus.COMPLETED, AppointmentStatus.BOOKED, AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW],
    )

    assert book().course == course
    assert refused(book, starts_at=on_monday(14)) == ["The course already has all its 3 sessions booked or done."]


# --- Time -------------------------------------------------------------------------------------


def test_it_refuses_a_start_in_the_past(book):
    reasons = refused(book, starts_at=timezone.now() - dt.timedelta(minutes=5))

    assert "The start time is in the past." in reasons


def test_it_gives_every_reason_at_once(book, maria_keller, blue_room):
    HealthFlagFactory(patient=maria_keller, kind=FlagKind.FEVER_INFECTION)
    busy(room=blue_room, starts_at=on_monday(7, 30))
    unqualified = TherapistFactory(user__first_name="Jonas", user__last_name="Roth")

    reasons = refused(book, therapist=unqualified, starts_at=on_monday(7, 30))

    assert reasons == [
        "Fever or infection: no massage until it has passed.",
        "Jonas Roth is not qualified for Classic back massage.",
        f"{_day_label()} 07:30 is outside Jonas Roth's working hours.",
        f"Blue room is already booked {_day_label()} 07:30–08:15.",
    ]


# --- Races the database settles (the real race runs in test_booking_postgresql.py) ----------


def _database_error(django_class, psycopg_class):
    def save(self, *args, **kwargs):
        try:
            raise psycopg_class("raised by the database")
        except psycopg.Error as error:
            raise django_class(str(error)) from error

    return save


@pytest.mark.parametrize(
    ("django_class", "psycopg_class"),
    [(IntegrityError, psycopg.errors.ExclusionViolation), (OperationalError, psycopg.errors.DeadlockDetected)],
    ids=["exclusion-violation", "deadlock"],
)
def test_a_booking_that_loses_a_race_is_refused_with_a_clear_reason(book, monkeypatch, django_class, psycopg_class):
    """PostgreSQL refuses the loser with an exclusion violation, or aborts one of two bookings that
    wait for each other while checking the constraint: either way the slot was just taken."""
    monkeypatch.setattr(Appointment, "save", _database_error(django_class, psycopg_class))

    assert refused(book) == [SLOT_TAKEN]


def test_other_database_errors_are_not_disguised_as_a_taken_slot(book, monkeypatch):
    monkeypatch.setattr(Appointment, "save", _database_error(IntegrityError, psycopg.errors.ForeignKeyViolation))

    with pytest.raises(IntegrityError):
        book()


def _day_label(day: dt.date = MONDAY) -> str:
    return f"{day:%a} {day.day} {day:%b}"
