"""The intake questionnaire and consent texts a clinic starts with, and the default rule that warns
when a booking's modality lacks the patient's current consent. Written in the clinic's own words;
the manager edits them (/manager/intake/, /manager/consents/), each edit a new version.

Inlined, as migrations import nothing from the apps: patients.consent hashes a text the same way
(SHA-256 of its UTF-8 bytes)."""

import hashlib

from django.db import migrations
from django.utils import timezone

QUESTIONS = [
    # (text, flag a yes proposes, what a yes asks for)
    ("Are you allergic or sensitive to any massage oil, cream or essential oil?", "oil_allergy", "Which oil or cream?"),
    ("Are you pregnant, or could you be?", "pregnancy", ""),
    ("Have you been told that your blood pressure is high?", "hypertension", ""),
    (
        "Do you have a rash, a wound, broken skin or another skin condition on your back, buttocks or legs?",
        "skin_condition",
        "Where, and what is it?",
    ),
    ("Do you have a fever or an infection now, or have you had one in the past week?", "fever_infection", ""),
    ("Have you had an operation in the past six months?", "recent_surgery", "Which operation, and when?"),
    ("Do you take medicine that thins the blood?", "other", "Which medicine?"),
]

MASSAGE_MODALITIES = [
    "Therapeutic massage",
    "Deep tissue massage",
    "Swedish massage",
    "Nerve massage",
    "Myofascial release",
    "Hot stone massage",
    "Acupressure",
]
CUPPING_MODALITIES = ["Vacuum (cupping) massage"]

MASSAGE_TEXT = """\
Consent to massage and other hands-on treatment

Your therapist will treat you with their hands (and, in some treatments, elbows, forearms or warm \
stones), mostly on your back, buttocks and legs. For this you undress as far as the treatment \
needs; the parts not being treated stay covered with a towel.

What to expect: firm pressure can be uncomfortable for a moment, and some soreness on the next \
day is common. Rarely, bruising or a short rise in pain can follow. Tell your therapist at once \
if anything hurts more than you expected, or if you want the pressure lighter or the session to \
stop: you can stop at any time, without giving a reason.

Before each session, tell your therapist about anything new in your health: a fever or an \
infection, a new injury or operation, a pregnancy, new medicine, or changes in your skin. Your \
therapist may decide not to treat you on that day.

Massage here treats back pain and sciatica as part of the course your therapist prescribed; it \
does not replace the care of your doctor.

By signing I confirm that I have read this, that I could ask questions, and that I agree to be \
treated in this way. I can withdraw this consent at any time by telling the clinic."""

CUPPING_TEXT = """\
Consent to cupping (vacuum massage)

In cupping, your therapist places cups on oiled skin near the painful area. A little air is \
drawn out of each cup so that it holds the skin and the tissue beneath; the cups stay in place \
or are moved slowly. A session takes about 20 minutes, on several days in a row.

What to expect: the skin under the cups turns red, and round marks or bruises are common. They \
can last from a few days to two weeks and fade by themselves. Rarely, the skin can blister. \
Tell your therapist at once if a cup hurts or burns: it will be loosened or removed.

Cupping is not used on broken or inflamed skin, on varicose veins, during a fever, or if you \
take medicine that thins the blood unless your doctor agrees. Tell your therapist if any of \
these applies to you.

By signing I confirm that I have read this, that I could ask questions, and that I agree to \
cupping. I can withdraw this consent at any time by telling the clinic."""

OILS_TEXT = """\
Consent to the use of massage oils and creams

Many treatments here use a massage oil or cream on your skin, so that the hands or cups glide. \
We use plain vegetable oils; some therapists add essential oils (such as lavender) only if you \
agree on the day.

Oils and creams can irritate the skin or, rarely, cause an allergic reaction. Tell us before \
your first session about any allergy or sensitivity you know of (for example to nuts, to a \
particular oil, or to perfumes), and tell your therapist at once if your skin itches, burns or \
turns red during or after a session. We then use another product or none.

Oil can stain clothing; we wipe off what we can after the session.

By signing I confirm that I have read this, that I have told the clinic about any allergy I know \
of, and that I agree to the use of massage oils and creams. I can withdraw this consent at any \
time by telling the clinic."""

TOPICS = [
    # (name, modality names, every oil-using modality, text)
    ("Massage", MASSAGE_MODALITIES, False, MASSAGE_TEXT),
    ("Cupping", CUPPING_MODALITIES, False, CUPPING_TEXT),
    ("Use of oils", [], True, OILS_TEXT),
]

CONSENT_RULE = {
    "condition": "no_consent",
    "flag_kind": "",
    "modality": None,
    "oil_modalities_only": False,
    "effect": "warn",
}
CONSENT_RULE_MESSAGE = "ask the patient to sign it in the portal or on the reception tablet before the session."


def defaults_create(apps, schema_editor):
    IntakeVersion = apps.get_model("patients", "IntakeVersion")
    IntakeQuestion = apps.get_model("patients", "IntakeQuestion")
    ConsentTopic = apps.get_model("patients", "ConsentTopic")
    ConsentVersion = apps.get_model("patients", "ConsentVersion")
    Modality = apps.get_model("clinic", "Modality")
    Rule = apps.get_model("patients", "ContraindicationRule")
    if not IntakeVersion.objects.exists():
        version = IntakeVersion.objects.create(number=1)
        for position, (text, proposes, detail_label) in enumerate(QUESTIONS, 1):
            IntakeQuestion.objects.create(
                version=version, position=position, text=text, proposes=proposes, detail_label=detail_label
            )
    for name, modality_names, oil, text in TOPICS:
        topic, created = ConsentTopic.objects.get_or_create(name=name, defaults={"oil_modalities": oil})
        if not created:
            continue
        topic.modalities.set(Modality.objects.filter(name__in=modality_names))
        ConsentVersion.objects.create(
            topic=topic,
            number=1,
            text=text,
            text_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            # Whole seconds: a copy of the row (Django's serialized test rollback keeps milliseconds)
            # then equals it, which the PostgreSQL trigger of 0006 requires of an UPDATE.
            created_at=timezone.now().replace(microsecond=0),
        )
    Rule.objects.get_or_create(**CONSENT_RULE, defaults={"message": CONSENT_RULE_MESSAGE})


def consent_rules_delete(apps, schema_editor):
    """Backwards: the rules about consent go, since 0007's reverse takes away their `condition` and
    would leave them as health-flag rules with no flag. The other rows live in 0007's own tables."""
    apps.get_model("patients", "ContraindicationRule").objects.filter(condition="no_consent").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0007_intake_and_consent"),
        ("clinic", "0005_locations"),
    ]

    operations = [migrations.RunPython(defaults_create, consent_rules_delete)]
