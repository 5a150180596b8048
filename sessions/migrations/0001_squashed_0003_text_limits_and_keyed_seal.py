"""The treatment_sessions app's schema, on PostgreSQL the exclusion constraints against
overlapping appointments, and the four role groups of the whole clinic.

Squashes the first 0001-0005 (squashed once before as 0001_squashed_0005_sessionnote_content_hash) and
the 0002-0003 that followed (outcome scores; text limits and room for the keyed note seal). A database
that has all of those applied takes this one as applied; a new database runs only this one, so its
tables start empty: the first 0005's backfill of the content hash of notes signed before hashing
existed, and the check of texts over their limits, have nothing to do here and are left out.

The role groups and their permissions (formerly clinic 0002 and patients 0007) are created here
because this is the first point at which the models of all three apps exist. Self-contained: the
role table and its sync are copies of clinic.roles as it stands when this was written, so that
module may change without changing this migration.

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

# On PostgreSQL, the database itself refuses overlapping non-cancelled appointments of one
# therapist, one room or one patient, so two concurrent bookings cannot both win. SQLite has no
# exclusion constraints; there IMMEDIATE transactions serialise the bookings instead.
RESOURCES = ["therapist", "room", "patient"]


def add_overlap_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    for resource in RESOURCES:
        schema_editor.execute(
            f"ALTER TABLE treatment_sessions_appointment ADD CONSTRAINT appointment_no_{resource}_overlap "
            f"EXCLUDE USING gist ({resource}_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
            "WHERE (status <> 'cancelled')"
        )


def drop_overlap_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for resource in RESOURCES:
        schema_editor.execute(
            f"ALTER TABLE treatment_sessions_appointment DROP CONSTRAINT IF EXISTS appointment_no_{resource}_overlap"
        )


# The role groups (docs/ARCHITECTURE.md, "Who may do what").
_CLINIC_READ = [
    "clinic.view_modality",
    "clinic.view_therapist",
    "clinic.view_room",
    "clinic.view_workinghours",
    "clinic.view_closure",
]
_BOOKING = [
    "treatment_sessions.add_appointment",
    "treatment_sessions.change_appointment",
    "treatment_sessions.view_appointment",
]

# Group name -> permission patterns: "app.codename", "app.*" (every permission of the app) or
# "app.*_model" (every permission on one model).
ROLE_PERMISSIONS = {
    "Receptionist": _CLINIC_READ
    + _BOOKING
    + [
        "patients.add_patient",
        "patients.change_patient",
        "patients.view_patient",
        "treatment_sessions.view_course",
    ],
    "Therapist": _CLINIC_READ
    + _BOOKING
    + [
        "patients.view_patient",
        "patients.add_diagnosis",
        "patients.change_diagnosis",
        "patients.view_diagnosis",
        "patients.add_study",
        "patients.change_study",
        "patients.view_study",
        "patients.add_phaserecord",
        "patients.view_phaserecord",
        "patients.add_healthflag",
        "patients.change_healthflag",
        "patients.view_healthflag",
        "patients.view_contraindicationrule",
        "treatment_sessions.add_course",
        "treatment_sessions.change_course",
        "treatment_sessions.view_course",
        "treatment_sessions.add_sessionnote",
        "treatment_sessions.change_sessionnote",
        "treatment_sessions.view_sessionnote",
        "treatment_sessions.add_addendum",
        "treatment_sessions.view_addendum",
    ],
    # The portal checks ownership itself; a patient holds no model permission.
    "Patient": [],
    # Everything except writing clinical notes, which only their author may do.
    "Manager": [
        "clinic.*",
        "patients.*",
        "treatment_sessions.*_course",
        "treatment_sessions.*_appointment",
        "treatment_sessions.view_sessionnote",
        "treatment_sessions.view_addendum",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
    ],
}


def _matches(permission, patterns):
    app_label, codename = permission.content_type.app_label, permission.codename
    model = codename.partition("_")[2]
    for pattern in patterns:
        pattern_app, _, pattern_code = pattern.partition(".")
        if pattern_app != app_label:
            continue
        if pattern_code in ("*", codename):
            return True
        if pattern_code.startswith("*_") and model == pattern_code[2:]:
            return True
    return False


def create_roles(apps, schema_editor):
    """Create the groups and give each exactly its permissions (clinic.roles.roles_sync)."""
    from django.contrib.auth.management import create_permissions

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    # Permissions are normally created after migrate; make sure they exist on a fresh database.
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = True  # create_permissions skips configs without one
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = models_module

    all_permissions = list(Permission.objects.select_related("content_type"))
    for role, patterns in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set([p for p in all_permissions if _matches(p, patterns)])


# The texts' limits (formerly 0003).
NOTE_LIMITS = {"subjective": 4000, "objective": 4000, "assessment": 4000, "plan": 4000, "patient_summary": 2000}
COURSE_LIMITS = {"goals": 2000, "home_programme": 2000, "discharge_summary": 2000}


class Migration(migrations.Migration):

    replaces = [
        ("treatment_sessions", "0001_initial"),
        ("treatment_sessions", "0002_no_overlaps_on_postgresql"),
        ("treatment_sessions", "0003_tighten_constraints"),
        ("treatment_sessions", "0004_reminder_sent_at"),
        ("treatment_sessions", "0005_sessionnote_content_hash"),
        ("treatment_sessions", "0002_outcome_scores"),
        ("treatment_sessions", "0003_text_limits_and_keyed_seal"),
    ]

    initial = True

    dependencies = [
        ("clinic", "0001_squashed_0004_text_limits"),
        ("patients", "0001_squashed_0005_text_limits"),
        ("outcomes", "0001_outcome_measures"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name='Course',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('min_sessions', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(60)])),
                ('max_sessions', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(60)])),
                ('session_minutes', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(5), django.core.validators.MaxValueValidator(240)])),
                ('cadence', models.CharField(choices=[('consecutive_days', 'Consecutive days'), ('per_week', 'A number of sessions per week'), ('free', 'Free (as agreed)')], max_length=20)),
                ('sessions_per_week', models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(7)])),
                ('starts_on', models.DateField()),
                ('status', models.CharField(choices=[('planned', 'Planned'), ('active', 'Active'), ('suspended', 'Suspended'), ('completed', 'Completed'), ('cancelled', 'Cancelled')], default='active', max_length=10)),
                ('goals', models.TextField(blank=True)),
                ('home_programme', models.TextField(blank=True, help_text='Exercises between sessions; only once the condition is in remission.')),
                ('discharge_summary', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('diagnosis', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='courses', to='patients.diagnosis')),
                ('modality', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='courses', to='clinic.modality')),
                ('patient', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='courses', to='patients.patient')),
                ('prescribed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-starts_on'],
                'indexes': [
                    models.Index(fields=['patient', 'status'], name='course_patient_status_idx'),
                ],
                'constraints': [
                    models.CheckConstraint(condition=models.Q(('min_sessions__gte', 1)), name='course_min_sessions_at_least_one', violation_error_message='A course has at least one session.'),
                    models.CheckConstraint(condition=models.Q(('min_sessions__lte', models.F('max_sessions'))), name='course_min_not_above_max', violation_error_message="A course's minimum number of sessions cannot be more than its maximum."),
                    models.CheckConstraint(condition=models.Q(('session_minutes__gte', 5)), name='course_session_minutes_positive', violation_error_message='A session lasts at least 5 minutes.'),
                    models.CheckConstraint(condition=models.Q(models.Q(('cadence', 'per_week'), ('sessions_per_week__gte', 1), ('sessions_per_week__isnull', False), ('sessions_per_week__lte', 7)), models.Q(models.Q(('cadence', 'per_week'), _negated=True), ('sessions_per_week__isnull', True)), _connector='OR'), name='course_sessions_per_week_with_cadence', violation_error_message='Give the sessions per week, from 1 to 7, with the cadence “A number of sessions per week”, and leave them empty with any other cadence.'),
                ],
            },
        ),
        migrations.CreateModel(
            name='Appointment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('starts_at', models.DateTimeField()),
                ('ends_at', models.DateTimeField()),
                ('status', models.CharField(choices=[('booked', 'Booked'), ('checked_in', 'Checked in'), ('completed', 'Completed'), ('cancelled', 'Cancelled'), ('no_show', 'No-show')], default='booked', max_length=12)),
                ('needs_review', models.BooleanField(default=False)),
                ('review_reason', models.CharField(blank=True, max_length=300)),
                ('cancellation_reason', models.CharField(blank=True, max_length=300)),
                ('cancelled_at', models.DateTimeField(blank=True, null=True)),
                ('checked_in_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('booked_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('modality', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='appointments', to='clinic.modality')),
                ('patient', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='appointments', to='patients.patient')),
                ('room', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='appointments', to='clinic.room')),
                ('therapist', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='appointments', to='clinic.therapist')),
                ('course', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='appointments', to='treatment_sessions.course')),
                ('reminder_sent_at', models.DateTimeField(blank=True, editable=False, null=True)),
            ],
            options={
                'ordering': ['starts_at'],
                'indexes': [
                    models.Index(fields=['therapist', 'starts_at'], name='appointment_therapist_day_idx'),
                    models.Index(fields=['room', 'starts_at'], name='appointment_room_day_idx'),
                    models.Index(fields=['patient', 'starts_at'], name='appointment_patient_idx'),
                    models.Index(fields=['starts_at'], name='appointment_starts_idx'),
                    models.Index(fields=['course', 'status'], name='appointment_course_status_idx'),
                    models.Index(condition=models.Q(('needs_review', True)), fields=['starts_at'], name='appointment_needs_review_idx'),
                ],
                'constraints': [
                    models.CheckConstraint(condition=models.Q(('ends_at__gt', models.F('starts_at'))), name='appointment_ends_after_start', violation_error_message='A session must end after it starts.'),
                    models.CheckConstraint(condition=models.Q(models.Q(('status', 'cancelled'), _negated=True), models.Q(('cancellation_reason', ''), _negated=True), _connector='OR'), name='appointment_cancellation_has_reason', violation_error_message='A cancelled session needs the reason it was cancelled.'),
                    models.CheckConstraint(condition=models.Q(('needs_review', False), models.Q(('review_reason', ''), _negated=True), _connector='OR'), name='appointment_review_has_reason', violation_error_message='A session flagged for review needs the reason.'),
                ],
            },
        ),
        migrations.CreateModel(
            name='SessionNote',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('pain_before', models.PositiveSmallIntegerField(blank=True, help_text='0 = no pain, 10 = worst imaginable.', null=True, validators=[django.core.validators.MaxValueValidator(10)])),
                ('pain_after', models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(10)])),
                ('areas_treated', models.JSONField(blank=True, default=list)),
                ('techniques', models.CharField(blank=True, max_length=300)),
                ('oils_used', models.CharField(blank=True, max_length=200)),
                ('minutes', models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(240)])),
                ('stopped_early', models.BooleanField(default=False)),
                ('stopped_early_reason', models.CharField(blank=True, max_length=300)),
                ('subjective', models.TextField(blank=True)),
                ('objective', models.TextField(blank=True)),
                ('assessment', models.TextField(blank=True)),
                ('plan', models.TextField(blank=True)),
                ('patient_summary', models.TextField(blank=True, help_text='The part the patient reads in the portal.')),
                ('signed_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('appointment', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='note', to='treatment_sessions.appointment')),
                ('author', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('signed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('content_hash', models.CharField(blank=True, editable=False, max_length=64)),
            ],
            options={
                'constraints': [
                    models.CheckConstraint(condition=models.Q(('pain_before__isnull', True), models.Q(('pain_before__gte', 0), ('pain_before__lte', 10)), _connector='OR'), name='note_pain_before_0_to_10', violation_error_message='The pain before the session is a score from 0 to 10.'),
                    models.CheckConstraint(condition=models.Q(('pain_after__isnull', True), models.Q(('pain_after__gte', 0), ('pain_after__lte', 10)), _connector='OR'), name='note_pain_after_0_to_10', violation_error_message='The pain after the session is a score from 0 to 10.'),
                    models.CheckConstraint(condition=models.Q(('stopped_early', False), models.Q(('stopped_early_reason', ''), _negated=True), _connector='OR'), name='note_stopped_early_has_reason', violation_error_message='A session that stopped early needs the reason why it stopped.'),
                    models.CheckConstraint(condition=models.Q(models.Q(('signed_at__isnull', True), ('signed_by__isnull', True)), models.Q(('signed_at__isnull', False), ('signed_by__isnull', False)), _connector='OR'), name='note_signature_complete', violation_error_message='A signed note names both when it was signed and who signed it.'),
                ],
            },
        ),
        migrations.CreateModel(
            name='Addendum',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('text', models.TextField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('author', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('note', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='addenda', to='treatment_sessions.sessionnote')),
            ],
            options={
                'verbose_name_plural': 'addenda',
                'ordering': ['created_at'],
                'constraints': [
                    models.CheckConstraint(condition=models.Q(('text', ''), _negated=True), name='addendum_not_empty', violation_error_message='An addendum cannot be empty.'),
                ],
            },
        ),
        migrations.RunPython(add_overlap_constraints, drop_overlap_constraints),
        migrations.RunPython(create_roles, migrations.RunPython.noop),
        migrations.CreateModel(
            name='OutcomeScore',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('occasion', models.CharField(choices=[('start', 'Start of the course'), ('during', 'During the course'), ('end', 'End of the course')], max_length=10)),
                ('sessions_done', models.PositiveSmallIntegerField()),
                ('answers', models.JSONField()),
                ('score', models.DecimalField(decimal_places=2, max_digits=7)),
                ('recorded_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('course', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='outcome_scores', to='treatment_sessions.course')),
                ('measure', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='scores', to='outcomes.measure')),
                ('patient', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='outcome_scores', to='patients.patient')),
                ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['recorded_at', 'pk'],
                'indexes': [models.Index(fields=['course', 'measure', 'recorded_at'], name='outcome_score_course_idx'), models.Index(fields=['patient', 'recorded_at'], name='outcome_score_patient_idx')],
                'constraints': [models.UniqueConstraint(fields=('course', 'measure', 'occasion', 'sessions_done'), name='outcome_score_once_per_occasion', violation_error_message='This measure is already recorded for this point of the course.')],
            },
        ),
        *text_max_lengths("addendum", {"text": 4000}, blank=False),
        *text_max_lengths("course", {"discharge_summary": 2000, "goals": 2000}),
        migrations.AlterField(
            model_name="course",
            name="home_programme",
            field=models.TextField(
                blank=True,
                help_text="Exercises between sessions; only once the condition is in remission.",
                max_length=2000,
            ),
        ),
        *text_max_lengths("sessionnote", {"assessment": 4000}),
        migrations.AlterField(
            model_name="sessionnote",
            name="content_hash",
            field=models.CharField(blank=True, editable=False, max_length=100),
        ),
        *text_max_lengths("sessionnote", {"objective": 4000}),
        migrations.AlterField(
            model_name="sessionnote",
            name="patient_summary",
            field=models.TextField(blank=True, help_text="The part the patient reads in the portal.", max_length=2000),
        ),
        *text_max_lengths("sessionnote", {"plan": 4000, "subjective": 4000}),
        *text_length_constraints("addendum", "addendum", {"text": 4000}),
        *text_length_constraints("course", "course", COURSE_LIMITS),
        *text_length_constraints("sessionnote", "note", NOTE_LIMITS),
    ]
