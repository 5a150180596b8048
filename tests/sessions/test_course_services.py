"""Prescribing a course, pausing, resuming and closing it; every refusal names its reason."""

import datetime as dt

import pytest
from django.utils import timezone

from clinic import roles
from clinic.models import Cadence
from clinic.refusals import Refused
from patients.models import FlagKind, Phase
from sessions.courses import course_close, course_prescribe, course_resume, course_suspend
from sessions.models import AppointmentStatus, Course, CourseStatus
from tests.factories import (
    AppointmentFactory,
    ContraindicationRuleFactory,
    CourseFactory,
    DiagnosisFactory,
    HealthFlagFactory,
    PatientFactory,
    PhaseRecordFactory,
    SessionNoteFactory,
    TherapistFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def lena():
    return UserFactory(username="lena", first_name="Lena", last_name="Hoffmann", role=roles.THERAPIST)


@pytest.fixture
def sciatica(sciatica, lena):
    """In remission, as Lena recorded: a course may be prescribed for it."""
    PhaseRecordFactory(diagnosis=sciatica, phase=Phase.REMISSION, recorded_by=lena)
    return sciatica


def prescribe(patient, diagnosis, modality, by, **numbers) -> Course:
    return course_prescribe(
        patient=patient,
        diagnosis=diagnosis,
        modality=modality,
        prescribed_by=by,
        starts_on=dt.date(2026, 3, 2),
        **numbers,
    )


def reasons_of(call, *args, **kwargs) -> list[str]:
    with pytest.raises(Refused) as caught:
        call(*args, **kwargs)
    return caught.value.reasons


def test_a_refused_course_is_a_booking_error_for_the_views():
    assert issubclass(Refused, Refused)


def test_it_prescribes_a_therapeutic_massage_course_with_the_modality_defaults(maria, sciatica, massage, lena):
    course = prescribe(maria, sciatica, massage, lena, goals=" Walk to work again ", home_programme=" Tennis ball ")
    course.refresh_from_db()
    assert (course.patient, course.diagnosis, course.modality, course.prescribed_by) == (maria, sciatica, massage, lena)
    assert (course.min_sessions, course.max_sessions, course.session_minutes) == (12, 15, 45)
    assert (course.cadence, course.sessions_per_week) == (Cadence.FREE, None)
    assert (course.status, course.starts_on) == (CourseStatus.ACTIVE, dt.date(2026, 3, 2))
    assert (course.goals, course.home_programme) == ("Walk to work again", "Tennis ball")
    assert course.session_range == "12–15"


def test_cupping_defaults_to_twenty_minutes_on_five_to_seven_days_in_a_row(maria, sciatica, cupping, lena):
    course = prescribe(maria, sciatica, cupping, lena)
    assert (course.min_sessions, course.max_sessions, course.session_minutes) == (5, 7, 20)
    assert (course.cadence, course.sessions_per_week) == (Cadence.CONSECUTIVE_DAYS, None)


def test_deep_tissue_defaults_to_thirty_minutes_five_a_week_for_ten_sessions(maria, sciatica, deep_tissue, lena):
    course = prescribe(maria, sciatica, deep_tissue, lena)
    assert (course.min_sessions, course.max_sessions, course.session_minutes) == (10, 10, 30)
    assert (course.cadence, course.sessions_per_week) == (Cadence.PER_WEEK, 5)


def test_the_therapist_can_change_every_number(maria, sciatica, massage, lena):
    course = prescribe(
        maria,
        sciatica,
        massage,
        lena,
        min_sessions=8,
        max_sessions=10,
        session_minutes=30,
        cadence=Cadence.PER_WEEK,
        sessions_per_week=3,
    )
    assert (course.min_sessions, course.max_sessions, course.session_minutes) == (8, 10, 30)
    assert (course.cadence, course.sessions_per_week) == (Cadence.PER_WEEK, 3)


def test_choosing_another_cadence_drops_the_modalitys_weekly_number(maria, sciatica, deep_tissue, lena):
    course = prescribe(maria, sciatica, deep_tissue, lena, cadence=Cadence.CONSECUTIVE_DAYS)
    assert (course.cadence, course.sessions_per_week) == (Cadence.CONSECUTIVE_DAYS, None)


def test_it_refuses_while_the_patient_is_acute_and_names_the_reason(maria, sciatica, massage, lena):
    PhaseRecordFactory(diagnosis=sciatica, phase=Phase.ACUTE, recorded_by=lena, effective_from=timezone.now())
    reasons = reasons_of(prescribe, maria, sciatica, massage, lena)
    assert len(reasons) == 1
    assert reasons[0].startswith("Acute phase of M54.3 Sciatica recorded on")
    assert "by Lena Hoffmann" in reasons[0]
    assert not Course.objects.exists()


def test_it_refuses_while_a_blocking_rule_matches_a_health_flag(maria, sciatica, massage, lena):
    HealthFlagFactory(patient=maria, kind=FlagKind.OTHER, active_from=dt.date(2026, 1, 1))
    ContraindicationRuleFactory(flag_kind=FlagKind.OTHER, effect="block", message="Not this week.", modality=massage)
    reasons = reasons_of(prescribe, maria, sciatica, massage, lena)
    assert reasons == ["Other: Not this week."]
    assert not Course.objects.exists()


def test_a_warning_alone_does_not_stop_a_prescription(maria, sciatica, massage, lena):
    HealthFlagFactory(patient=maria, kind=FlagKind.HYPERTENSION, active_from=dt.date(2026, 1, 1))
    assert prescribe(maria, sciatica, massage, lena).pk


def test_it_refuses_a_diagnosis_of_another_patient(maria, massage, lena):
    someone_elses = DiagnosisFactory(patient=PatientFactory())
    assert reasons_of(prescribe, maria, someone_elses, massage, lena) == ["That diagnosis belongs to another patient."]
    assert not Course.objects.exists()


def test_it_refuses_an_inactive_diagnosis(maria, sciatica, massage, lena):
    sciatica.active = False
    sciatica.save()
    assert reasons_of(prescribe, maria, sciatica, massage, lena) == [
        "The diagnosis M54.3 Sciatica is no longer active; prescribe for an active diagnosis."
    ]


def test_it_refuses_a_minimum_above_the_maximum(maria, sciatica, massage, lena):
    assert reasons_of(prescribe, maria, sciatica, massage, lena, min_sessions=16) == [
        "The minimum number of sessions (16) is above the maximum (15)."
    ]


def test_it_refuses_a_weekly_cadence_without_a_number(maria, sciatica, massage, lena):
    assert reasons_of(prescribe, maria, sciatica, massage, lena, cadence=Cadence.PER_WEEK) == [
        "Say how many sessions a week the course has."
    ]


def test_it_refuses_a_weekly_number_with_another_cadence(maria, sciatica, massage, lena):
    assert reasons_of(prescribe, maria, sciatica, massage, lena, sessions_per_week=3) == [
        "Sessions per week go with the 'sessions per week' cadence only; leave the number empty."
    ]


def test_it_refuses_numbers_out_of_range(maria, sciatica, massage, lena):
    reasons = reasons_of(prescribe, maria, sciatica, massage, lena, session_minutes=2, max_sessions=61)
    assert "Session minutes: Ensure this value is greater than or equal to 5." in reasons
    assert "Max sessions: Ensure this value is less than or equal to 60." in reasons


def test_it_gives_every_reason_at_once(maria, sciatica, massage, lena):
    PhaseRecordFactory(diagnosis=sciatica, phase=Phase.ACUTE, recorded_by=lena, effective_from=timezone.now())
    reasons = reasons_of(prescribe, maria, sciatica, massage, lena, min_sessions=20, cadence=Cadence.PER_WEEK)
    assert len(reasons) == 3


@pytest.mark.parametrize("status", [CourseStatus.ACTIVE, CourseStatus.PLANNED])
def test_it_suspends_an_active_or_planned_course(status):
    course = CourseFactory(status=status)
    assert course_suspend(course=course).status == CourseStatus.SUSPENDED
    course.refresh_from_db()
    assert course.status == CourseStatus.SUSPENDED


@pytest.mark.parametrize(
    ("action", "status", "reason"),
    [
        (course_suspend, CourseStatus.SUSPENDED, "A suspended course cannot be suspended."),
        (course_suspend, CourseStatus.COMPLETED, "A completed course cannot be suspended."),
        (course_suspend, CourseStatus.CANCELLED, "A cancelled course cannot be suspended."),
        (course_resume, CourseStatus.ACTIVE, "An active course cannot be resumed."),
        (course_resume, CourseStatus.PLANNED, "A planned course cannot be resumed."),
        (course_resume, CourseStatus.COMPLETED, "A completed course cannot be resumed."),
    ],
    ids=lambda value: value.__name__.removeprefix("course_") if callable(value) else str(value),
)
def test_it_suspends_only_a_running_course_and_resumes_only_a_suspended_one(action, status, reason):
    course = CourseFactory(status=status)
    assert reasons_of(action, course=course) == [reason]
    course.refresh_from_db()
    assert course.status == status


def test_it_resumes_a_suspended_course(sciatica, massage):
    course = CourseFactory(patient=sciatica.patient, diagnosis=sciatica, modality=massage, status="suspended")
    assert course_resume(course=course).status == CourseStatus.ACTIVE
    course.refresh_from_db()
    assert course.status == CourseStatus.ACTIVE


def test_it_refuses_to_resume_while_the_patient_is_acute(sciatica, massage, lena):
    course = CourseFactory(patient=sciatica.patient, diagnosis=sciatica, modality=massage, status="suspended")
    PhaseRecordFactory(diagnosis=sciatica, phase=Phase.ACUTE, recorded_by=lena, effective_from=timezone.now())
    (reason,) = reasons_of(course_resume, course=course)
    assert reason.startswith("Acute phase of M54.3 Sciatica")
    course.refresh_from_db()
    assert course.status == CourseStatus.SUSPENDED


def session(course, therapist, days_ago: int, *, status=AppointmentStatus.COMPLETED, **note):
    """A session of the course `days_ago` days back; with a note when pain scores are given."""
    appointment = AppointmentFactory(
        patient=course.patient,
        course=course,
        modality=course.modality,
        therapist=therapist,
        starts_at=timezone.now().replace(microsecond=0) - dt.timedelta(days=days_ago),
        status=status,
    )
    if note:
        SessionNoteFactory(appointment=appointment, **note)
    return appointment


def test_closing_a_course_completes_it_with_a_discharge_summary(sciatica, massage):
    anna = TherapistFactory(user__first_name="Anna", user__last_name="Kuhn")
    course = CourseFactory(
        patient=sciatica.patient, diagnosis=sciatica, modality=massage, starts_on=dt.date(2026, 3, 2)
    )
    signed = {"signed_at": timezone.now(), "signed_by": anna.user}
    session(course, anna, 20, pain_before=8, pain_after=6, **signed)
    session(
        course, anna, 15, pain_before=6, pain_after=5, stopped_early=True, stopped_early_reason="Sharp pain", **signed
    )
    session(course, anna, 10, pain_before=4, pain_after=2, **signed)
    # Not counted: a completed session with a draft note, a missed one, and another course's.
    session(course, anna, 5, pain_before=9, pain_after=9)
    session(course, anna, 3, status=AppointmentStatus.NO_SHOW, pain_before=1, pain_after=1, **signed)
    session(CourseFactory(patient=sciatica.patient), anna, 2, pain_before=0, pain_after=0, **signed)
    closer = UserFactory(first_name="Lena", last_name="Hoffmann", role=roles.THERAPIST)

    closed = course_close(course=course, closed_by=closer, remarks="  Pain free at rest. Keep up the stretches.  ")

    closed.refresh_from_db()
    assert closed.status == CourseStatus.COMPLETED
    today = timezone.localdate()
    assert closed.discharge_summary.splitlines() == [
        "Therapeutic massage for M54.3 Sciatica, started 2 March 2026; "
        f"closed on {today.day} {today:%B %Y} by Lena Hoffmann.",
        "Sessions done: 3 of 12–15 prescribed.",
        "Pain before the first session: 8/10; after the last session: 2/10.",
        "Sessions stopped early: 1.",
        # 8 before the first session, 2 after the last: 6 points better, at least the MCID of 2.
        "Pain change: 6 points better (8 before the first session, 2 after the last); important change 2 points: "
        "reached.",
        "Therapist's remarks: Pain free at rest. Keep up the stretches.",
    ]


def test_a_course_without_signed_notes_closes_with_nothing_recorded(sciatica, massage, lena):
    course = CourseFactory(patient=sciatica.patient, diagnosis=sciatica, modality=massage, status="suspended")
    summary = course_close(course=course, closed_by=lena).discharge_summary
    assert "Sessions done: 0 of 12–15 prescribed." in summary
    assert "Pain before the first session: not recorded; after the last session: not recorded." in summary
    assert "Sessions stopped early: 0." in summary
    assert "remarks" not in summary


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (CourseStatus.COMPLETED, "A completed course cannot be closed."),
        (CourseStatus.CANCELLED, "A cancelled course cannot be closed."),
    ],
)
def test_it_refuses_to_close_a_course_that_already_ended(status, reason, lena):
    course = CourseFactory(status=status, discharge_summary="Earlier summary")
    assert reasons_of(course_close, course=course, closed_by=lena) == [reason]
    course.refresh_from_db()
    assert course.discharge_summary == "Earlier summary"


def test_it_refuses_to_close_with_remarks_that_make_the_summary_too_long(sciatica, massage, lena):
    course = CourseFactory(patient=sciatica.patient, diagnosis=sciatica, modality=massage)
    reasons = reasons_of(course_close, course=course, closed_by=lena, remarks="x" * 2000)
    assert len(reasons) == 1 and reasons[0].endswith("characters too long: shorten your remarks.")
    course.refresh_from_db()
    assert (course.status, course.discharge_summary) == ("active", "")
