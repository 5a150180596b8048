"""Intake and consent (issue 17, parts 4 and 5): the intake questionnaire in versions, the
patient's answers and the health flags they propose, consent topics with their texts in versions
and the patient's signatures, the reception tablet's sessions; and the contraindication rules'
new condition, "no current consent". The default questions and texts are 0007's.

On PostgreSQL a trigger refuses UPDATE on consent versions, signatures and questionnaire
questions: what a patient answered or signed stays as it was, whoever writes to the database.
"""

import django.db.models.deletion
import django.db.models.functions.text
import django.db.models.lookups
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

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


def frozen_rows(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in FROZEN_TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_never_changes BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION patients_never_changes()"
        )


def frozen_rows_undo(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in FROZEN_TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_never_changes ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS patients_never_changes()")



class Migration(migrations.Migration):

    dependencies = [
        ('clinic', '0005_locations'),
        ('patients', '0006_self_booking_and_channel'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ConsentSignature',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('typed_name', models.CharField(max_length=200)),
                ('agreed', models.BooleanField(default=False)),
                ('signed_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('text_sha256', models.CharField(max_length=64)),
                ('channel', models.CharField(choices=[('portal', 'Patient portal'), ('kiosk', 'Reception tablet')], max_length=10)),
            ],
            options={
                'ordering': ['-signed_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='ConsentTopic',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=80, unique=True)),
                ('oil_modalities', models.BooleanField(default=False, help_text='Also every modality that uses massage oil.')),
                ('active', models.BooleanField(default=True, help_text='Asked of patients, and checked when booking.')),
            ],
            options={
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='ConsentVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField()),
                ('text', models.TextField(max_length=20000)),
                ('text_sha256', models.CharField(editable=False, max_length=64)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                'ordering': ['topic', '-number'],
            },
        ),
        migrations.CreateModel(
            name='FlagProposal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('oil_allergy', 'Allergy to an aromatic oil'), ('pregnancy', 'Pregnancy'), ('hypertension', 'High blood pressure'), ('skin_condition', 'Skin condition'), ('fever_infection', 'Fever or infection'), ('recent_surgery', 'Recent surgery'), ('other', 'Other')], max_length=20)),
                ('substance', models.CharField(blank=True, max_length=80)),
                ('detail', models.CharField(blank=True, max_length=200)),
                ('status', models.CharField(choices=[('pending', 'To confirm'), ('confirmed', 'Confirmed'), ('dismissed', 'Dismissed')], default='pending', max_length=10)),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('decision_note', models.CharField(blank=True, max_length=300)),
            ],
            options={
                'ordering': ['-response__submitted_at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='IntakeAnswer',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('answer', models.BooleanField()),
                ('detail', models.CharField(blank=True, max_length=200)),
            ],
            options={
                'ordering': ['response', 'question__position'],
            },
        ),
        migrations.CreateModel(
            name='IntakeQuestion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveSmallIntegerField()),
                ('text', models.CharField(max_length=300)),
                ('proposes', models.CharField(blank=True, choices=[('oil_allergy', 'Allergy to an aromatic oil'), ('pregnancy', 'Pregnancy'), ('hypertension', 'High blood pressure'), ('skin_condition', 'Skin condition'), ('fever_infection', 'Fever or infection'), ('recent_surgery', 'Recent surgery'), ('other', 'Other')], help_text='The health flag a yes proposes.', max_length=20)),
                ('detail_label', models.CharField(blank=True, help_text='Asked with a yes, e.g. “Which oil?”.', max_length=120)),
            ],
            options={
                'ordering': ['version', 'position'],
            },
        ),
        migrations.CreateModel(
            name='IntakeResponse',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('submitted_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('channel', models.CharField(choices=[('portal', 'Patient portal'), ('kiosk', 'Reception tablet')], max_length=10)),
            ],
            options={
                'ordering': ['-submitted_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='IntakeVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField(unique=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                'ordering': ['-number'],
            },
        ),
        migrations.CreateModel(
            name='KioskSession',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('token_hash', models.CharField(editable=False, max_length=64, unique=True)),
                ('started_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('expires_at', models.DateTimeField()),
                ('ended_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'ordering': ['-started_at'],
            },
        ),
        migrations.AlterModelOptions(
            name='contraindicationrule',
            options={'ordering': ['condition', 'flag_kind', 'effect']},
        ),
        migrations.AddField(
            model_name='contraindicationrule',
            name='condition',
            field=models.CharField(choices=[('health_flag', 'An active health flag'), ('no_consent', 'No current consent')], default='health_flag', help_text='An active health flag of the kind below, or no current consent for the modality.', max_length=12),
        ),
        migrations.AlterField(
            model_name='contraindicationrule',
            name='flag_kind',
            field=models.CharField(blank=True, choices=[('oil_allergy', 'Allergy to an aromatic oil'), ('pregnancy', 'Pregnancy'), ('hypertension', 'High blood pressure'), ('skin_condition', 'Skin condition'), ('fever_infection', 'Fever or infection'), ('recent_surgery', 'Recent surgery'), ('other', 'Other')], help_text='Empty for a rule about consent.', max_length=20),
        ),
        migrations.AddConstraint(
            model_name='contraindicationrule',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('condition', 'health_flag'), models.Q(('flag_kind', ''), _negated=True)), models.Q(('condition', 'no_consent'), ('flag_kind', '')), _connector='OR'), name='contraindication_rule_condition_fits', violation_error_message='A rule about a health flag names the flag; a rule about consent names none.'),
        ),
        migrations.AddField(
            model_name='consentsignature',
            name='patient',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='consent_signatures', to='patients.patient'),
        ),
        migrations.AddField(
            model_name='consentsignature',
            name='signed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='consenttopic',
            name='modalities',
            field=models.ManyToManyField(blank=True, related_name='consent_topics', to='clinic.modality'),
        ),
        migrations.AddField(
            model_name='consentversion',
            name='created_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='consentversion',
            name='topic',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='versions', to='patients.consenttopic'),
        ),
        migrations.AddField(
            model_name='consentsignature',
            name='version',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='signatures', to='patients.consentversion'),
        ),
        migrations.AddField(
            model_name='flagproposal',
            name='decided_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='flagproposal',
            name='health_flag',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.RESTRICT, related_name='proposal', to='patients.healthflag'),
        ),
        migrations.AddField(
            model_name='flagproposal',
            name='patient',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='flag_proposals', to='patients.patient'),
        ),
        migrations.AddField(
            model_name='flagproposal',
            name='answer',
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='proposal', to='patients.intakeanswer'),
        ),
        migrations.AddField(
            model_name='intakeanswer',
            name='question',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='patients.intakequestion'),
        ),
        migrations.AddField(
            model_name='intakeresponse',
            name='patient',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='intake_responses', to='patients.patient'),
        ),
        migrations.AddField(
            model_name='intakeresponse',
            name='submitted_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='intakeanswer',
            name='response',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='answers', to='patients.intakeresponse'),
        ),
        migrations.AddField(
            model_name='flagproposal',
            name='response',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='proposals', to='patients.intakeresponse'),
        ),
        migrations.AddField(
            model_name='intakeversion',
            name='created_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='intakeresponse',
            name='version',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='responses', to='patients.intakeversion'),
        ),
        migrations.AddField(
            model_name='intakequestion',
            name='version',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='questions', to='patients.intakeversion'),
        ),
        migrations.AddField(
            model_name='kiosksession',
            name='patient',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='kiosk_sessions', to='patients.patient'),
        ),
        migrations.AddField(
            model_name='kiosksession',
            name='started_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='intakeresponse',
            name='kiosk',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.RESTRICT, related_name='+', to='patients.kiosksession'),
        ),
        migrations.AddField(
            model_name='consentsignature',
            name='kiosk',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.RESTRICT, related_name='+', to='patients.kiosksession'),
        ),
        migrations.AddConstraint(
            model_name='consentversion',
            constraint=models.UniqueConstraint(fields=('topic', 'number'), name='consent_version_unique_number', violation_error_message='This consent already has a version with this number.'),
        ),
        migrations.AddConstraint(
            model_name='consentversion',
            constraint=models.CheckConstraint(condition=models.Q(('text', ''), _negated=True), name='consent_version_has_text', violation_error_message='A consent needs text.'),
        ),
        migrations.AddConstraint(
            model_name='consentversion',
            constraint=models.CheckConstraint(condition=models.Q(('text_sha256__regex', '\\A[0-9a-f]{64}\\Z')), name='consent_version_sha256_format', violation_error_message="The text's fingerprint is a SHA-256 in hexadecimal."),
        ),
        migrations.AddConstraint(
            model_name='consentversion',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('text'), 20000), name='consent_version_text_length', violation_error_message='The text takes up to 20,000 characters.'),
        ),
        migrations.AddConstraint(
            model_name='intakeanswer',
            constraint=models.UniqueConstraint(fields=('response', 'question'), name='intake_answer_one_per_question', violation_error_message='A question is answered once in an answer set.'),
        ),
        migrations.AddIndex(
            model_name='flagproposal',
            index=models.Index(fields=['patient', 'status'], name='flag_proposal_patient_idx'),
        ),
        migrations.AddConstraint(
            model_name='flagproposal',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('decided_at__isnull', True), ('decided_by__isnull', True), ('status', 'pending')), models.Q(models.Q(('status', 'pending'), _negated=True), ('decided_at__isnull', False), ('decided_by__isnull', False)), _connector='OR'), name='flag_proposal_decided_by_someone', violation_error_message='A decided proposal names who decided and when; a pending one neither.'),
        ),
        migrations.AddConstraint(
            model_name='flagproposal',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('health_flag__isnull', False), ('status', 'confirmed')), models.Q(models.Q(('status', 'confirmed'), _negated=True), ('health_flag__isnull', True)), _connector='OR'), name='flag_proposal_confirmed_has_flag', violation_error_message='A confirmed proposal points at the health flag it recorded.'),
        ),
        migrations.AddConstraint(
            model_name='intakequestion',
            constraint=models.UniqueConstraint(fields=('version', 'position'), name='intake_question_unique_position', violation_error_message='Two questions of a questionnaire cannot share a place.'),
        ),
        migrations.AddConstraint(
            model_name='intakequestion',
            constraint=models.CheckConstraint(condition=models.Q(('text', ''), _negated=True), name='intake_question_has_text', violation_error_message='A question needs text.'),
        ),
        migrations.AddConstraint(
            model_name='intakequestion',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('proposes', 'oil_allergy'), _negated=True), models.Q(('detail_label', ''), _negated=True), _connector='OR'), name='intake_question_oil_asks_which', violation_error_message='A question about an oil allergy asks which oil.'),
        ),
        migrations.AddConstraint(
            model_name='kiosksession',
            constraint=models.CheckConstraint(condition=models.Q(('expires_at__gt', models.F('started_at'))), name='kiosk_session_expires_after_start', violation_error_message='A tablet session must end after it starts.'),
        ),
        migrations.AddConstraint(
            model_name='consentsignature',
            constraint=models.UniqueConstraint(fields=('patient', 'version'), name='consent_signature_once_per_version', violation_error_message='The patient has already signed this version of the consent.'),
        ),
        migrations.AddConstraint(
            model_name='consentsignature',
            constraint=models.CheckConstraint(condition=models.Q(('agreed', True)), name='consent_signature_agreed', violation_error_message='A consent is signed only with the box ticked.'),
        ),
        migrations.AddConstraint(
            model_name='consentsignature',
            constraint=models.CheckConstraint(condition=models.Q(('typed_name', ''), _negated=True), name='consent_signature_has_name', violation_error_message='A consent is signed with the full name typed.'),
        ),
        migrations.AddConstraint(
            model_name='consentsignature',
            constraint=models.CheckConstraint(condition=models.Q(('text_sha256__regex', '\\A[0-9a-f]{64}\\Z')), name='consent_signature_sha256_format', violation_error_message="The text's fingerprint is a SHA-256 in hexadecimal."),
        ),
        migrations.RunPython(frozen_rows, frozen_rows_undo, elidable=False),
    ]
