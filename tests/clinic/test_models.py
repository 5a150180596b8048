"""Small model behaviour: readable names, properties and the working-hours overlap check."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clinic.models import Cadence, WorkingHours
from patients.models import ContraindicationRule, FlagKind, HealthFlag, Phase, RuleEffect, StudyKind
from sessions.models import Course
from tests import factories
from tests.factories import local

T = dt.time


def anna():
    return factories.TherapistFactory(user__username="anna", user__first_name="Anna", user__last_name="Berg", hours=[])


def maria():
    return factories.PatientFactory(first_name="Maria", last_name="Keller")


def cupping():
    return factories.ModalityFactory(name="Cupping")


def appointment():
    appt = factories.AppointmentFactory(
        patient=maria(), modality=cupping(), therapist=anna(), starts_at=local(2026, 3, 2, 10, 0)
    )
    appt.refresh_from_db()  # as every page reads it: from the database, in UTC
    return appt


STR_CASES = {
    "modality": (cupping, "Cupping"),
    "therapist": (anna, "Anna Berg"),
    "therapist-without-name": (
        lambda: factories.TherapistFactory(user__username="jdoe", user__first_name="", user__last_name="", hours=[]),
        "jdoe",
    ),
    "room": (lambda: factories.RoomFactory(name="Room 2"), "Room 2"),
    "working-hours": (
        lambda: WorkingHours.objects.create(therapist=anna(), weekday=0, starts=T(8, 0), ends=T(12, 30)),
        "Anna Berg Monday 08:00–12:30",
    ),
    "closure-whole-clinic": (
        lambda: factories.ClosureFactory(
            starts_on=dt.date(2026, 12, 24), ends_on=dt.date(2026, 12, 26), reason="Holidays"
        ),
        "2026-12-24–2026-12-26: Holidays (whole clinic)",
    ),
    "closure-one-therapist": (
        lambda: factories.ClosureFactory(
            starts_on=dt.date(2026, 5, 4), ends_on=dt.date(2026, 5, 5), reason="Training", therapist=anna()
        ),
        "2026-05-04–2026-05-05: Training (Anna Berg)",
    ),
    "patient": (maria, "Maria Keller"),
    "diagnosis": (
        lambda: factories.DiagnosisFactory(icd10_code="M54.4", title="Lumbago with sciatica"),
        "M54.4 Lumbago with sciatica",
    ),
    "study": (
        lambda: factories.StudyFactory(kind=StudyKind.MRI, performed_on=dt.date(2026, 1, 8)),
        "MRI on 2026-01-08",
    ),
    "phase-record": (
        lambda: factories.PhaseRecordFactory(
            diagnosis=factories.DiagnosisFactory(icd10_code="M51.1"),
            phase=Phase.ACUTE,
            effective_from=local(2026, 2, 1, 9),
        ),
        "M51.1: Acute from 2026-02-01",
    ),
    "health-flag-with-substance": (
        lambda: factories.HealthFlagFactory(kind=FlagKind.OIL_ALLERGY, substance="Lavender oil"),
        "Allergy to an aromatic oil: Lavender oil",
    ),
    "health-flag": (lambda: factories.HealthFlagFactory(kind=FlagKind.HYPERTENSION), "High blood pressure"),
    "rule-all-modalities": (
        lambda: factories.ContraindicationRuleFactory(flag_kind=FlagKind.RECENT_SURGERY, effect=RuleEffect.BLOCK),
        "Recent surgery → block (all modalities)",
    ),
    "rule-oil-modalities": (
        lambda: factories.ContraindicationRuleFactory(
            flag_kind=FlagKind.SKIN_CONDITION, oil_modalities_only=True, effect=RuleEffect.WARN
        ),
        "Skin condition → warn (modalities with oil)",
    ),
    "rule-one-modality": (
        lambda: factories.ContraindicationRuleFactory(flag_kind=FlagKind.PREGNANCY, modality=cupping()),
        "Pregnancy → block (Cupping)",
    ),
    "course": (
        lambda: factories.CourseFactory(patient=maria(), modality=cupping(), min_sessions=5, max_sessions=7),
        "Cupping for Maria Keller (5–7)",
    ),
    "appointment": (appointment, "Maria Keller — Cupping at 2026-03-02 10:00"),
    "session-note": (
        lambda: factories.SessionNoteFactory(appointment=appointment()),
        "Note for Maria Keller — Cupping at 2026-03-02 10:00",
    ),
    "addendum": (
        lambda: factories.AddendumFactory(
            note=factories.SessionNoteFactory(author=factories.UserFactory(username="anna.berg"))
        ),
        "Addendum by anna.berg at ",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("build, expected", STR_CASES.values(), ids=STR_CASES.keys())
def test_str_is_readable(build, expected):
    text = str(build())
    assert text.startswith(expected)
    assert "object (" not in text


@pytest.mark.django_db
def test_appointment_str_shows_clinic_time_whether_or_not_it_was_reloaded():
    with timezone.override(ZoneInfo("Europe/Berlin")):
        appt = factories.AppointmentFactory(starts_at=dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC))  # 10:00 in Berlin
        fresh = str(appt)
        appt.refresh_from_db()
        assert fresh == str(appt)
        assert "2026-03-02 10:00" in fresh


# --- Course.session_range ----------------------------------------------------------------------------


@pytest.mark.parametrize(("low", "high", "expected"), [(12, 15, "12–15"), (5, 7, "5–7"), (10, 10, "10"), (1, 1, "1")])
def test_course_session_range(low, high, expected):
    assert Course(min_sessions=low, max_sessions=high, cadence=Cadence.FREE).session_range == expected


# --- HealthFlag.is_active_on -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 2, 28), False),
        (dt.date(2026, 3, 1), True),
        (dt.date(2026, 3, 15), True),
        (dt.date(2026, 3, 31), True),
        (dt.date(2026, 4, 1), False),
    ],
)
def test_health_flag_with_an_end_is_active_from_first_to_last_day(day, expected):
    flag = HealthFlag(kind=FlagKind.FEVER_INFECTION, active_from=dt.date(2026, 3, 1), active_to=dt.date(2026, 3, 31))
    assert flag.is_active_on(day) is expected


def test_open_ended_health_flag_stays_active():
    flag = HealthFlag(kind=FlagKind.PREGNANCY, active_from=dt.date(2026, 3, 1), active_to=None)
    assert not flag.is_active_on(dt.date(2026, 2, 28))
    assert flag.is_active_on(dt.date(2026, 3, 1))
    assert flag.is_active_on(dt.date(2030, 1, 1))


# --- ContraindicationRule.applies_to -----------------------------------------------------------------


@pytest.fixture
def oil_modality(db):
    return factories.ModalityFactory(name="Swedish (test)", uses_oils=True)


@pytest.fixture
def dry_modality(db):
    return factories.ModalityFactory(name="Acupressure (test)", uses_oils=False)


def test_rule_for_one_modality_applies_to_that_modality_only(oil_modality, dry_modality):
    rule = ContraindicationRule(flag_kind=FlagKind.SKIN_CONDITION, modality=dry_modality, effect=RuleEffect.BLOCK)
    assert rule.applies_to(dry_modality)
    assert not rule.applies_to(oil_modality)


def test_rule_for_all_modalities_applies_to_each(oil_modality, dry_modality):
    rule = ContraindicationRule(flag_kind=FlagKind.FEVER_INFECTION, modality=None, effect=RuleEffect.BLOCK)
    assert rule.applies_to(oil_modality)
    assert rule.applies_to(dry_modality)


def test_oil_only_rule_applies_to_modalities_with_oil_only(oil_modality, dry_modality):
    rule = ContraindicationRule(flag_kind=FlagKind.OIL_ALLERGY, oil_modalities_only=True, effect=RuleEffect.WARN)
    assert rule.applies_to(oil_modality)
    assert not rule.applies_to(dry_modality)


def test_oil_only_rule_for_one_modality_needs_both(oil_modality, dry_modality):
    other_oil_modality = factories.ModalityFactory(name="Hot stone (test)", uses_oils=True)
    on_oil = ContraindicationRule(
        flag_kind=FlagKind.OIL_ALLERGY, modality=oil_modality, oil_modalities_only=True, effect=RuleEffect.WARN
    )
    on_dry = ContraindicationRule(
        flag_kind=FlagKind.OIL_ALLERGY, modality=dry_modality, oil_modalities_only=True, effect=RuleEffect.WARN
    )
    assert on_oil.applies_to(oil_modality)
    assert not on_oil.applies_to(other_oil_modality)
    assert not on_dry.applies_to(dry_modality)


# --- WorkingHours.clean ------------------------------------------------------------------------------


@pytest.fixture
def morning(db):
    """A therapist's Monday morning, 08:00–12:00."""
    therapist = factories.TherapistFactory(hours=[(0, T(8, 0), T(12, 0))])
    return therapist.working_hours.get()


def block(therapist, weekday, starts, ends) -> WorkingHours:
    return WorkingHours(therapist=therapist, weekday=weekday, starts=starts, ends=ends)


@pytest.mark.parametrize(
    ("starts", "ends"),
    [
        (T(11, 0), T(13, 0)),  # runs into the end of the morning
        (T(7, 0), T(8, 30)),  # runs into its start
        (T(9, 0), T(10, 0)),  # inside it
        (T(7, 0), T(13, 0)),  # around it
        (T(8, 0), T(12, 0)),  # the same block again
    ],
)
def test_working_hours_overlapping_a_block_the_same_day_are_refused(morning, starts, ends):
    with pytest.raises(ValidationError, match="overlaps another block"):
        block(morning.therapist, 0, starts, ends).clean()


@pytest.mark.parametrize(
    ("weekday", "starts", "ends"),
    [
        (0, T(12, 30), T(17, 0)),  # after a lunch break
        (0, T(12, 0), T(17, 0)),  # straight after the morning
        (0, T(6, 0), T(8, 0)),  # straight before it
        (1, T(8, 0), T(12, 0)),  # the same hours on Tuesday
    ],
)
def test_working_hours_not_overlapping_are_accepted(morning, weekday, starts, ends):
    afternoon = block(morning.therapist, weekday, starts, ends)
    afternoon.full_clean()
    afternoon.save()
    assert morning.therapist.working_hours.count() == 2


def test_working_hours_of_another_therapist_may_overlap(morning):
    colleague = factories.TherapistFactory(hours=[])
    block(colleague, 0, T(8, 0), T(12, 0)).full_clean()


def test_working_hours_block_may_be_edited_without_overlapping_itself(morning):
    morning.ends = T(13, 0)
    morning.full_clean()


def test_working_hours_block_edited_into_its_neighbour_is_refused(morning):
    WorkingHours.objects.create(therapist=morning.therapist, weekday=0, starts=T(12, 30), ends=T(17, 0))
    morning.ends = T(13, 0)
    with pytest.raises(ValidationError, match="overlaps another block"):
        morning.full_clean()


@pytest.mark.parametrize("ends", [T(9, 0), T(8, 0)])
def test_working_hours_ending_before_they_start_are_refused(morning, ends):
    with pytest.raises(ValidationError) as excinfo:
        block(morning.therapist, 3, T(9, 0), ends).clean()
    assert "ends" in excinfo.value.message_dict
