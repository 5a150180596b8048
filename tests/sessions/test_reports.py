"""The manager's reports, each figure worked out by hand from a small week at the clinic.

The week: Monday 2 to Sunday 8 March 2026. Anna Berg works Monday to Friday 08–18 (600 minutes
a day); the clinic is closed on Wednesday 4 March, so she works 4 × 600 = 2400 minutes."""

import datetime as dt
from decimal import Decimal

import pytest

from outcomes.models import FUNCTION_CODE, Measure
from sessions.models import AppointmentStatus, CourseStatus, OutcomeOccasion, OutcomeScore
from sessions.reports import (
    ReportFilter,
    day_at_a_glance,
    report_busy_hours,
    report_cancellations,
    report_courses,
    report_new_patients,
    report_outcomes,
    report_utilisation,
)
from tests.factories import (
    AppointmentFactory,
    ClosureFactory,
    CourseFactory,
    DiagnosisFactory,
    ModalityFactory,
    PatientFactory,
    SessionNoteFactory,
    local,
    therapist_named,
)

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 3, 2)
SUNDAY = dt.date(2026, 3, 8)
WEEK = ReportFilter(MONDAY, SUNDAY)


@pytest.fixture
def week(anna_berg, blue_room, maria_keller, back_massage):
    """Four sessions booked for the week: one held, one missed, one cancelled the day before
    (in time: 25 hours ahead), one cancelled three hours ahead (late, within the 24 hours)."""
    ClosureFactory(starts_on=dt.date(2026, 3, 4), ends_on=dt.date(2026, 3, 4))
    place = {"therapist": anna_berg, "room": blue_room, "modality": back_massage, "patient": maria_keller}
    AppointmentFactory(starts_at=local(2026, 3, 2, 9), status=AppointmentStatus.COMPLETED, **place)
    AppointmentFactory(starts_at=local(2026, 3, 2, 10), status=AppointmentStatus.NO_SHOW, **place)
    cancelled = {"status": AppointmentStatus.CANCELLED, "cancellation_reason": "Ill", **place}
    AppointmentFactory(starts_at=local(2026, 3, 3, 9), cancelled_at=local(2026, 3, 2, 8), **cancelled)
    AppointmentFactory(starts_at=local(2026, 3, 3, 11), cancelled_at=local(2026, 3, 3, 8), **cancelled)
    return place


def test_utilisation_is_booked_minutes_over_working_minutes(week):
    use = report_utilisation(scope=WEEK)

    (anna,) = use["therapists"]
    # The held and the missed session, 45 minutes each; the cancelled ones freed their slots.
    assert (anna.name, anna.booked_minutes, anna.working_minutes) == ("Anna Berg", 90, 2400)
    assert anna.share == Decimal("3.8")  # 90 / 2400 = 3.75 %
    (room,) = use["rooms"]
    # The room can be used while the clinic is open: Anna's hours are the clinic's.
    assert (room.name, room.booked_minutes, room.working_minutes) == ("Blue room", 90, 2400)


def test_a_therapists_own_closure_takes_only_her_hours(week, anna_berg):
    ClosureFactory(starts_on=dt.date(2026, 3, 5), ends_on=dt.date(2026, 3, 6), therapist=anna_berg)

    use = report_utilisation(scope=WEEK)

    assert use["therapists"][0].working_minutes == 1200
    assert use["rooms"][0].working_minutes == 2400


def test_cancellations_late_in_time_and_no_shows(week):
    *therapists, clinic = report_cancellations(scope=WEEK)

    assert [(r.name, r.booked, r.cancelled_in_time, r.cancelled_late, r.no_shows) for r in therapists] == [
        ("Anna Berg", 4, 1, 1, 1)
    ]
    assert (clinic.name, clinic.booked) == ("Whole clinic", 4)
    assert (clinic.in_time_share, clinic.late_share, clinic.no_show_share) == (Decimal(25), Decimal(25), Decimal(25))


def test_the_notice_period_is_the_clinics_setting(week, settings):
    settings.CANCELLATION_NOTICE_HOURS = 48  # now the one cancelled 25 hours ahead is late too

    clinic = report_cancellations(scope=WEEK)[-1]

    assert (clinic.cancelled_in_time, clinic.cancelled_late) == (0, 2)


def test_a_new_patient_is_one_whose_first_session_ever_was_in_the_period(week, anna_berg, blue_room, back_massage):
    place = {"therapist": anna_berg, "room": blue_room, "modality": back_massage}
    regular = PatientFactory()
    AppointmentFactory(patient=regular, starts_at=local(2026, 2, 2, 9), **place)
    AppointmentFactory(patient=regular, starts_at=local(2026, 3, 5, 9), **place)
    # Her first booking was cancelled: the first session she came to is in April.
    april = PatientFactory()
    AppointmentFactory(
        patient=april, starts_at=local(2026, 3, 6, 9), status="cancelled", cancellation_reason="x", **place
    )
    AppointmentFactory(patient=april, starts_at=local(2026, 4, 7, 9), **place)

    months = report_new_patients(scope=ReportFilter(dt.date(2026, 2, 15), dt.date(2026, 4, 30)))

    # February: the regular patient's first session (2 Feb) is before the period starts.
    assert months == [(dt.date(2026, 2, 1), 0), (dt.date(2026, 3, 1), 1), (dt.date(2026, 4, 1), 1)]


def test_a_new_patient_counts_once_in_the_month_of_her_first_session_and_only_for_its_therapist(
    anna_berg, blue_room, back_massage
):
    other = therapist_named("Jonas Weber", back_massage)
    place = {"room": blue_room, "modality": back_massage}
    # Her first session was Jonas's in March; then Anna's, in March and April.
    patient = PatientFactory()
    AppointmentFactory(patient=patient, therapist=other, starts_at=local(2026, 3, 3, 9), **place)
    AppointmentFactory(patient=patient, therapist=anna_berg, starts_at=local(2026, 3, 10, 9), **place)
    AppointmentFactory(patient=patient, therapist=anna_berg, starts_at=local(2026, 4, 7, 9), **place)
    spring = (dt.date(2026, 3, 1), dt.date(2026, 4, 30))

    months = report_new_patients(scope=ReportFilter(*spring))
    for_jonas = report_new_patients(scope=ReportFilter(*spring, therapist_id=other.pk))
    for_anna = report_new_patients(scope=ReportFilter(*spring, therapist_id=anna_berg.pk))

    assert months == [(dt.date(2026, 3, 1), 1), (dt.date(2026, 4, 1), 0)]
    assert for_jonas == months
    # Anna saw her after Jonas did: she is not a new patient of Anna's.
    assert for_anna == [(dt.date(2026, 3, 1), 0), (dt.date(2026, 4, 1), 0)]


def test_busy_hours_count_sessions_by_local_weekday_and_hour(week):
    busy = report_busy_hours(scope=WEEK)

    # Monday 09:00 and 10:00 local time (08:00 and 09:00 UTC); the cancelled ones do not count.
    assert busy.counts == {(0, 9): 1, (0, 10): 1}
    assert busy.hours == [9, 10]


def test_busy_hours_add_up_sessions_at_the_same_time_and_take_the_local_weekday(week, back_massage):
    # Two more at Monday 09:00, and one at Friday 00:30 local time: Thursday 23:30 in UTC.
    AppointmentFactory(starts_at=local(2026, 3, 2, 9), modality=back_massage)
    AppointmentFactory(starts_at=local(2026, 3, 2, 9), modality=back_massage)
    AppointmentFactory(starts_at=local(2026, 3, 6, 0, 30), modality=back_massage)

    busy = report_busy_hours(scope=WEEK)

    assert busy.counts == {(0, 9): 3, (0, 10): 1, (4, 0): 1}
    assert busy.hours == list(range(0, 11))


def test_filters_narrow_to_one_therapist_or_modality(week, anna_berg):
    other = ModalityFactory(name="Cupping for the test")

    assert report_cancellations(scope=ReportFilter(MONDAY, SUNDAY, modality_id=other.pk))[-1].booked == 0
    assert report_cancellations(scope=ReportFilter(MONDAY, SUNDAY, therapist_id=anna_berg.pk))[-1].booked == 4


def _held(course, when, before, after, **place):
    appointment = AppointmentFactory(
        patient=course.patient, course=course, modality=course.modality, starts_at=when, status="completed", **place
    )
    return SessionNoteFactory(
        appointment=appointment,
        pain_before=before,
        pain_after=after,
        signed_at=when,
        signed_by=appointment.therapist.user,
    )


@pytest.fixture
def courses(anna_berg, blue_room, back_massage):
    """Four courses of the back massage started in the week, minimum 2 sessions each, seen on
    1 April 2026:
    - done: two signed sessions, completed (pain 7 → 3, a gain of 4: reaches the MCID of 2);
    - short: completed after one session (below the minimum; pain 6 → 5, a gain of 1);
    - quiet: active, last session 5 March, nothing booked: dropped off;
    - going: active, one session booked ahead: still going."""
    place = {"therapist": anna_berg, "room": blue_room}
    back_massage.course_min_sessions = 2
    back_massage.save()
    make = lambda status, code="M54.3": CourseFactory(  # noqa: E731
        modality=back_massage,
        status=status,
        starts_on=MONDAY,
        diagnosis=DiagnosisFactory(icd10_code=code, patient=PatientFactory()),
    )
    done, short, quiet, going = (
        make(CourseStatus.COMPLETED),
        make(CourseStatus.COMPLETED, "M51.1"),
        make(CourseStatus.ACTIVE),
        make(CourseStatus.ACTIVE),
    )
    for course in (done, short, quiet, going):
        course.patient = course.diagnosis.patient
        course.save()
    _held(done, local(2026, 3, 2, 9), 7, 5, **place)
    _held(done, local(2026, 3, 3, 9), 5, 3, **place)
    _held(short, local(2026, 3, 2, 11), 6, 5, **place)
    _held(quiet, local(2026, 3, 5, 9), 6, 6, **place)
    AppointmentFactory(
        patient=going.patient, course=going, modality=back_massage, starts_at=local(2026, 4, 8, 9), **place
    )
    return {"done": done, "short": short, "quiet": quiet, "going": going}


def test_course_completion_and_drop_off(courses):
    (massage, total) = report_courses(scope=WEEK, now=local(2026, 4, 1, 12))

    assert (massage.name, massage.started, massage.completed, massage.closed_early, massage.dropped) == (
        "Classic back massage",
        4,
        1,
        1,
        1,
    )
    assert massage.ongoing == 1
    assert (massage.completed_share, massage.dropped_share) == (Decimal(25), Decimal(50))
    assert total.started == 4


def test_a_course_seen_within_three_weeks_has_not_dropped_off(courses):
    (massage, _) = report_courses(scope=WEEK, now=local(2026, 3, 20, 12))

    assert (massage.dropped, massage.ongoing) == (0, 2)


def test_outcomes_per_modality_and_per_diagnosis(courses, django_user_model):
    # The functional scale, twice for the done course: 3 → 6.4, a gain of 3.4 (MCID 2: reached).
    psfs = Measure.objects.get(code=FUNCTION_CODE)
    done = courses["done"]
    user = done.prescribed_by
    for occasion, score, moment in ((OutcomeOccasion.START, "3", 2), (OutcomeOccasion.END, "6.4", 3)):
        OutcomeScore.objects.create(
            patient=done.patient,
            course=done,
            measure=psfs,
            occasion=occasion,
            sessions_done=0 if occasion == OutcomeOccasion.START else 2,
            answers=[],
            score=Decimal(score),
            recorded_at=local(2026, 3, moment, 8),
            recorded_by=user,
        )

    (row,) = report_outcomes(scope=WEEK)

    # Three courses held a session in the week (done, short, quiet); pain gains 4, 1 and 0.
    assert (row.name, row.courses, row.pain_courses) == ("Classic back massage", 3, 3)
    assert row.pain_change == Decimal("1.7")  # (4 + 1 + 0) / 3
    assert (row.pain_reached, row.pain_reached_share) == (1, Decimal("33.3"))
    assert (row.function_courses, row.function_change, row.function_reached) == (1, Decimal("3.4"), 1)

    by_diagnosis = {r.name: r for r in report_outcomes(scope=WEEK, by="diagnosis")}
    assert set(by_diagnosis) == {"M51.1", "M54.3"}
    assert (by_diagnosis["M51.1"].courses, by_diagnosis["M51.1"].pain_change) == (1, Decimal(1))
    assert by_diagnosis["M54.3"].pain_reached == 1


def test_today_at_a_glance(anna_berg, blue_room, maria_keller, back_massage):
    place = {"therapist": anna_berg, "room": blue_room, "modality": back_massage, "patient": maria_keller}
    AppointmentFactory(starts_at=local(2026, 3, 2, 9), status=AppointmentStatus.COMPLETED, **place)
    AppointmentFactory(starts_at=local(2026, 3, 2, 10), status=AppointmentStatus.CHECKED_IN, **place)
    AppointmentFactory(starts_at=local(2026, 3, 2, 11), status=AppointmentStatus.NO_SHOW, **place)
    AppointmentFactory(starts_at=local(2026, 3, 2, 12), **place)
    AppointmentFactory(starts_at=local(2026, 3, 2, 13), status="cancelled", cancellation_reason="x", **place)

    today = day_at_a_glance(day=MONDAY)

    assert (today.sessions, today.checked_in, today.no_shows) == (4, 2, 1)
    # 600 working minutes, 4 × 45 booked: 420 free, 7 hours.
    assert (today.working_minutes, today.booked_minutes, today.free_hours) == (600, 180, Decimal("7.0"))


def _busy_clinic(count: int, anna_berg, blue_room, back_massage):
    for n in range(count):
        course = CourseFactory(modality=back_massage, starts_on=MONDAY)
        _held(course, local(2026, 3, 2 + n % 5, 8 + n % 9), 6, 3, therapist=anna_berg, room=blue_room)


@pytest.mark.parametrize("count", [2, 20])
def test_each_report_runs_the_same_few_queries_however_much_data(
    count, anna_berg, blue_room, back_massage, django_assert_max_num_queries
):
    _busy_clinic(count, anna_berg, blue_room, back_massage)

    for report, most in (
        (report_utilisation, 6),
        (report_cancellations, 2),
        (report_new_patients, 1),
        (report_courses, 1),
        (report_outcomes, 2),
        (report_busy_hours, 1),
    ):
        with django_assert_max_num_queries(most):
            report(scope=WEEK)
