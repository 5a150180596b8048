"""The contraindication rules the manager edits (patients.services.contraindication_rule_save):
each refusal in words with nothing written, and a saved rule applies to the check at once."""

import pytest

from patients.contraindications import contraindications_check
from patients.models import ContraindicationRule, FlagKind, RuleEffect
from patients.services import contraindication_rule_save
from tests.factories import HealthFlagFactory, ModalityFactory, on_monday
from tests.scenes import refusal_of


def rule(**overrides) -> dict:
    values = {
        "flag_kind": FlagKind.SKIN_CONDITION,
        "modality": None,
        "oil_modalities_only": False,
        "effect": RuleEffect.BLOCK,
        "message": "No massage over broken skin.",
    }
    return values | overrides


def refusal(**kwargs) -> list[str]:
    return refusal_of(contraindication_rule_save, ContraindicationRule, **kwargs)


def test_a_new_rule_applies_to_the_check_at_once(maria_keller, back_massage):
    HealthFlagFactory(patient=maria_keller, kind=FlagKind.SKIN_CONDITION)
    assert contraindications_check(patient=maria_keller, modality=back_massage, at=on_monday(10)).allowed
    saved = contraindication_rule_save(**rule(modality=back_massage))
    check = contraindications_check(patient=maria_keller, modality=back_massage, at=on_monday(10))
    assert not check.allowed
    contraindication_rule_save(rule=saved, **rule(modality=back_massage, active=False))
    assert contraindications_check(patient=maria_keller, modality=back_massage, at=on_monday(10)).allowed


@pytest.mark.parametrize(
    "overrides, reason",
    [
        ({"flag_kind": "sunburn"}, "Choose the health flag the rule is about."),
        ({"effect": "ban"}, "Choose whether the rule blocks the booking or warns."),
        ({"message": " "}, "Write the message the receptionist and therapist read when the rule applies."),
        ({"message": "x" * 301}, "The message is too long: 300 characters at most."),
    ],
)
def test_a_rule_is_refused_in_words(db, overrides, reason):
    assert refusal(**rule(**overrides)) == [reason]


def test_oil_only_on_a_modality_without_oil_is_refused(db):
    dry = ModalityFactory(name="Shiatsu", uses_oils=False)
    assert refusal(**rule(modality=dry, oil_modalities_only=True)) == [
        "Shiatsu uses no oil, so a rule for oil-using modalities only would never apply to it."
    ]


def test_a_second_rule_for_the_same_flag_scope_and_effect_is_refused(back_massage):
    contraindication_rule_save(**rule(modality=back_massage))
    assert refusal(**rule(modality=back_massage, message="Again.")) == [
        "There is already a rule that blocks the booking for “Skin condition” and Classic back massage; "
        "change that one instead."
    ]
