"""The contraindication rules a new clinic starts with. The clinic edits them on the manager's
pages (or in the admin).

A message follows the flag's own name ("High blood pressure: the therapist should…"), or the
missing consent ("No consent for Massage signed: ask…"), so it does not repeat it."""

from patients.models import FlagKind, RuleCondition, RuleEffect

DEFAULT_RULES = [
    {
        "flag_kind": FlagKind.FEVER_INFECTION,
        "effect": RuleEffect.BLOCK,
        "message": "no massage until it has passed.",
    },
    {
        "flag_kind": FlagKind.OIL_ALLERGY,
        "oil_modalities_only": True,
        "effect": RuleEffect.WARN,
        "message": "tell the therapist and use an oil the patient tolerates.",
    },
    {
        "flag_kind": FlagKind.HYPERTENSION,
        "effect": RuleEffect.WARN,
        "message": "the therapist should check it and adapt the pressure.",
    },
    {
        "flag_kind": FlagKind.PREGNANCY,
        "effect": RuleEffect.WARN,
        "message": "only positions and techniques that are safe in pregnancy.",
    },
    {
        "flag_kind": FlagKind.RECENT_SURGERY,
        "effect": RuleEffect.WARN,
        "message": "confirm the surgeon has cleared the area for massage.",
    },
    {
        "flag_kind": FlagKind.SKIN_CONDITION,
        "effect": RuleEffect.WARN,
        "message": "avoid the affected skin.",
    },
    {
        "condition": RuleCondition.NO_CONSENT,
        "flag_kind": "",
        "effect": RuleEffect.WARN,
        "message": "ask the patient to sign it in the portal or on the reception tablet before the session.",
    },
]
