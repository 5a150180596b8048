"""Every database constraint refuses bad data even when Python validation is skipped.

Rows are written with ``objects.create`` (through the factories) or ``queryset.update``, neither of
which runs ``full_clean``, so only the database stands between the bad value and the table. Each
refusal runs in its own savepoint so the test database stays usable afterwards.
"""

import datetime as dt
from contextlib import contextmanager

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.models import Cadence, Closure, Modality, Room, Therapist, WorkingHours
from patients.models import ContraindicationRule, Diagnosis, FlagKind, HealthFlag, Patient, RuleEffect
from sessions.models import Addendum, Appointment, AppointmentStatus, Course, SessionNote
from tests.factories import (
    AddendumFactory,
    AppointmentFactory,
    ClosureFactory,
    ContraindicationRuleFactory,
    CourseFactory,
    DiagnosisFactory,
    HealthFlagFactory,
    ModalityFactory,
    PatientFactory,
    RoomFactory,
    SessionNoteFactory,
    TherapistFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NINE = dt.time(9, 0)
FIVE_PM = dt.time(17, 0)


@contextmanager
def refused_by(constraint: str):
    """The block raises IntegrityError naming the check constraint (SQLite and PostgreSQL both name it)."""
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        yield
    assert constraint in str(excinfo.value)


@contextmanager
def refused_as_duplicate():
    """The block raises a uniqueness IntegrityError (SQLite names the columns, PostgreSQL the index)."""
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        yield
    assert "unique" in str(excinfo.value).lower()


def soon() -> dt.datetime:
    return timezone.now().replace(microsecond=0) + dt.timedelta(days=3)


# --- clinic: Modality ------------------------------------------------------------------------------


def test_modality_with_min_above_max_sessions_is_refused():
    with refused_by("modality_min_not_above_max"):
        ModalityFactory(course_min_sessions=16, course_max_sessions=15)


def test_modality_update_to_min_above_max_is_refused():
    modality = ModalityFactory(course_min_sessions=12, course_max_sessions=15)
    with refused_by("modality_min_not_above_max"):
        Modality.objects.filter(pk=modality.pk).update(course_min_sessions=16)


def test_modality_with_equal_min_and_max_is_accepted():
    modality = ModalityFactory(course_min_sessions=10, course_max_sessions=10)
    modality.refresh_from_db()
    assert modality.course_min_sessions == modality.course_max_sessions == 10


def test_modality_with_zero_min_sessions_is_refused():
    with refused_by("modality_min_sessions_at_least_one"):
        ModalityFactory(course_min_sessions=0, course_max_sessions=0)


def test_modality_shorter_than_five_minutes_is_refused():
    with refused_by("modality_session_minutes_positive"):
        ModalityFactory(session_minutes=4)


def test_modality_of_five_minutes_is_accepted():
    assert Modality.objects.filter(pk=ModalityFactory(session_minutes=5).pk).exists()


@pytest.mark.parametrize(
    ("cadence", "per_week"),
    [
        (Cadence.PER_WEEK, None),  # NULL makes a bare range check unknown, and CHECK lets unknown pass
        (Cadence.PER_WEEK, 0),
        (Cadence.PER_WEEK, 8),
        (Cadence.FREE, 3),
        (Cadence.CONSECUTIVE_DAYS, 5),
    ],
)
def test_modality_sessions_per_week_must_match_cadence(cadence, per_week):
    with refused_by("modality_sessions_per_week_with_cadence"):
        ModalityFactory(cadence=cadence, sessions_per_week=per_week)


@pytest.mark.parametrize(
    ("cadence", "per_week"),
    [(Cadence.PER_WEEK, 1), (Cadence.PER_WEEK, 7), (Cadence.FREE, None), (Cadence.CONSECUTIVE_DAYS, None)],
)
def test_modality_sessions_per_week_matching_cadence_is_accepted(cadence, per_week):
    modality = ModalityFactory(cadence=cadence, sessions_per_week=per_week)
    modality.refresh_from_db()
    assert (modality.cadence, modality.sessions_per_week) == (cadence, per_week)


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


# --- patients: Patient, Diagnosis -----------------------------------------------------------------


def test_one_user_cannot_be_two_patients():
    user = UserFactory()
    PatientFactory(user=user)
    with refused_as_duplicate():
        PatientFactory(user=user)


def test_many_patients_without_a_portal_login_are_accepted():
    PatientFactory(user=None)
    PatientFactory(user=None)
    assert Patient.objects.filter(user__isnull=True).count() == 2


@pytest.mark.parametrize("code", ["M54.3", "M54.4", "M51.1", "M48.06", "M43.1", "G57.0", "M54"])
def test_diagnosis_icd10_code_is_accepted(code):
    diagnosis = DiagnosisFactory(icd10_code=code)
    assert Diagnosis.objects.get(pk=diagnosis.pk).icd10_code == code


@pytest.mark.parametrize("code", ["m54.3", "M5", "U07.1", "54.3", "M54.", "", "M54.3 "])
def test_diagnosis_malformed_icd10_code_is_refused(code):
    with refused_by("diagnosis_icd10_code_format"):
        DiagnosisFactory(icd10_code=code)


def test_diagnosis_update_to_malformed_icd10_code_is_refused():
    diagnosis = DiagnosisFactory(icd10_code="M54.3")
    with refused_by("diagnosis_icd10_code_format"):
        Diagnosis.objects.filter(pk=diagnosis.pk).update(icd10_code="m54.3")


# --- patients: HealthFlag -------------------------------------------------------------------------


def test_health_flag_ending_before_it_starts_is_refused():
    with refused_by("health_flag_ends_not_before_start"):
        HealthFlagFactory(active_from=dt.date(2026, 3, 10), active_to=dt.date(2026, 3, 9))


@pytest.mark.parametrize("active_to", [dt.date(2026, 3, 10), None], ids=["same-day", "open-ended"])
def test_health_flag_ending_on_its_first_day_or_open_ended_is_accepted(active_to):
    flag = HealthFlagFactory(active_from=dt.date(2026, 3, 10), active_to=active_to)
    assert HealthFlag.objects.get(pk=flag.pk).active_to == active_to


def test_oil_allergy_without_substance_is_refused():
    with refused_by("health_flag_oil_allergy_names_substance"):
        HealthFlagFactory(kind=FlagKind.OIL_ALLERGY, substance="")


def test_oil_allergy_update_clearing_substance_is_refused():
    flag = HealthFlagFactory(kind=FlagKind.OIL_ALLERGY, substance="Lavender oil")
    with refused_by("health_flag_oil_allergy_names_substance"):
        HealthFlag.objects.filter(pk=flag.pk).update(substance="")


def test_other_flags_without_substance_are_accepted():
    flag = HealthFlagFactory(kind=FlagKind.HYPERTENSION, substance="")
    assert HealthFlag.objects.filter(pk=flag.pk, substance="").exists()


# --- patients: ContraindicationRule ---------------------------------------------------------------


def test_contraindication_rule_duplicate_for_one_modality_is_refused():
    modality = ModalityFactory()
    ContraindicationRuleFactory(flag_kind=FlagKind.SKIN_CONDITION, modality=modality, effect=RuleEffect.BLOCK)
    with refused_as_duplicate():
        ContraindicationRuleFactory(flag_kind=FlagKind.SKIN_CONDITION, modality=modality, effect=RuleEffect.BLOCK)


def test_contraindication_rule_for_one_modality_differing_only_in_oil_scope_is_refused():
    # For a named modality "oil modalities only" adds nothing, so it does not make a second rule.
    modality = ModalityFactory()
    ContraindicationRuleFactory(flag_kind=FlagKind.SKIN_CONDITION, modality=modality, effect=RuleEffect.BLOCK)
    with refused_as_duplicate():
        ContraindicationRuleFactory(
            flag_kind=FlagKind.SKIN_CONDITION, modality=modality, oil_modalities_only=True, effect=RuleEffect.BLOCK
        )


def test_contraindication_rule_duplicate_for_all_modalities_is_refused():
    # NULL never equals NULL in a plain UNIQUE, so this needs its own (partial) constraint.
    ContraindicationRuleFactory(flag_kind=FlagKind.OTHER, modality=None, effect=RuleEffect.BLOCK)
    with refused_as_duplicate():
        ContraindicationRuleFactory(flag_kind=FlagKind.OTHER, modality=None, effect=RuleEffect.BLOCK)


def test_default_rule_cannot_be_added_twice():
    with refused_as_duplicate():
        ContraindicationRuleFactory(flag_kind=FlagKind.FEVER_INFECTION, modality=None, effect=RuleEffect.BLOCK)


def test_contraindication_rules_differing_in_effect_modality_or_oil_scope_are_accepted():
    cupping, swedish = ModalityFactory(), ModalityFactory()
    kind = FlagKind.SKIN_CONDITION  # the defaults already hold one all-modality warning for it
    ContraindicationRuleFactory(flag_kind=kind, modality=cupping, effect=RuleEffect.BLOCK)
    ContraindicationRuleFactory(flag_kind=kind, modality=cupping, effect=RuleEffect.WARN)
    ContraindicationRuleFactory(flag_kind=kind, modality=swedish, effect=RuleEffect.BLOCK)
    ContraindicationRuleFactory(flag_kind=kind, modality=None, effect=RuleEffect.BLOCK)
    ContraindicationRuleFactory(flag_kind=kind, modality=None, oil_modalities_only=True, effect=RuleEffect.BLOCK)
    assert ContraindicationRule.objects.filter(flag_kind=kind).count() == 6


# --- sessions: Course -----------------------------------------------------------------------------


def test_course_with_min_above_max_sessions_is_refused():
    with refused_by("course_min_not_above_max"):
        CourseFactory(min_sessions=16, max_sessions=15)


def test_course_update_to_max_below_min_is_refused():
    course = CourseFactory(min_sessions=12, max_sessions=15)
    with refused_by("course_min_not_above_max"):
        Course.objects.filter(pk=course.pk).update(max_sessions=11)


def test_course_with_a_single_session_is_accepted():
    course = CourseFactory(min_sessions=1, max_sessions=1)
    assert Course.objects.filter(pk=course.pk, min_sessions=1, max_sessions=1).exists()


def test_course_with_zero_sessions_is_refused():
    with refused_by("course_min_sessions_at_least_one"):
        CourseFactory(min_sessions=0, max_sessions=0)


def test_course_shorter_than_five_minutes_is_refused():
    with refused_by("course_session_minutes_positive"):
        CourseFactory(session_minutes=4)


def test_course_of_five_minutes_is_accepted():
    assert Course.objects.filter(pk=CourseFactory(session_minutes=5).pk, session_minutes=5).exists()


@pytest.mark.parametrize(
    ("cadence", "per_week"),
    [
        (Cadence.PER_WEEK, None),  # NULL makes a bare range check unknown, and CHECK lets unknown pass
        (Cadence.PER_WEEK, 0),
        (Cadence.PER_WEEK, 8),
        (Cadence.FREE, 2),
        (Cadence.CONSECUTIVE_DAYS, 7),
    ],
)
def test_course_sessions_per_week_must_match_cadence(cadence, per_week):
    with refused_by("course_sessions_per_week_with_cadence"):
        CourseFactory(cadence=cadence, sessions_per_week=per_week)


@pytest.mark.parametrize(
    ("cadence", "per_week"),
    [(Cadence.PER_WEEK, 1), (Cadence.PER_WEEK, 7), (Cadence.FREE, None), (Cadence.CONSECUTIVE_DAYS, None)],
)
def test_course_sessions_per_week_matching_cadence_is_accepted(cadence, per_week):
    course = CourseFactory(cadence=cadence, sessions_per_week=per_week)
    course.refresh_from_db()
    assert (course.cadence, course.sessions_per_week) == (cadence, per_week)


# --- sessions: Appointment ------------------------------------------------------------------------


@pytest.mark.parametrize("minutes", [0, -30], ids=["zero-length", "ends-before-start"])
def test_appointment_must_end_after_it_starts(minutes):
    starts_at = soon()
    with refused_by("appointment_ends_after_start"):
        AppointmentFactory(starts_at=starts_at, ends_at=starts_at + dt.timedelta(minutes=minutes))


def test_appointment_update_to_end_at_its_start_is_refused():
    appointment = AppointmentFactory()
    with refused_by("appointment_ends_after_start"):
        Appointment.objects.filter(pk=appointment.pk).update(ends_at=appointment.starts_at)


def test_appointment_cancelled_without_reason_is_refused():
    with refused_by("appointment_cancellation_has_reason"):
        AppointmentFactory(status=AppointmentStatus.CANCELLED, cancellation_reason="")


def test_appointment_update_to_cancelled_without_reason_is_refused():
    appointment = AppointmentFactory()
    with refused_by("appointment_cancellation_has_reason"):
        Appointment.objects.filter(pk=appointment.pk).update(status=AppointmentStatus.CANCELLED)


def test_appointment_cancelled_with_reason_is_accepted():
    appointment = AppointmentFactory()
    Appointment.objects.filter(pk=appointment.pk).update(
        status=AppointmentStatus.CANCELLED, cancellation_reason="Patient has a cold."
    )
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED


def test_appointment_needing_review_without_reason_is_refused():
    with refused_by("appointment_review_has_reason"):
        AppointmentFactory(needs_review=True, review_reason="")


def test_appointment_update_to_needs_review_without_reason_is_refused():
    appointment = AppointmentFactory()
    with refused_by("appointment_review_has_reason"):
        Appointment.objects.filter(pk=appointment.pk).update(needs_review=True)


def test_appointment_needing_review_with_reason_is_accepted():
    appointment = AppointmentFactory(needs_review=True, review_reason="Sciatica turned acute.")
    assert Appointment.objects.filter(pk=appointment.pk, needs_review=True).exists()


# --- sessions: SessionNote, Addendum --------------------------------------------------------------


@pytest.mark.parametrize("field", ["pain_before", "pain_after"])
@pytest.mark.parametrize("score", [11, 100])
def test_note_pain_score_above_ten_is_refused(field, score):
    with refused_by(f"note_{field}_0_to_10"):
        SessionNoteFactory(**{field: score})


@pytest.mark.parametrize("field", ["pain_before", "pain_after"])
def test_note_update_to_pain_above_ten_is_refused(field):
    note = SessionNoteFactory()
    with refused_by(f"note_{field}_0_to_10"):
        SessionNote.objects.filter(pk=note.pk).update(**{field: 11})


@pytest.mark.parametrize("score", [0, 10, None])
def test_note_pain_scores_from_zero_to_ten_or_unrecorded_are_accepted(score):
    note = SessionNoteFactory(pain_before=score, pain_after=score)
    note.refresh_from_db()
    assert (note.pain_before, note.pain_after) == (score, score)


def test_note_stopped_early_without_reason_is_refused():
    with refused_by("note_stopped_early_has_reason"):
        SessionNoteFactory(stopped_early=True, stopped_early_reason="")


def test_note_stopped_early_with_reason_is_accepted():
    note = SessionNoteFactory(stopped_early=True, stopped_early_reason="Sharp pain on straight-leg raise.")
    assert SessionNote.objects.filter(pk=note.pk, stopped_early=True).exists()


def test_note_signed_at_without_signer_is_refused():
    with refused_by("note_signature_complete"):
        SessionNoteFactory(signed_at=timezone.now(), signed_by=None)


def test_note_signer_without_signed_at_is_refused():
    note = SessionNoteFactory()
    with refused_by("note_signature_complete"):
        SessionNote.objects.filter(pk=note.pk).update(signed_by=note.author)


@pytest.mark.parametrize("signed", [True, False])
def test_note_fully_signed_or_unsigned_is_accepted(signed):
    note = SessionNoteFactory()
    if signed:
        SessionNote.objects.filter(pk=note.pk).update(signed_at=timezone.now(), signed_by=note.author)
    note.refresh_from_db()
    assert note.is_signed is signed
    assert (note.signed_by_id is not None) is signed


def test_second_note_for_one_appointment_is_refused():
    note = SessionNoteFactory()
    with refused_as_duplicate():
        SessionNoteFactory(appointment=note.appointment)
    assert SessionNote.objects.filter(appointment=note.appointment).count() == 1


def test_empty_addendum_is_refused():
    with refused_by("addendum_not_empty"):
        AddendumFactory(text="")


def test_addendum_update_to_empty_text_is_refused():
    addendum = AddendumFactory()
    with refused_by("addendum_not_empty"):
        Addendum.objects.filter(pk=addendum.pk).update(text="")
    addendum.refresh_from_db()
    assert addendum.text
