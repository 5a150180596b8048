"""The default service catalogue and the four role groups.

Self-contained: the catalogue and the role table are copies of clinic.catalogue and clinic.roles
as they stand when this migration was written, so those modules may change or move without
changing what this migration does."""

from django.db import migrations

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
    "Patient": [],
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


def create_catalogue(apps, schema_editor):
    Modality = apps.get_model("clinic", "Modality")
    for defaults in DEFAULT_MODALITIES:
        values = dict(defaults)
        Modality.objects.get_or_create(name=values.pop("name"), defaults=values)


def create_roles(apps, schema_editor):
    """Create the groups and give each exactly its permissions."""
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


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0001_initial"),
        ("patients", "0001_initial"),
        ("treatment_sessions", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_catalogue, migrations.RunPython.noop),
        migrations.RunPython(create_roles, migrations.RunPython.noop),
    ]
