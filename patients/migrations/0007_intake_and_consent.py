"""Intake and consent (issue 17, parts 4 and 5): the intake questionnaire in versions, the
patient's answers and the health flags they propose, consent topics with their texts in versions
and the patient's signatures, the reception tablet's sessions; and the contraindication rules'
new condition, "no current consent". The default questions and texts are 0008's.

On PostgreSQL a trigger refuses UPDATE on consent versions, signatures and questionnaire
questions: what a patient answered or signed stays as it was, whoever writes to the database.
"""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Q

from clinic.migrations._frozen import check, later, link, model, moment, postgresql_only, text_length_constraints, unique

FROZEN_TABLES = ("patients_consentversion", "patients_consentsignature", "patients_intakequestion")
# An UPDATE that changes nothing passes (Django's serialized test rollback saves every row again
# as it was); any change to a value is refused.
FUNCTION = """
CREATE OR REPLACE FUNCTION patients_never_changes() RETURNS trigger AS $$
BEGIN
    IF NEW IS DISTINCT FROM OLD THEN
        RAISE EXCEPTION 'a row of % never changes once saved: % refused', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""
TRIGGERS = [
    FUNCTION,
    *(
        f"CREATE TRIGGER {table}_never_changes BEFORE UPDATE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION patients_never_changes()"
        for table in FROZEN_TABLES
    ),
]
TRIGGERS_UNDO = [
    *(f"DROP TRIGGER IF EXISTS {table}_never_changes ON {table}" for table in FROZEN_TABLES),
    "DROP FUNCTION IF EXISTS patients_never_changes()",
]
FLAG_KINDS = [
    ("oil_allergy", "Allergy to an aromatic oil"), ("pregnancy", "Pregnancy"), ("hypertension", "High blood pressure"),
    ("skin_condition", "Skin condition"), ("fever_infection", "Fever or infection"), ("recent_surgery", "Recent surgery"),
    ("other", "Other"),
]
VIA = [("portal", "Patient portal"), ("kiosk", "Reception tablet")]
USER = settings.AUTH_USER_MODEL
SHA256 = Q(("text_sha256__regex", "\\A[0-9a-f]{64}\\Z"))
SHA256_MESSAGE = "The text's fingerprint is a SHA-256 in hexadecimal."
CASCADE, RESTRICT = models.CASCADE, models.RESTRICT


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0005_locations"),
        ("patients", "0006_self_booking_and_channel"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # In the order they refer to each other: a model's links go to models created before it.
        model("IntakeVersion", [
            ("number", models.PositiveIntegerField(unique=True)),
            ("created_at", moment(now=True)),
            ("created_by", link(USER, optional=True)),
        ], ordering=["-number"]),
        model("IntakeQuestion", [
            ("version", link("patients.intakeversion", "questions", on_delete=CASCADE)),
            ("position", models.PositiveSmallIntegerField()),
            ("text", models.CharField(max_length=300)),
            ("proposes", models.CharField(blank=True, choices=FLAG_KINDS, help_text="The health flag a yes proposes.", max_length=20)),
            ("detail_label", models.CharField(blank=True, help_text="Asked with a yes, e.g. “Which oil?”.", max_length=120)),
        ], ordering=["version", "position"], constraints=[
            unique("intake_question_unique_position", "Two questions of a questionnaire cannot share a place.", ("version", "position")),
            check("intake_question_has_text", "A question needs text.", ~Q(text="")),
            check("intake_question_oil_asks_which", "A question about an oil allergy asks which oil.", ~Q(proposes="oil_allergy") | ~Q(detail_label="")),
        ]),
        model("KioskSession", [
            ("patient", link("patients.patient", "kiosk_sessions", on_delete=CASCADE)),
            ("token_hash", models.CharField(editable=False, max_length=64, unique=True)),
            ("started_by", link(USER)),
            ("started_at", moment(now=True)),
            ("expires_at", moment()),
            ("ended_at", moment(optional=True)),
        ], ordering=["-started_at"], constraints=[
            later("kiosk_session_expires_after_start", "A tablet session must end after it starts.", starts="started_at", ends="expires_at"),
        ]),
        model("IntakeResponse", [
            ("patient", link("patients.patient", "intake_responses", on_delete=CASCADE)),
            ("version", link("patients.intakeversion", "responses")),
            ("submitted_at", moment(now=True)),
            ("channel", models.CharField(choices=VIA, max_length=10)),
            ("submitted_by", link(USER, optional=True)),
            ("kiosk", link("patients.kiosksession", on_delete=RESTRICT, optional=True)),
        ], ordering=["-submitted_at", "-pk"]),
        model("IntakeAnswer", [
            ("response", link("patients.intakeresponse", "answers", on_delete=CASCADE)),
            ("question", link("patients.intakequestion")),
            ("answer", models.BooleanField()),
            ("detail", models.CharField(blank=True, max_length=200)),
        ], ordering=["response", "question__position"], constraints=[
            unique("intake_answer_one_per_question", "A question is answered once in an answer set.", ("response", "question")),
        ]),
        model("FlagProposal", [
            ("response", link("patients.intakeresponse", "proposals", on_delete=CASCADE)),
            ("answer", link("patients.intakeanswer", "proposal", on_delete=CASCADE, one=True)),
            ("patient", link("patients.patient", "flag_proposals", on_delete=CASCADE)),
            ("kind", models.CharField(choices=FLAG_KINDS, max_length=20)),
            ("substance", models.CharField(blank=True, max_length=80)),
            ("detail", models.CharField(blank=True, max_length=200)),
            ("status", models.CharField(choices=[("pending", "To confirm"), ("confirmed", "Confirmed"), ("dismissed", "Dismissed")], default="pending", max_length=10)),
            ("decided_by", link(USER, optional=True)),
            ("decided_at", moment(optional=True)),
            ("decision_note", models.CharField(blank=True, max_length=300)),
            ("health_flag", link("patients.healthflag", "proposal", on_delete=RESTRICT, optional=True, one=True)),
        ], ordering=["-response__submitted_at", "pk"], indexes=[
            models.Index(fields=["patient", "status"], name="flag_proposal_patient_idx"),
        ], constraints=[
            check(
                "flag_proposal_decided_by_someone",
                "A decided proposal names who decided and when; a pending one neither.",
                Q(status="pending", decided_by__isnull=True, decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_by__isnull=False, decided_at__isnull=False)),
            ),
            check(
                "flag_proposal_confirmed_has_flag",
                "A confirmed proposal points at the health flag it recorded.",
                Q(status="confirmed", health_flag__isnull=False) | (~Q(status="confirmed") & Q(health_flag__isnull=True)),
            ),
        ]),
        model("ConsentTopic", [
            ("name", models.CharField(max_length=80, unique=True)),
            ("modalities", models.ManyToManyField(blank=True, related_name="consent_topics", to="clinic.modality")),
            ("oil_modalities", models.BooleanField(default=False, help_text="Also every modality that uses massage oil.")),
            ("active", models.BooleanField(default=True, help_text="Asked of patients, and checked when booking.")),
        ], ordering=["name"]),
        model("ConsentVersion", [
            ("topic", link("patients.consenttopic", "versions")),
            ("number", models.PositiveIntegerField()),
            ("text", models.TextField(max_length=20000)),
            ("text_sha256", models.CharField(editable=False, max_length=64)),
            ("created_at", moment(now=True)),
            ("created_by", link(USER, optional=True)),
        ], ordering=["topic", "-number"], constraints=[
            unique("consent_version_unique_number", "This consent already has a version with this number.", ("topic", "number")),
            check("consent_version_has_text", "A consent needs text.", ~Q(text="")),
            check("consent_version_sha256_format", SHA256_MESSAGE, SHA256),
        ]),
        *text_length_constraints("consentversion", "consent_version", {"text": 20000}),
        model("ConsentSignature", [
            ("patient", link("patients.patient", "consent_signatures", on_delete=CASCADE)),
            ("version", link("patients.consentversion", "signatures")),
            ("typed_name", models.CharField(max_length=200)),
            ("agreed", models.BooleanField(default=False)),
            ("signed_at", moment(now=True)),
            ("text_sha256", models.CharField(max_length=64)),
            ("channel", models.CharField(choices=VIA, max_length=10)),
            ("signed_by", link(USER, optional=True)),
            ("kiosk", link("patients.kiosksession", on_delete=RESTRICT, optional=True)),
        ], ordering=["-signed_at", "-pk"], constraints=[
            unique("consent_signature_once_per_version", "The patient has already signed this version of the consent.", ("patient", "version")),
            check("consent_signature_agreed", "A consent is signed only with the box ticked.", Q(agreed=True)),
            check("consent_signature_has_name", "A consent is signed with the full name typed.", ~Q(typed_name="")),
            check("consent_signature_sha256_format", SHA256_MESSAGE, SHA256),
        ]),
        # The contraindication rules' new condition: no current consent for the modality.
        migrations.AlterModelOptions(name="contraindicationrule", options={"ordering": ["condition", "flag_kind", "effect"]}),
        migrations.AddField(
            model_name="contraindicationrule",
            name="condition",
            field=models.CharField(
                choices=[("health_flag", "An active health flag"), ("no_consent", "No current consent")],
                default="health_flag",
                help_text="An active health flag of the kind below, or no current consent for the modality.",
                max_length=12,
            ),
        ),
        migrations.AlterField(
            model_name="contraindicationrule",
            name="flag_kind",
            field=models.CharField(blank=True, choices=FLAG_KINDS, help_text="Empty for a rule about consent.", max_length=20),
        ),
        migrations.AddConstraint(
            model_name="contraindicationrule",
            constraint=check(
                "contraindication_rule_condition_fits",
                "A rule about a health flag names the flag; a rule about consent names none.",
                Q(Q(condition="health_flag") & ~Q(flag_kind="")) | Q(condition="no_consent", flag_kind=""),
            ),
        ),
        postgresql_only(TRIGGERS, TRIGGERS_UNDO),
    ]
