"""The contraindication check: what blocks a session, what only needs a warning confirmed, and
that every sentence names where it comes from, so the receptionist can explain it."""

import datetime as dt

import pytest
from django.utils import timezone

from clinic import roles
from clinic.models import Modality
from patients.contraindications import contraindications_check
from patients.models import ContraindicationRule, FlagKind, Phase, RuleEffect
from tests.factories import (
    ContraindicationRuleFactory,
    DiagnosisFactory,
    HealthFlagFactory,
    PhaseRecordFactory,
    UserFactory,
    local,
    next_weekday,
)

pytestmark = pytest.mark.django_db


def catalogue(name: str) -> Modality:
    return Modality.objects.get(name=name)


@pytest.fixture
def sciatica(maria_keller):
    return DiagnosisFactory(patient=maria_keller, icd10_code="M54.3", title="Sciatica")


@pytest.fixture
def dr_berg():
    return UserFactory(username="berg", first_name="Anna", last_name="Berg", role=roles.THERAPIST)


@pytest.fixture
def session_at():
    """A weekday morning well in the future: the time the check is asked about."""
    day = next_weekday(1)
    return local(day.year, day.month, day.day, 10, 0)


def days_ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def record(diagnosis, phase, when, by=None):
    extra = {"recorded_by": by} if by is not None else {}
    return PhaseRecordFactory(diagnosis=diagnosis, phase=phase, effective_from=when, **extra)


def check(maria_keller, modality, at):
    return contraindications_check(patient=maria_keller, modality=modality, at=at)


# --- Phases ---------------------------------------------------------------------------------


def test_a_patient_with_nothing_recorded_may_be_treated(maria_keller, massage, session_at):
    result = check(maria_keller, massage, session_at)

    assert result.allowed
    assert result.blocks == []
    assert result.warnings == []


def test_acute_phase_blocks_and_names_diagnosis_date_and_recorder(maria_keller, sciatica, dr_berg, massage, session_at):
    recorded = timezone.make_aware(dt.datetime(2026, 11, 3, 9, 30))
    record(sciatica, Phase.ACUTE, recorded, by=dr_berg)

    result = check(maria_keller, massage, session_at)

    assert not result.allowed
    assert len(result.blocks) == 1
    reason = result.blocks[0]
    assert "Acute phase of M54.3 Sciatica" in reason
    assert "3 November 2026" in reason
    assert "Anna Berg" in reason
    assert "subacute or remission" in reason


@pytest.mark.parametrize("name", ["Therapeutic massage", "Vacuum (cupping) massage", "Acupressure", "Nerve massage"])
def test_acute_phase_blocks_every_modality(maria_keller, sciatica, name, session_at):
    record(sciatica, Phase.ACUTE, days_ago(2))

    assert not check(maria_keller, catalogue(name), session_at).allowed


def test_acute_phase_cannot_be_switched_off_by_deactivating_rules(maria_keller, sciatica, massage, session_at):
    ContraindicationRule.objects.update(active=False)
    record(sciatica, Phase.ACUTE, days_ago(2))

    assert not check(maria_keller, massage, session_at).allowed


def test_acute_phase_on_an_inactive_diagnosis_does_not_block(maria_keller, massage, session_at):
    old = DiagnosisFactory(patient=maria_keller, icd10_code="M54.4", title="Lumbago with sciatica", active=False)
    record(old, Phase.ACUTE, days_ago(200))

    assert check(maria_keller, massage, session_at).allowed


def test_acute_phase_on_one_of_two_active_diagnoses_blocks_naming_that_one(maria_keller, sciatica, massage, session_at):
    disc = DiagnosisFactory(patient=maria_keller, icd10_code="M51.1", title="Lumbar disc disorder with radiculopathy")
    record(sciatica, Phase.REMISSION, days_ago(10))
    record(disc, Phase.ACUTE, days_ago(3))

    result = check(maria_keller, massage, session_at)

    assert len(result.blocks) == 1
    assert "M51.1" in result.blocks[0]
    assert "M54.3" not in result.blocks[0]


def test_acute_phase_of_another_patient_does_not_block(maria_keller, massage, session_at):
    record(DiagnosisFactory(), Phase.ACUTE, days_ago(2))

    assert check(maria_keller, massage, session_at).allowed


@pytest.mark.parametrize("phase", [Phase.SUBACUTE, Phase.REMISSION])
def test_subacute_or_remission_allows(maria_keller, sciatica, massage, session_at, phase):
    record(sciatica, phase, days_ago(2))

    assert check(maria_keller, massage, session_at).allowed


def test_acute_then_remission_is_allowed(maria_keller, sciatica, massage, session_at):
    record(sciatica, Phase.ACUTE, days_ago(20))
    record(sciatica, Phase.REMISSION, days_ago(5))

    assert check(maria_keller, massage, session_at).allowed


def test_remission_then_acute_is_blocked(maria_keller, sciatica, massage, session_at):
    record(sciatica, Phase.REMISSION, days_ago(20))
    record(sciatica, Phase.ACUTE, days_ago(5))

    assert not check(maria_keller, massage, session_at).allowed


def test_the_latest_record_by_date_wins_not_the_latest_entered(maria_keller, sciatica, massage, session_at):
    # Remission entered today but dated after the acute record that was typed in later, back-dated.
    record(sciatica, Phase.REMISSION, days_ago(5))
    record(sciatica, Phase.ACUTE, days_ago(20))

    assert check(maria_keller, massage, session_at).allowed


def test_future_dated_acute_record_is_not_yet_in_effect(maria_keller, sciatica, massage):
    record(sciatica, Phase.REMISSION, days_ago(20))
    takes_effect = timezone.now() + dt.timedelta(days=10)
    record(sciatica, Phase.ACUTE, takes_effect)

    before = check(maria_keller, massage, takes_effect - dt.timedelta(days=7))
    after = check(maria_keller, massage, takes_effect + dt.timedelta(days=1))

    assert before.allowed
    assert not after.allowed


# --- Health flags and rules -------------------------------------------------------------------


def test_fever_blocks_every_modality_and_names_the_flag(maria_keller, session_at):
    HealthFlagFactory(patient=maria_keller, kind=FlagKind.FEVER_INFECTION)

    for modality in Modality.objects.all():
        result = check(maria_keller, modality, session_at)
        assert not result.allowed, modality
        assert result.blocks[0].startswith("Fever or infection: ")
        assert "no massage until it has passed" in result.blocks[0]


def test_oil_allergy_warns_for_a_modality_with_oil_and_names_the_oil(maria_keller, massage, session_at):
    HealthFlagFactory(patient=maria_keller, kind=FlagKind.OIL_ALLERGY, substance="lavender oil")

    result = check(maria_keller, massage, session_at)

    assert result.allowed
    assert len(result.warnings) == 1
    assert "lavender oil" in result.warnings[0]
    assert "Allergy to an aromatic oil" in result.warnings[0]


@pytest.mark.parametrize("name", ["Acupressure", "Nerve massage", "Myofascial release"])
def test_oil_allergy_says_nothing_for_a_modality_without_oil(maria_keller, session_at, name):
    HealthFlagFactory(patient=maria_keller, kind=FlagKind.OIL_ALLERGY, substance="lavender oil")

    result = check(maria_keller, catalogue(name), session_at)

    assert result.allowed
    assert result.warnings == []


@pytest.mark.parametrize(
    ("kind", "words"),
    [(FlagKind.HYPERTENSION, "High blood pressure"), (FlagKind.PREGNANCY, "Pregnancy")],
)
def test_hypertension_and_pregnancy_warn_without_blocking(maria_keller, massage, session_at, kind, words):
    HealthFlagFactory(patient=maria_keller, kind=kind)

    result = check(maria_keller, massage, session_at)

    assert result.allowed
    assert len(result.warnings) == 1
    assert result.warnings[0].startswith(f"{words}: ")


def test_clinic_rule_pregnancy_blocks_deep_tissue_only(maria_keller, session_at):
    deep_tissue = catalogue("Deep tissue massage")
    ContraindicationRuleFactory(
        flag_kind=FlagKind.PREGNANCY,
        modality=deep_tissue,
        effect=RuleEffect.BLOCK,
        message="No deep tissue work during pregnancy.",
    )
    HealthFlagFactory(patient=maria_keller, kind=FlagKind.PREGNANCY)

    deep = check(maria_keller, deep_tissue, session_at)
    swedish = check(maria_keller, catalogue("Swedish massage"), session_at)

    assert deep.blocks == ["Pregnancy: No deep tissue work during pregnancy."]
    assert swedish.allowed
    assert len(swedish.warnings) == 1


def test_warnings_and_blocks_are_reported_together(maria_keller, sciatica, massage, session_at):
    record(sciatica, Phase.ACUTE, days_ago(1))
    HealthFlagFactory(patient=maria_keller, kind=FlagKind.FEVER_INFECTION)
    HealthFlagFactory(patient=maria_keller, kind=FlagKind.HYPERTENSION)

    result = check(maria_keller, massage, session_at)

    assert len(result.blocks) == 2
    assert any("Acute phase" in reason for reason in result.blocks)
    assert any(reason.startswith("Fever or infection") for reason in result.blocks)
    assert [w.split(":")[0] for w in result.warnings] == ["High blood pressure"]


def test_a_flag_that_ended_before_the_session_does_not_count(maria_keller, massage, session_at):
    day = timezone.localdate(session_at)
    HealthFlagFactory(
        patient=maria_keller,
        kind=FlagKind.FEVER_INFECTION,
        active_from=day - dt.timedelta(days=10),
        active_to=day - dt.timedelta(days=1),
    )

    assert check(maria_keller, massage, session_at).allowed


def test_a_flag_ending_on_the_session_day_still_counts(maria_keller, massage, session_at):
    day = timezone.localdate(session_at)
    HealthFlagFactory(
        patient=maria_keller, kind=FlagKind.FEVER_INFECTION, active_from=day - dt.timedelta(days=10), active_to=day
    )

    assert not check(maria_keller, massage, session_at).allowed


def test_a_flag_starting_after_the_session_does_not_count(maria_keller, massage, session_at):
    day = timezone.localdate(session_at)
    HealthFlagFactory(patient=maria_keller, kind=FlagKind.FEVER_INFECTION, active_from=day + dt.timedelta(days=1))

    assert check(maria_keller, massage, session_at).allowed


def test_an_inactive_rule_does_not_count(maria_keller, massage, session_at):
    ContraindicationRule.objects.filter(flag_kind=FlagKind.FEVER_INFECTION).update(active=False)
    HealthFlagFactory(patient=maria_keller, kind=FlagKind.FEVER_INFECTION)

    assert check(maria_keller, massage, session_at).allowed


def test_a_rule_for_one_modality_does_not_apply_to_another(maria_keller, session_at):
    ContraindicationRuleFactory(
        flag_kind=FlagKind.OTHER, modality=catalogue("Hot stone massage"), effect=RuleEffect.BLOCK
    )
    HealthFlagFactory(patient=maria_keller, kind=FlagKind.OTHER, note="Heat intolerance")

    assert not check(maria_keller, catalogue("Hot stone massage"), session_at).allowed
    assert check(maria_keller, catalogue("Acupressure"), session_at).allowed


def test_another_patients_flags_do_not_count(maria_keller, massage, session_at):
    HealthFlagFactory(kind=FlagKind.FEVER_INFECTION)

    assert check(maria_keller, massage, session_at).allowed
