"""The clinic's tables, and the plan rules a course shares with its modality's defaults: every
database constraint refuses bad data even when Python validation is skipped (see refused_by in
tests/scenes.py)."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from clinic.models import Cadence, Closure, Modality, Room, Therapist, WorkingHours
from sessions.models import Course
from tests.factories import ClosureFactory, CourseFactory, ModalityFactory, RoomFactory, TherapistFactory
from tests.scenes import FIVE_PM, NINE, refused_as_duplicate, refused_by

pytestmark = pytest.mark.django_db


# --- A course's plan: a modality's defaults and a prescribed course (course_plan_constraints) ----


@dataclass(frozen=True)
class Plan:
    """Where a course's plan is stored: the model, how to make one, its constraint prefix, and the
    names of its minimum and maximum number of sessions."""

    model: type
    make: Callable
    prefix: str
    min: str
    max: str


PLANS = {
    "modality": Plan(Modality, ModalityFactory, "modality", "course_min_sessions", "course_max_sessions"),
    "course": Plan(Course, CourseFactory, "course", "min_sessions", "max_sessions"),
}


@pytest.fixture(params=PLANS)
def plan(request) -> Plan:
    return PLANS[request.param]


def test_a_plan_with_min_above_max_sessions_is_refused(plan):
    with refused_by(f"{plan.prefix}_min_not_above_max"):
        plan.make(**{plan.min: 16, plan.max: 15})


@pytest.mark.parametrize(
    ("kind", "update"), [("modality", {"course_min_sessions": 16}), ("course", {"max_sessions": 11})]
)
def test_a_plan_updated_to_min_above_max_is_refused(kind, update):
    plan = PLANS[kind]
    made = plan.make(**{plan.min: 12, plan.max: 15})
    with refused_by(f"{plan.prefix}_min_not_above_max"):
        plan.model.objects.filter(pk=made.pk).update(**update)


@pytest.mark.parametrize(("kind", "sessions"), [("modality", 10), ("course", 1)])
def test_a_plan_with_equal_min_and_max_is_accepted(kind, sessions):
    plan = PLANS[kind]
    made = plan.make(**{plan.min: sessions, plan.max: sessions})
    assert plan.model.objects.filter(pk=made.pk, **{plan.min: sessions, plan.max: sessions}).exists()


def test_a_plan_with_zero_min_sessions_is_refused(plan):
    with refused_by(f"{plan.prefix}_min_sessions_at_least_one"):
        plan.make(**{plan.min: 0, plan.max: 0})


def test_a_plan_shorter_than_five_minutes_is_refused(plan):
    with refused_by(f"{plan.prefix}_session_minutes_positive"):
        plan.make(session_minutes=4)


def test_a_plan_of_five_minutes_is_accepted(plan):
    assert plan.model.objects.filter(pk=plan.make(session_minutes=5).pk, session_minutes=5).exists()


@pytest.mark.parametrize(
    ("kind", "cadence", "per_week"),
    [
        # NULL makes a bare range check unknown, and CHECK lets unknown pass
        *((kind, Cadence.PER_WEEK, per_week) for kind in PLANS for per_week in (None, 0, 8)),
        ("modality", Cadence.FREE, 3),
        ("modality", Cadence.CONSECUTIVE_DAYS, 5),
        ("course", Cadence.FREE, 2),
        ("course", Cadence.CONSECUTIVE_DAYS, 7),
    ],
)
def test_sessions_per_week_must_match_the_cadence(kind, cadence, per_week):
    plan = PLANS[kind]
    with refused_by(f"{plan.prefix}_sessions_per_week_with_cadence"):
        plan.make(cadence=cadence, sessions_per_week=per_week)


@pytest.mark.parametrize(
    ("cadence", "per_week"),
    [(Cadence.PER_WEEK, 1), (Cadence.PER_WEEK, 7), (Cadence.FREE, None), (Cadence.CONSECUTIVE_DAYS, None)],
)
def test_sessions_per_week_matching_the_cadence_are_accepted(plan, cadence, per_week):
    made = plan.make(cadence=cadence, sessions_per_week=per_week)
    made.refresh_from_db()
    assert (made.cadence, made.sessions_per_week) == (cadence, per_week)


# --- clinic: Modality ------------------------------------------------------------------------------


def test_modality_switched_away_from_per_week_keeping_the_count_is_refused():
    modality = ModalityFactory(cadence=Cadence.PER_WEEK, sessions_per_week=5)
    with refused_by("modality_sessions_per_week_with_cadence"):
        Modality.objects.filter(pk=modality.pk).update(cadence=Cadence.FREE)


def test_modality_name_is_unique():
    Modality.objects.create(name="Cupping", session_minutes=20)
    with refused_as_duplicate():
        Modality.objects.create(name="Cupping", session_minutes=30)


# --- clinic: Therapist, Room ----------------------------------------------------------------------


def test_one_user_cannot_be_two_therapists():
    therapist = TherapistFactory(hours=[])
    with refused_as_duplicate():
        Therapist.objects.create(user=therapist.user)


def test_room_name_is_unique():
    RoomFactory(name="Room A")
    with refused_as_duplicate():
        Room.objects.create(name="Room A")


# --- clinic: WorkingHours -------------------------------------------------------------------------


@pytest.mark.parametrize("ends", [dt.time(9, 0), dt.time(8, 0)], ids=["ends-at-start", "ends-before-start"])
def test_working_hours_must_end_after_they_start(ends):
    therapist = TherapistFactory(hours=[])
    with refused_by("working_hours_end_after_start"):
        WorkingHours.objects.create(therapist=therapist, weekday=0, starts=NINE, ends=ends)


def test_working_hours_update_to_end_before_start_is_refused():
    therapist = TherapistFactory(hours=[(0, NINE, FIVE_PM)])
    with refused_by("working_hours_end_after_start"):
        WorkingHours.objects.filter(therapist=therapist).update(ends=dt.time(8, 59))


def test_working_hours_weekday_above_sunday_is_refused():
    therapist = TherapistFactory(hours=[])
    with refused_by("working_hours_valid_weekday"):
        WorkingHours.objects.create(therapist=therapist, weekday=7, starts=NINE, ends=FIVE_PM)


def test_working_hours_monday_and_sunday_are_accepted():
    therapist = TherapistFactory(hours=[(0, NINE, FIVE_PM), (6, NINE, FIVE_PM)])
    assert sorted(therapist.working_hours.values_list("weekday", flat=True)) == [0, 6]


def test_working_hours_block_starting_twice_the_same_day_is_refused():
    therapist = TherapistFactory(hours=[(2, NINE, dt.time(12, 0))])
    with refused_as_duplicate():
        WorkingHours.objects.create(therapist=therapist, weekday=2, starts=NINE, ends=FIVE_PM)


def test_working_hours_same_start_on_another_day_or_for_another_therapist_is_accepted():
    therapist = TherapistFactory(hours=[(2, NINE, FIVE_PM)])
    WorkingHours.objects.create(therapist=therapist, weekday=3, starts=NINE, ends=FIVE_PM)
    other = TherapistFactory(hours=[(2, NINE, FIVE_PM)])
    assert WorkingHours.objects.filter(weekday__in=[2, 3], starts=NINE).count() == 3
    assert other.working_hours.count() == 1


# --- clinic: Closure ------------------------------------------------------------------------------


def test_closure_ending_before_it_starts_is_refused():
    with refused_by("closure_ends_not_before_start"):
        ClosureFactory(starts_on=dt.date(2026, 12, 24), ends_on=dt.date(2026, 12, 23))


def test_closure_of_a_single_day_is_accepted():
    closure = ClosureFactory(starts_on=dt.date(2026, 12, 24), ends_on=dt.date(2026, 12, 24))
    assert Closure.objects.filter(pk=closure.pk).exists()


def test_closure_update_to_end_before_start_is_refused():
    closure = ClosureFactory(starts_on=dt.date(2026, 12, 24), ends_on=dt.date(2026, 12, 26))
    with refused_by("closure_ends_not_before_start"):
        Closure.objects.filter(pk=closure.pk).update(ends_on=dt.date(2026, 12, 1))
