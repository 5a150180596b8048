"""The patients' tables: every database constraint refuses bad data even when Python validation is skipped
(see refused_by in tests/scenes.py)."""

import datetime as dt

import pytest

from patients.models import ContraindicationRule, Diagnosis, FlagKind, HealthFlag, Patient, RuleEffect
from tests.factories import (
    ContraindicationRuleFactory,
    DiagnosisFactory,
    HealthFlagFactory,
    ModalityFactory,
    PatientFactory,
    UserFactory,
)
from tests.scenes import refused_as_duplicate, refused_by

pytestmark = pytest.mark.django_db


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
