"""The patients app's schema, the default contraindication rules and, on PostgreSQL, the
append-only break-glass record and the patient search's trigram indexes.

Squashes the first 0001-0009 (squashed once before as 0001_squashed_0009_patient_search_trigram) and
the 0002-0005 that followed (the assigned therapist, the break-glass review, the folded search and
sort names, text limits). A database that has all of those applied takes this one as applied; a new
database runs only this one, so its tables start empty: the backfill of the folded names and the
check of texts over their limits have nothing to do here and are left out.
The first 0008's expression index patient_sort_idx, which the later 0004 removed again, is left
out too: in one migration an index is created only at its end, after the step that removes it. Self-contained: the rules are a copy of patients.rules as it stands
when this was written, so that module may change without changing this migration.

The role groups (formerly also synced by 0007 for the break-glass record) are created by
treatment_sessions' squashed migration, the first point at which the models of all three apps
exist.

Each constraint carries its violation_error_message, the sentence a form shows when a row breaks
it. That is Python-side only (no SQL changes), so it is written here rather than in a no-op
AlterConstraint migration: the migration state matches the models and the app keeps one migration.
"""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from clinic.migrations._frozen import text_length_constraints, text_max_lengths

# The messages follow the flag's own name ("High blood pressure: the therapist should…"), so they
# do not repeat it.
DEFAULT_RULES = [
    {"flag_kind": "fever_infection", "effect": "block", "message": "no massage until it has passed."},
    {
        "flag_kind": "oil_allergy",
        "oil_modalities_only": True,
        "effect": "warn",
        "message": "tell the therapist and use an oil the patient tolerates.",
    },
    {"flag_kind": "hypertension", "effect": "warn", "message": "the therapist should check it and adapt the pressure."},
    {"flag_kind": "pregnancy", "effect": "warn", "message": "only positions and techniques that are safe in pregnancy."},
    {"flag_kind": "recent_surgery", "effect": "warn", "message": "confirm the surgeon has cleared the area for massage."},
    {"flag_kind": "skin_condition", "effect": "warn", "message": "avoid the affected skin."},
]


def create_rules(apps, schema_editor):
    Rule = apps.get_model("patients", "ContraindicationRule")
    for values in DEFAULT_RULES:
        values = dict(values)
        message = values.pop("message")
        Rule.objects.get_or_create(modality=None, **values, defaults={"message": message})


BREAK_GLASS_TABLE = "patients_breakglassaccess"


def break_glass_append_only(apps, schema_editor):
    """On PostgreSQL the record of emergency accesses refuses UPDATE and DELETE, like the audit
    log (the function comes from clinic's squashed migration)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE TRIGGER {BREAK_GLASS_TABLE}_append_only BEFORE UPDATE OR DELETE ON {BREAK_GLASS_TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION clinic_audit_append_only()"
        )


def break_glass_append_only_undo(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {BREAK_GLASS_TABLE}_append_only ON {BREAK_GLASS_TABLE}")


# On PostgreSQL, trigram indexes for the patient search: every name word, an e-mail address and
# phone digits are matched anywhere in the value (LIKE '%...%'), which no B-tree can serve; a GIN
# trigram index can. SQLite has no such index and scans. The indexed expressions are the ones the
# search's queries contain: UPPER(column) for icontains, and the phone number with every
# separator removed (patients.selectors.PHONE_SEPARATORS, as of this migration).
# tests/test_query_plans.py checks that the plans use them.
PHONE_SEPARATORS = " +-()./"


def _phone_digits() -> str:
    expression = "phone::text"
    for separator in PHONE_SEPARATORS:
        expression = f"replace({expression}, '{separator}', '')"
    return expression


INDEXES = {
    "patient_first_name_trgm": "upper(first_name::text)",
    "patient_last_name_trgm": "upper(last_name::text)",
    "patient_email_trgm": "upper(email::text)",
    "patient_phone_digits_trgm": _phone_digits(),
}


def add_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # A trusted extension (like btree_gist): the database owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX {name} ON patients_patient USING gin (({expression}) gin_trgm_ops)")


def drop_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


# On PostgreSQL a GIN trigram index serves the search's LIKE '%word%' on the folded names (formerly
# 0004). The expression is the one the queries contain: search_name::text.
# tests/sessions/test_query_plans.py checks that the plan uses it.
def add_search_name_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX patient_search_name_trgm ON patients_patient USING gin ((search_name::text) gin_trgm_ops)"
        )


def drop_search_name_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS patient_search_name_trgm")


class Migration(migrations.Migration):

    replaces = [
        ("patients", "0001_initial"),
        ("patients", "0002_default_rules"),
        ("patients", "0003_tighten_constraints"),
        ("patients", "0004_icd10_anchors"),
        ("patients", "0005_calendar_token"),
        ("patients", "0006_breakglassaccess"),
        ("patients", "0007_roles_for_break_glass"),
        ("patients", "0008_patient_sort_index"),
        ("patients", "0009_patient_search_trigram"),
        ("patients", "0002_patient_assigned_therapist"),
        ("patients", "0003_break_glass_review"),
        ("patients", "0004_patient_search_name"),
        ("patients", "0005_text_limits"),
    ]

    initial = True

    dependencies = [
        ("clinic", "0001_squashed_0004_text_limits"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Patient',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('first_name', models.CharField(max_length=80)),
                ('last_name', models.CharField(max_length=80)),
                ('date_of_birth', models.DateField()),
                ('phone', models.CharField(blank=True, max_length=30)),
                ('email', models.EmailField(blank=True, max_length=254)),
                ('consent_on', models.DateField(blank=True, help_text='Day the patient consented to treatment and to the record.', null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('user', models.OneToOneField(blank=True, help_text="The patient's own login to the portal.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='patient', to=settings.AUTH_USER_MODEL)),
                ('calendar_token', models.CharField(blank=True, editable=False, max_length=64, null=True, unique=True)),
            ],
            options={
                'ordering': ['last_name', 'first_name'],
                'indexes': [
                    models.Index(fields=['last_name', 'first_name'], name='patient_name_idx'),
                    models.Index(fields=['date_of_birth'], name='patient_dob_idx'),
                    models.Index(fields=['phone'], name='patient_phone_idx'),
                ],
            },
        ),
        migrations.CreateModel(
            name='HealthFlag',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('oil_allergy', 'Allergy to an aromatic oil'), ('pregnancy', 'Pregnancy'), ('hypertension', 'High blood pressure'), ('skin_condition', 'Skin condition'), ('fever_infection', 'Fever or infection'), ('recent_surgery', 'Recent surgery'), ('other', 'Other')], max_length=20)),
                ('substance', models.CharField(blank=True, help_text='For an oil allergy: which oil.', max_length=80)),
                ('active_from', models.DateField(default=django.utils.timezone.localdate)),
                ('active_to', models.DateField(blank=True, help_text='Leave empty while it still applies.', null=True)),
                ('note', models.CharField(blank=True, max_length=300)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('patient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='health_flags', to='patients.patient')),
            ],
            options={
                'ordering': ['-active_from'],
                'constraints': [
                    models.CheckConstraint(condition=models.Q(('active_to__isnull', True), ('active_to__gte', models.F('active_from')), _connector='OR'), name='health_flag_ends_not_before_start', violation_error_message='A health flag cannot end before the day it starts.'),
                    models.CheckConstraint(condition=models.Q(models.Q(('kind', 'oil_allergy'), _negated=True), models.Q(('substance', ''), _negated=True), _connector='OR'), name='health_flag_oil_allergy_names_substance', violation_error_message='An oil allergy must name the oil.'),
                ],
            },
        ),
        migrations.CreateModel(
            name='Diagnosis',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('icd10_code', models.CharField(max_length=8, validators=[django.core.validators.RegexValidator('\\A[A-TV-Z][0-9]{2}(\\.[0-9A-Z]{1,4})?\\Z', 'Enter an ICD-10 code such as M54.3 or G57.0.')], verbose_name='ICD-10 code')),
                ('title', models.CharField(max_length=200)),
                ('cause', models.CharField(choices=[('disc_herniation', 'Disc herniation'), ('osteochondrosis', 'Osteochondrosis'), ('spinal_stenosis', 'Lumbar spinal stenosis'), ('piriformis', 'Piriformis syndrome'), ('spondylolisthesis', 'Spondylolisthesis'), ('injury', 'Injury or heavy lifting'), ('pregnancy', 'Pregnancy'), ('unknown', 'Not established')], default='unknown', max_length=30)),
                ('side', models.CharField(choices=[('left', 'Left'), ('right', 'Right'), ('both', 'Both sides'), ('n/a', 'Not applicable')], default='n/a', max_length=5)),
                ('diagnosed_on', models.DateField()),
                ('diagnosed_by', models.CharField(help_text='The doctor who made the diagnosis.', max_length=120)),
                ('active', models.BooleanField(default=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('patient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='diagnoses', to='patients.patient')),
            ],
            options={
                'verbose_name_plural': 'diagnoses',
                'ordering': ['-diagnosed_on'],
                'constraints': [
                    models.CheckConstraint(condition=models.Q(('icd10_code__regex', '\\A[A-TV-Z][0-9]{2}(\\.[0-9A-Z]{1,4})?\\Z')), name='diagnosis_icd10_code_format', violation_error_message='Write the ICD-10 code as a capital letter and two digits, with more after a dot if needed, for example M54.4.'),
                ],
            },
        ),
        migrations.CreateModel(
            name='PhaseRecord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('phase', models.CharField(choices=[('acute', 'Acute'), ('subacute', 'Subacute'), ('remission', 'Remission')], max_length=10)),
                ('effective_from', models.DateTimeField(default=django.utils.timezone.now)),
                ('recorded_at', models.DateTimeField(auto_now_add=True)),
                ('note', models.TextField(blank=True)),
                ('diagnosis', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='phase_records', to='patients.diagnosis')),
                ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='phase_records', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-effective_from', '-recorded_at'],
                'get_latest_by': ['effective_from', 'recorded_at'],
                'indexes': [
                    models.Index(fields=['diagnosis', '-effective_from'], name='phase_current_idx'),
                ],
            },
        ),
        migrations.CreateModel(
            name='Study',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('lab', 'Laboratory tests'), ('xray', 'X-ray'), ('mri', 'MRI'), ('ct', 'CT')], max_length=5)),
                ('performed_on', models.DateField()),
                ('findings', models.TextField()),
                ('diagnosis', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='studies', to='patients.diagnosis')),
            ],
            options={
                'verbose_name_plural': 'studies',
                'ordering': ['-performed_on'],
            },
        ),
        migrations.CreateModel(
            name='ContraindicationRule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('flag_kind', models.CharField(choices=[('oil_allergy', 'Allergy to an aromatic oil'), ('pregnancy', 'Pregnancy'), ('hypertension', 'High blood pressure'), ('skin_condition', 'Skin condition'), ('fever_infection', 'Fever or infection'), ('recent_surgery', 'Recent surgery'), ('other', 'Other')], max_length=20)),
                ('oil_modalities_only', models.BooleanField(default=False, help_text='Apply only to modalities that use massage oil.')),
                ('effect', models.CharField(choices=[('block', 'Block the booking'), ('warn', 'Warn, booking needs confirmation')], max_length=5)),
                ('message', models.CharField(help_text='What the receptionist reads.', max_length=300)),
                ('active', models.BooleanField(default=True)),
                ('modality', models.ForeignKey(blank=True, help_text='Leave empty to apply to every modality.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='contraindication_rules', to='clinic.modality')),
            ],
            options={
                'ordering': ['flag_kind', 'effect'],
                'constraints': [
                    models.UniqueConstraint(condition=models.Q(('modality__isnull', False)), fields=('flag_kind', 'modality', 'effect'), name='contraindication_rule_unique_per_modality', violation_error_message='There is already a rule for this health flag, this modality and this effect.'),
                    models.UniqueConstraint(condition=models.Q(('modality__isnull', True)), fields=('flag_kind', 'oil_modalities_only', 'effect'), name='contraindication_rule_unique_for_all', violation_error_message='There is already a rule for this health flag and this effect on the same modalities.'),
                ],
            },
        ),
        migrations.CreateModel(
            name="BreakGlassAccess",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("reason", models.TextField()),
                ("address", models.GenericIPAddressField(blank=True, null=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("expires_at", models.DateTimeField()),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="break_glass_accesses",
                        to="patients.patient",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "verbose_name": "break-glass access",
                "verbose_name_plural": "break-glass accesses",
                "ordering": ["-created_at"],
                "indexes": [models.Index(fields=["patient", "user", "-expires_at"], name="break_glass_active_idx")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("reason", ""), _negated=True), name="break_glass_has_reason", violation_error_message='Emergency access needs a reason.'
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("expires_at__gt", models.F("created_at"))),
                        name="break_glass_expires_after_start", violation_error_message='Emergency access must end after it starts.',
                    ),
                ],
            },
        ),
        migrations.RunPython(create_rules, migrations.RunPython.noop),
        migrations.RunPython(break_glass_append_only, break_glass_append_only_undo, elidable=False),
        migrations.RunPython(add_search_indexes, drop_search_indexes),
        migrations.AddField(
            model_name='diagnosis',
            name='recorded_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='patient',
            name='assigned_therapist',
            field=models.ForeignKey(blank=True, help_text='The therapist who takes this patient on; she may open the chart.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='assigned_patients', to='clinic.therapist'),
        ),
        migrations.CreateModel(
            name='BreakGlassReview',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reviewed_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('comment', models.TextField()),
                ('access', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='review', to='patients.breakglassaccess')),
                ('reviewed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'break-glass review',
                'ordering': ['-reviewed_at'],
                'constraints': [models.CheckConstraint(condition=models.Q(('comment', ''), _negated=True), name='break_glass_review_has_comment', violation_error_message='Say what was checked in a comment to mark an emergency access reviewed.')],
            },
        ),
        migrations.AlterModelOptions(
            name='patient',
            options={'ordering': ['sort_last_name', 'sort_first_name', 'id']},
        ),
        migrations.AddField(
            model_name='patient',
            name='search_name',
            field=models.TextField(default='', editable=False),
        ),
        migrations.AddField(
            model_name='patient',
            name='sort_first_name',
            field=models.CharField(default='', editable=False, max_length=200),
        ),
        migrations.AddField(
            model_name='patient',
            name='sort_last_name',
            field=models.CharField(default='', editable=False, max_length=200),
        ),
        migrations.RunPython(add_search_name_index, drop_search_name_index),
        migrations.AddIndex(
            model_name='patient',
            index=models.Index(fields=['sort_last_name', 'sort_first_name', 'id'], name='patient_sort_key_idx'),
        ),
        *text_max_lengths("breakglassaccess", {"reason": 1000}, blank=False),
        *text_max_lengths("phaserecord", {"note": 2000}),
        *text_max_lengths("study", {"findings": 4000}, blank=False),
        *text_length_constraints("breakglassaccess", "break_glass", {"reason": 1000}),
        *text_length_constraints("phaserecord", "phase_record", {"note": 2000}),
        *text_length_constraints("study", "study", {"findings": 4000}),
    ]
