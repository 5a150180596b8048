"""The contraindication rules a new clinic starts with. The clinic edits them in the admin."""

from patients.models import FlagKind, RuleEffect

DEFAULT_RULES = [
    {
        "flag_kind": FlagKind.FEVER_INFECTION,
        "effect": RuleEffect.BLOCK,
        "message": "Fever or an infection is recorded: no massage until it has passed.",
    },
    {
        "flag_kind": FlagKind.OIL_ALLERGY,
        "oil_modalities_only": True,
        "effect": RuleEffect.WARN,
        "message": "Allergy to an aromatic oil: tell the therapist and use an oil the patient tolerates.",
    },
    {
        "flag_kind": FlagKind.HYPERTENSION,
        "effect": RuleEffect.WARN,
        "message": "High blood pressure: the therapist should check it and adapt the pressure.",
    },
    {
        "flag_kind": FlagKind.PREGNANCY,
        "effect": RuleEffect.WARN,
        "message": "Pregnancy: only positions and techniques that are safe in pregnancy.",
    },
    {
        "flag_kind": FlagKind.RECENT_SURGERY,
        "effect": RuleEffect.WARN,
        "message": "Recent surgery: confirm the surgeon has cleared the area for massage.",
    },
    {
        "flag_kind": FlagKind.SKIN_CONDITION,
        "effect": RuleEffect.WARN,
        "message": "Skin condition: avoid the affected skin.",
    },
]
