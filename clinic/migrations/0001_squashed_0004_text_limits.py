"""The clinic app's schema, the default service catalogue and, on PostgreSQL, the append-only audit log.

Squashes the first 0001-0004 (squashed once before as 0001_squashed_0004_audit_log_append_only) and the
0002-0004 that followed (password resets and the closures open on a public holiday, usernames unique
ignoring case, text limits). A database that has all of those applied takes this one as applied; a
new database runs only this one, so its tables start empty: the checks that stopped a migration
over rows that broke a new rule (usernames that differ only in case, texts over their limit) have
nothing to check here and are left out. Self-contained: the catalogue is a copy of clinic.catalogue as it
stands when this was written, so that module may change without changing this migration.

The role groups (formerly 0002) are created by treatment_sessions' squashed migration, the first
point at which the models of all three apps exist.

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

DEFAULT_MODALITIES = [
    {
        "name": "Therapeutic massage",
        "session_minutes": 45,
        "course_min_sessions": 12,
        "course_max_sessions": 15,
        "cadence": "free",
        "uses_oils": True,
        "description": "Classic massage of the back and the affected leg; a course usually runs 12 to 15 visits.",
    },
    {
        "name": "Vacuum (cupping) massage",
        "session_minutes": 20,
        "course_min_sessions": 5,
        "course_max_sessions": 7,
        "cadence": "consecutive_days",
        "uses_oils": True,
        "description": "Cups placed near the painful area on oiled skin, 20 minutes a day on 5 to 7 days in a row.",
    },
    {
        "name": "Deep tissue massage",
        "session_minutes": 30,
        "course_min_sessions": 10,
        "course_max_sessions": 10,
        "cadence": "per_week",
        "sessions_per_week": 5,
        "uses_oils": True,
        "description": "Slow, firm pressure on deep muscle layers: 30 minutes, five days a week for two weeks.",
    },
    {
        "name": "Acupressure",
        "session_minutes": 40,
        "course_min_sessions": 8,
        "course_max_sessions": 10,
        "cadence": "free",
        "uses_oils": False,
        "description": "Pressure on chosen points with fingers or elbows instead of needles.",
    },
    {
        "name": "Swedish massage",
        "session_minutes": 50,
        "course_min_sessions": 6,
        "course_max_sessions": 10,
        "cadence": "free",
        "uses_oils": True,
        "description": "Light, flowing strokes that relax the whole back and improve circulation.",
    },
    {
        "name": "Nerve massage",
        "session_minutes": 40,
        "course_min_sessions": 6,
        "course_max_sessions": 10,
        "cadence": "free",
        "uses_oils": False,
        "description": "Pressure along the nerve pathway combined with stimulation to ease tight muscles.",
    },
    {
        "name": "Myofascial release",
        "session_minutes": 45,
        "course_min_sessions": 6,
        "course_max_sessions": 10,
        "cadence": "free",
        "uses_oils": False,
        "description": "Sustained pressure and stretch on trigger points in the connective tissue around muscles.",
    },
    {
        "name": "Hot stone massage",
        "session_minutes": 60,
        "course_min_sessions": 4,
        "course_max_sessions": 6,
        "cadence": "free",
        "uses_oils": True,
        "description": "Warm stones laid on the back and used with gentle strokes to loosen tense muscles.",
    },
]


def create_catalogue(apps, schema_editor):
    Modality = apps.get_model("clinic", "Modality")
    for defaults in DEFAULT_MODALITIES:
        values = dict(defaults)
        Modality.objects.get_or_create(name=values.pop("name"), defaults=values)


# On PostgreSQL the audit log refuses UPDATE and DELETE, whoever asks: the app, the admin, or a
# person at a database prompt with the app's credentials. SQLite (development) has no such
# guard; the app itself never changes an entry there either. patients' break-glass record uses
# the same function.
FUNCTION = """
CREATE OR REPLACE FUNCTION clinic_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
TABLE = "auditlog_logentry"


def audit_log_append_only(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # No parameters: the function body's % are PL/pgSQL placeholders, not the driver's.
    schema_editor.execute(FUNCTION, params=None)
    schema_editor.execute(
        f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION clinic_audit_append_only()"
    )


def audit_log_append_only_undo(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}")
    schema_editor.execute("DROP FUNCTION IF EXISTS clinic_audit_append_only()")


# Usernames are unique without regard to case (formerly 0003): auth.User's Meta is Django's, so
# the index is plain SQL that SQLite and PostgreSQL both understand.
USERNAME_INDEX = "auth_user_username_lower_uniq"


class Migration(migrations.Migration):

    replaces = [
        ("clinic", "0001_initial"),
        ("clinic", "0002_roles_and_catalogue"),
        ("clinic", "0003_tighten_constraints"),
        ("clinic", "0004_audit_log_append_only"),
        ("clinic", "0002_closure_kind_date_windows_password_resets"),
        ("clinic", "0003_username_unique_ignoring_case"),
        ("clinic", "0004_text_limits"),
    ]

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("auditlog", "0017_add_actor_email"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.CreateModel(
            name='Modality',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=80, unique=True)),
                ('session_minutes', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(5), django.core.validators.MaxValueValidator(240)])),
                ('course_min_sessions', models.PositiveSmallIntegerField(default=1, validators=[django.core.validators.MinValueValidator(1)])),
                ('course_max_sessions', models.PositiveSmallIntegerField(default=1, validators=[django.core.validators.MinValueValidator(1)])),
                ('cadence', models.CharField(choices=[('consecutive_days', 'Consecutive days'), ('per_week', 'A number of sessions per week'), ('free', 'Free (as agreed)')], default='free', max_length=20)),
                ('sessions_per_week', models.PositiveSmallIntegerField(blank=True, help_text="Only for the 'sessions per week' cadence.", null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(7)])),
                ('uses_oils', models.BooleanField(default=False, help_text='Massage oil or cream touches the skin.')),
                ('description', models.TextField(blank=True)),
                ('active', models.BooleanField(default=True)),
            ],
            options={
                'verbose_name_plural': 'modalities',
                'ordering': ['name'],
                'constraints': [
                    models.CheckConstraint(condition=models.Q(('session_minutes__gte', 5)), name='modality_session_minutes_positive', violation_error_message='A session lasts at least 5 minutes.'),
                    models.CheckConstraint(condition=models.Q(('course_min_sessions__gte', 1)), name='modality_min_sessions_at_least_one', violation_error_message='A course has at least one session.'),
                    models.CheckConstraint(condition=models.Q(('course_min_sessions__lte', models.F('course_max_sessions'))), name='modality_min_not_above_max', violation_error_message="A course's minimum number of sessions cannot be more than its maximum."),
                    models.CheckConstraint(condition=models.Q(models.Q(('cadence', 'per_week'), ('sessions_per_week__gte', 1), ('sessions_per_week__isnull', False), ('sessions_per_week__lte', 7)), models.Q(models.Q(('cadence', 'per_week'), _negated=True), ('sessions_per_week__isnull', True)), _connector='OR'), name='modality_sessions_per_week_with_cadence', violation_error_message='Give the sessions per week, from 1 to 7, with the cadence “A number of sessions per week”, and leave them empty with any other cadence.'),
                ],
            },
        ),
        migrations.CreateModel(
            name='Room',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=60, unique=True)),
                ('active', models.BooleanField(default=True)),
                ('modalities', models.ManyToManyField(blank=True, related_name='rooms', to='clinic.modality')),
            ],
            options={
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='Therapist',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('calendar_colour', models.CharField(default='#4c8bf5', max_length=7, validators=[django.core.validators.RegexValidator('^#[0-9a-fA-F]{6}$', 'Use a colour like #4c8bf5.')])),
                ('active', models.BooleanField(default=True)),
                ('modalities', models.ManyToManyField(blank=True, related_name='therapists', to='clinic.modality')),
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='therapist', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['user__last_name', 'user__first_name'],
            },
        ),
        migrations.CreateModel(
            name='Closure',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('starts_on', models.DateField()),
                ('ends_on', models.DateField()),
                ('reason', models.CharField(max_length=200)),
                ('therapist', models.ForeignKey(blank=True, help_text='Leave empty when the whole clinic is closed.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='closures', to='clinic.therapist')),
            ],
            options={
                'ordering': ['starts_on'],
                'constraints': [
                    models.CheckConstraint(condition=models.Q(('ends_on__gte', models.F('starts_on'))), name='closure_ends_not_before_start', violation_error_message='A closure cannot end before the day it starts.'),
                ],
            },
        ),
        migrations.CreateModel(
            name='WorkingHours',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('weekday', models.PositiveSmallIntegerField(choices=[(0, 'Monday'), (1, 'Tuesday'), (2, 'Wednesday'), (3, 'Thursday'), (4, 'Friday'), (5, 'Saturday'), (6, 'Sunday')])),
                ('starts', models.TimeField()),
                ('ends', models.TimeField()),
                ('therapist', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='working_hours', to='clinic.therapist')),
            ],
            options={
                'verbose_name_plural': 'working hours',
                'ordering': ['therapist', 'weekday', 'starts'],
                'constraints': [
                    models.CheckConstraint(condition=models.Q(('ends__gt', models.F('starts'))), name='working_hours_end_after_start', violation_error_message='Working hours must end after they start.'),
                    models.CheckConstraint(condition=models.Q(('weekday__gte', 0), ('weekday__lte', 6)), name='working_hours_valid_weekday', violation_error_message='The weekday must be one from Monday to Sunday.'),
                    models.UniqueConstraint(fields=('therapist', 'weekday', 'starts'), name='working_hours_unique_block', violation_error_message='This therapist already has working hours that start at this time on this day.'),
                ],
            },
        ),
        migrations.RunPython(create_catalogue, migrations.RunPython.noop),
        migrations.RunPython(audit_log_append_only, audit_log_append_only_undo, elidable=False),
        migrations.CreateModel(
            name='PasswordResetRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('email_hash', models.CharField(max_length=64)),
                ('client_address', models.GenericIPAddressField(blank=True, null=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
        ),
        migrations.AddField(
            model_name='closure',
            name='kind',
            field=models.CharField(choices=[('closed', 'Closed'), ('holiday_open', 'Open on a public holiday')], default='closed', help_text='“Open on a public holiday” takes the public holidays in these days off the calendar.', max_length=12),
        ),
        migrations.AddConstraint(
            model_name='closure',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'holiday_open'), _negated=True), ('therapist__isnull', True), _connector='OR'), name='closure_holiday_open_whole_clinic', violation_error_message='Opening on a public holiday is for the whole clinic, not one therapist.'),
        ),
        migrations.AddIndex(
            model_name='passwordresetrequest',
            index=models.Index(fields=['email_hash', 'created_at'], name='reset_request_email_idx'),
        ),
        migrations.AddIndex(
            model_name='passwordresetrequest',
            index=models.Index(fields=['client_address', 'created_at'], name='reset_request_client_idx'),
        ),
        migrations.RunSQL(
            f"CREATE UNIQUE INDEX {USERNAME_INDEX} ON auth_user (lower(username));",
            f"DROP INDEX {USERNAME_INDEX};",
        ),
        *text_max_lengths("modality", {"description": 2000}),
        *text_length_constraints("modality", "modality", {"description": 2000}),
    ]
