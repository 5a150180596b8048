"""Planning and booking a whole course at once: the dates its cadence asks for, around closures
and conflicts, at the same wall-clock time, booked all or nothing."""

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from clinic.refusals import Refused, WarningsNotConfirmed
from patients.models import FlagKind, Phase
from sessions.availability import course_series_propose
from sessions.booking import course_series_book
from sessions.booking_checks import when
from sessions.models import Appointment, AppointmentStatus
from tests import factories
from tests.factories import EVERY_DAY, local, next_weekday

pytestmark = pytest.mark.django_db

MONDAY = next_weekday(0)


def days(n: int, start: dt.date = MONDAY) -> dt.date:
    return start + dt.timedelta(days=n)


def at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return local(day.year, day.month, day.day, hour, minute)


def local_days(plan) -> list[dt.date]:
    return [timezone.localtime(session.starts_at).date() for session in plan]


def slots_of(plan):
    return [(s.starts_at, s.therapist, s.room) for s in plan]


@pytest.fixture
def therapist(cupping, deep_tissue):
    return factories.TherapistFactory(
        user__first_name="Anna", user__last_name="Berg", modalities=[cupping, deep_tissue], hours=EVERY_DAY
    )


@pytest.fixture
def room(cupping, deep_tissue):
    return factories.RoomFactory(name="Blue room", modalities=[cupping, deep_tissue])


@pytest.fixture
def cupping_course(maria_keller, cupping):
    return factories.CourseFactory(patient=maria_keller, modality=cupping, starts_on=MONDAY)


@pytest.fixture
def deep_tissue_course(maria_keller, deep_tissue):
    return factories.CourseFactory(patient=maria_keller, modality=deep_tissue, starts_on=MONDAY)


def propose(course, therapist, room, first=None):
    return course_series_propose(course=course, first_starts_at=first or at(MONDAY), therapist=therapist, room=room)


# --- Consecutive days -------------------------------------------------------------------------


def test_cupping_course_uses_the_catalogue_defaults(cupping_course):
    assert (cupping_course.session_minutes, cupping_course.min_sessions, cupping_course.max_sessions) == (20, 5, 7)


def test_cupping_course_skips_a_clinic_closure_and_books_all_seven_days(cupping_course, therapist, room):
    factories.ClosureFactory(starts_on=days(2), reason="Public holiday")

    plan = propose(cupping_course, therapist, room)

    assert local_days(plan) == [days(0), days(1), days(3), days(4), days(5), days(6), days(7)]
    assert all(session.ok for session in plan), [session.problems for session in plan]
    assert {timezone.localtime(s.starts_at).time() for s in plan} == {dt.time(9)}
    assert all(s.ends_at - s.starts_at == dt.timedelta(minutes=20) for s in plan)
    assert not Appointment.objects.exists()  # proposing writes nothing

    booked = course_series_book(course=cupping_course, slots=slots_of(plan))

    assert len(booked) == 7
    stored = list(Appointment.objects.filter(course=cupping_course).order_by("starts_at"))
    assert [a.starts_at for a in stored] == [s.starts_at for s in plan]
    assert {(a.status, a.therapist, a.room, a.patient) for a in stored} == {
        (AppointmentStatus.BOOKED, therapist, room, cupping_course.patient)
    }


def test_series_skips_days_the_therapist_does_not_work(cupping_course, room, cupping):
    weekdays_only = factories.TherapistFactory(modalities=[cupping])  # Monday to Friday

    plan = propose(cupping_course, weekdays_only, room)

    assert local_days(plan) == [days(0), days(1), days(2), days(3), days(4), days(7), days(8)]


def test_plan_covers_only_the_sessions_the_course_still_has(cupping_course, therapist, room):
    for n in range(3):
        factories.AppointmentFactory(
            patient=cupping_course.patient,
            course=cupping_course,
            modality=cupping_course.modality,
            starts_at=timezone.now() - dt.timedelta(days=n + 1),
            status=AppointmentStatus.COMPLETED,
        )
    # A cancelled and a missed session give their places back.
    for n, status in enumerate([AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW]):
        factories.AppointmentFactory(
            patient=cupping_course.patient,
            course=cupping_course,
            modality=cupping_course.modality,
            starts_at=timezone.now() - dt.timedelta(days=n + 5),
            status=status,
            cancellation_reason="Unwell",
        )

    plan = propose(cupping_course, therapist, room)

    assert local_days(plan) == [days(0), days(1), days(2), days(3)]
    course_series_book(course=cupping_course, slots=slots_of(plan))
    assert Appointment.objects.filter(course=cupping_course, status=AppointmentStatus.BOOKED).count() == 4


def test_a_full_course_proposes_nothing(cupping_course, therapist, room):
    cupping_course.max_sessions = cupping_course.min_sessions = 1
    cupping_course.save()
    factories.AppointmentFactory(
        patient=cupping_course.patient, course=cupping_course, modality=cupping_course.modality
    )

    assert propose(cupping_course, therapist, room) == []


# --- Sessions per week ------------------------------------------------------------------------


def _per_week(plan) -> Counter:
    return Counter(day.isocalendar()[:2] for day in local_days(plan))


def test_deep_tissue_gives_at_most_five_sessions_a_calendar_week(deep_tissue_course, therapist, room):
    plan = propose(deep_tissue_course, therapist, room)  # the therapist also works weekends

    assert len(plan) == 10
    assert local_days(plan) == [days(n) for n in range(5)] + [days(n) for n in range(7, 12)]
    assert set(_per_week(plan).values()) == {5}
    assert {s.ends_at - s.starts_at for s in plan} == {dt.timedelta(minutes=30)}


def test_deep_tissue_starting_midweek_fills_the_week_and_goes_on(deep_tissue_course, therapist, room):
    plan = propose(deep_tissue_course, therapist, room, first=at(days(3)))  # Thursday

    assert len(plan) == 10
    assert sorted(_per_week(plan).values()) == [1, 4, 5]
    assert max(_per_week(plan).values()) <= 5


def _booked(course, therapist, room, *days_booked, hour=9):
    """Sessions of the course already booked with this therapist and room, on these days at that hour."""
    for day in days_booked:
        factories.AppointmentFactory(
            patient=course.patient,
            course=course,
            modality=course.modality,
            therapist=therapist,
            room=room,
            starts_at=at(day, hour),
        )


def test_deep_tissue_counts_the_sessions_already_booked_that_week(deep_tissue_course, therapist, room):
    _booked(deep_tissue_course, therapist, room, days(0), days(1), hour=8)  # Monday and Tuesday are already booked

    plan = propose(deep_tissue_course, therapist, room, first=at(days(2)))  # Wednesday

    assert len(plan) == 8
    assert local_days(plan)[:3] == [days(2), days(3), days(4)]
    assert _per_week(plan)[MONDAY.isocalendar()[:2]] == 3


# --- Conflicts --------------------------------------------------------------------------------


def test_a_busy_date_shows_why_and_the_nearest_free_alternative(cupping_course, therapist, room):
    factories.AppointmentFactory(therapist=therapist, starts_at=at(days(3)))  # someone else, 09:00–09:45

    plan = propose(cupping_course, therapist, room)

    thursday = plan[3]
    assert [s.ok for s in plan] == [True, True, True, False, True, True, True]
    assert thursday.problems == [f"Anna Berg is already booked {when(at(days(3)))}–09:45."]
    assert thursday.alternative is not None
    # 08:30–08:50 is 30 minutes away from the wanted 09:00; 09:45 would be 45 minutes away.
    assert thursday.alternative.starts_at == at(days(3), 8, 30)
    assert thursday.alternative.therapist == therapist

    slots = slots_of(plan)
    slots[3] = (thursday.alternative.starts_at, thursday.alternative.therapist, thursday.alternative.room)
    booked = course_series_book(course=cupping_course, slots=slots)

    assert len(booked) == 7
    assert Appointment.objects.filter(course=cupping_course, starts_at=at(days(3), 8, 30)).exists()


def test_a_date_fully_taken_by_the_therapist_offers_another_therapist(cupping_course, therapist, room, cupping):
    jonas = factories.TherapistFactory(
        user__first_name="Jonas", user__last_name="Roth", modalities=[cupping], hours=EVERY_DAY
    )
    factories.AppointmentFactory(therapist=therapist, starts_at=at(days(1), 8), ends_at=at(days(1), 18))

    plan = propose(cupping_course, therapist, room)

    assert not plan[1].ok
    assert plan[1].alternative.therapist == jonas
    assert plan[1].alternative.starts_at == at(days(1))


def test_an_unqualified_therapist_gets_a_qualified_one_offered(cupping_course, therapist, room):
    massage_only = factories.TherapistFactory(user__first_name="Jonas", user__last_name="Roth", hours=EVERY_DAY)

    plan = propose(cupping_course, massage_only, room)

    assert len(plan) == 7
    for session in plan:
        assert session.problems == ["Jonas Roth is not qualified for Vacuum (cupping) massage."]
        assert session.alternative.therapist == therapist
        assert session.alternative.starts_at == session.starts_at


def test_a_room_not_set_up_gets_a_suited_room_offered(cupping_course, therapist, room):
    gym = factories.RoomFactory(name="Gym")
    factories.AppointmentFactory(room=room, starts_at=at(days(0)))  # the suited room is busy on the first day

    plan = propose(cupping_course, therapist, gym)

    assert plan[0].problems == ["Gym is not set up for Vacuum (cupping) massage."]
    # Not the gym at 09:00, though it is free: the suited room, nearest to 09:00 around its booking.
    assert (plan[0].alternative.room, plan[0].alternative.starts_at) == (room, at(days(0), 8, 30))
    assert {session.alternative.room for session in plan[1:]} == {room}


def test_an_acute_patient_gets_the_reason_on_every_date_and_no_alternative(cupping_course, therapist, room):
    sciatica = factories.DiagnosisFactory(patient=cupping_course.patient, icd10_code="M54.3", title="Sciatica")
    factories.PhaseRecordFactory(
        diagnosis=sciatica, phase=Phase.ACUTE, effective_from=timezone.now() - dt.timedelta(days=1)
    )

    plan = propose(cupping_course, therapist, room)

    assert len(plan) == 7
    for session in plan:
        assert len(session.problems) == 1
        assert "Acute phase of M54.3 Sciatica" in session.problems[0]
        assert session.alternative is None


def test_series_booking_is_all_or_nothing(cupping_course, therapist, room):
    plan = propose(cupping_course, therapist, room)
    assert all(session.ok for session in plan)
    # While the receptionist was reading the plan, another desk took the fifth date.
    factories.AppointmentFactory(therapist=therapist, starts_at=plan[4].starts_at)

    with pytest.raises(Refused) as excinfo:
        course_series_book(course=cupping_course, slots=slots_of(plan))

    assert not Appointment.objects.filter(course=cupping_course).exists()
    fifth = when(plan[4].starts_at)
    assert excinfo.value.reasons == [f"{fifth}: Anna Berg is already booked {fifth}–09:45."]


def test_series_booking_lists_every_refused_date(cupping_course, therapist, room):
    plan = propose(cupping_course, therapist, room)
    factories.ClosureFactory(starts_on=days(5), ends_on=days(6), reason="Fire drill")

    with pytest.raises(Refused) as excinfo:
        course_series_book(course=cupping_course, slots=slots_of(plan))

    assert len(excinfo.value.reasons) == 2
    assert excinfo.value.reasons[0].startswith(f"{when(plan[5].starts_at)}: The clinic is closed")
    assert excinfo.value.reasons[1].startswith(f"{when(plan[6].starts_at)}: The clinic is closed")
    assert not Appointment.objects.exists()


def test_series_with_a_warning_needs_it_confirmed_once(cupping_course, therapist, room):
    factories.HealthFlagFactory(patient=cupping_course.patient, kind=FlagKind.HYPERTENSION)
    plan = propose(cupping_course, therapist, room)

    with pytest.raises(WarningsNotConfirmed) as excinfo:
        course_series_book(course=cupping_course, slots=slots_of(plan))
    assert len(excinfo.value.warnings) == 1
    assert not Appointment.objects.exists()

    assert len(course_series_book(course=cupping_course, slots=slots_of(plan), confirm_warnings=True)) == 7


def test_series_cannot_book_more_than_the_course_allows(cupping_course, therapist, room):
    plan = propose(cupping_course, therapist, room)
    extra = (at(days(8)), therapist, room)

    with pytest.raises(Refused) as excinfo:
        course_series_book(course=cupping_course, slots=[*slots_of(plan), extra])

    assert excinfo.value.reasons == [f"{when(extra[0])}: The course already has all its 7 sessions booked or done."]
    assert not Appointment.objects.exists()


# --- Daylight saving --------------------------------------------------------------------------


def last_sunday(year: int, month: int) -> dt.date:
    day = dt.date(year, month + 1, 1) - dt.timedelta(days=1)
    return day - dt.timedelta(days=(day.weekday() - 6) % 7)


def next_change(month: int) -> dt.date:
    """The next last Sunday of March or October (Europe's clock changes) at least two weeks away."""
    year = timezone.localdate().year
    while last_sunday(year, month) < timezone.localdate() + dt.timedelta(days=14):
        year += 1
    return last_sunday(year, month)


@pytest.mark.parametrize(("month", "utc_before", "utc_after"), [(3, 8, 7), (10, 7, 8)], ids=["spring", "autumn"])
def test_series_across_a_clock_change_keeps_the_local_time(
    settings, cupping_course, therapist, room, month, utc_before, utc_after
):
    settings.TIME_ZONE = "Europe/Berlin"
    change = next_change(month)
    first = change - dt.timedelta(days=3)

    plan = propose(cupping_course, therapist, room, first=at(first))
    course_series_book(course=cupping_course, slots=slots_of(plan))

    stored = list(Appointment.objects.filter(course=cupping_course).order_by("starts_at"))
    assert [timezone.localtime(a.starts_at).date() for a in stored] == [first + dt.timedelta(days=n) for n in range(7)]
    assert {timezone.localtime(a.starts_at).time() for a in stored} == {dt.time(9)}
    assert [a.starts_at.astimezone(dt.UTC).hour for a in stored] == [utc_before] * 3 + [utc_after] * 4
    assert {a.ends_at - a.starts_at for a in stored} == {dt.timedelta(minutes=20)}


# --- A series continues the course ------------------------------------------------------------


def test_the_plan_starts_after_the_last_booked_session_and_fills_only_what_is_left(cupping_course, therapist, room):
    _booked(cupping_course, therapist, room, days(2), days(3))  # Wednesday and Thursday already booked

    plan = propose(cupping_course, therapist, room)  # asked from Monday

    # Consecutive days go on from Friday; five left of seven.
    assert local_days(plan) == [days(n) for n in range(4, 9)]


def test_no_two_sessions_of_a_course_on_one_day_even_as_an_alternative(cupping_course, therapist, room, cupping):
    # Tuesday is taken all day for this therapist and room; the nearest free slot would be Wednesday,
    # which the plan already uses: the alternative goes to a day the course does not use.
    other = factories.PatientFactory()
    factories.AppointmentFactory(
        patient=other, therapist=therapist, room=room, modality=cupping, starts_at=at(days(1), 8),
        ends_at=at(days(1), 18),
    )  # fmt: skip
    cupping_course.max_sessions = cupping_course.min_sessions = 3
    cupping_course.save()

    plan = propose(cupping_course, therapist, room)

    chosen = [s.starts_at if s.ok else s.alternative.starts_at for s in plan if s.ok or s.alternative]
    chosen_days = [timezone.localtime(start).date() for start in chosen]
    assert len(chosen_days) == len(set(chosen_days)), chosen_days


@pytest.fixture
def free_course(maria_keller, massage):
    return factories.CourseFactory(
        patient=maria_keller, modality=massage, starts_on=MONDAY, min_sessions=4, max_sessions=4, cadence="free"
    )


@pytest.fixture
def weekday_therapist(massage):
    return factories.TherapistFactory(modalities=[massage])  # Monday to Friday


def test_free_cadence_is_every_other_working_day_across_weekends(free_course, weekday_therapist, massage):
    room = factories.RoomFactory(modalities=[massage])

    plan = propose(free_course, weekday_therapist, room, first=at(days(2)))  # Wednesday

    # Wed, Fri, then Tuesday (Monday is the working day left out), Thursday.
    assert local_days(plan) == [days(2), days(4), days(8), days(10)]


def test_free_cadence_keeps_its_rhythm_from_the_sessions_already_booked(free_course, weekday_therapist, massage):
    room = factories.RoomFactory(modalities=[massage])
    _booked(free_course, weekday_therapist, room, days(0))  # Monday booked

    plan = propose(free_course, weekday_therapist, room, first=at(days(1)))  # asked from Tuesday

    assert local_days(plan) == [days(2), days(4), days(8)]


def test_sessions_per_week_count_the_booked_ones_across_the_course(deep_tissue_course, therapist, room):
    _booked(deep_tissue_course, therapist, room, *[days(n) for n in range(5)])  # a full first week

    plan = propose(deep_tissue_course, therapist, room)

    assert local_days(plan) == [days(n) for n in range(7, 12)]
    assert set(_per_week(plan).values()) == {5}


def test_a_course_with_its_last_session_booked_far_ahead_proposes_nothing_beyond_two_years(
    cupping_course, therapist, room
):
    far = timezone.localdate() + dt.timedelta(days=730)
    _booked(cupping_course, therapist, room, far)

    assert propose(cupping_course, therapist, room) == []


def test_an_alternative_in_another_room_at_the_same_time_says_so_in_words(cupping_course, therapist, room, cupping):
    other_room = factories.RoomFactory(name="Green room", modalities=[cupping])
    factories.AppointmentFactory(
        room=room, modality=cupping, starts_at=at(days(2)), therapist=factories.TherapistFactory()
    )

    plan = propose(cupping_course, therapist, room)

    wednesday = plan[2]
    assert (wednesday.alternative.starts_at, wednesday.alternative.room) == (at(days(2)), other_room)
    assert wednesday.alternative_in_words == "Same time, in Green room instead of Blue room."
