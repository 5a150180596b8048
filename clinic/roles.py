"""The four roles and what each may do, as Django groups and permissions (docs/ARCHITECTURE.md, "Who may do what").

Views check the role with the helpers below; the groups' model permissions drive the admin.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils.translation import pgettext_lazy

RECEPTIONIST = "Receptionist"
THERAPIST = "Therapist"
PATIENT = "Patient"
MANAGER = "Manager"
ROLES = (RECEPTIONIST, THERAPIST, PATIENT, MANAGER)
# The group names above are stored (and fixed); people read these.
ROLE_LABELS = {
    RECEPTIONIST: pgettext_lazy("role", "Receptionist"),
    THERAPIST: pgettext_lazy("role", "Therapist"),
    PATIENT: pgettext_lazy("role", "Patient"),
    MANAGER: pgettext_lazy("role", "Manager"),
}


def role_labels(user: AbstractBaseUser) -> str:
    """The user's roles as the reader says them, from groups already fetched (prefetch_related)."""
    return ", ".join(str(ROLE_LABELS.get(group.name, group.name)) for group in user.groups.all()) or "—"


# The groups of roles that the pages (pages.roles) and the API (api.permissions) let in alike.
FRONT_DESK = (RECEPTIONIST, MANAGER)
# Any therapist may book, move and cancel (docs/ARCHITECTURE.md), not only the treating one.
BOOKERS = (RECEPTIONIST, THERAPIST, MANAGER)
CLINICIANS = (THERAPIST, MANAGER)

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

ROLE_PERMISSIONS: dict[str, list[str]] = {
    RECEPTIONIST: _CLINIC_READ
    + _BOOKING
    + [
        "patients.add_patient",
        "patients.change_patient",
        "patients.view_patient",
        "treatment_sessions.view_course",
    ],
    THERAPIST: _CLINIC_READ
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
    PATIENT: [],
    # Everything except writing clinical notes, which only their author may do.
    MANAGER: [
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


def roles_sync(apps) -> None:
    """Create the groups and give each exactly its permissions. Safe to run any number of times."""
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


def _matches(permission, patterns: list[str]) -> bool:
    app_label, codename = permission.content_type.app_label, permission.codename
    action, _, model = codename.partition("_")
    for pattern in patterns:
        pattern_app, _, pattern_code = pattern.partition(".")
        if pattern_app != app_label:
            continue
        if pattern_code in ("*", codename):
            return True
        if pattern_code.startswith("*_") and model == pattern_code[2:]:
            return True
    return False


def user_roles(user: AbstractBaseUser | AnonymousUser) -> set[str]:
    """The user's roles, read once per user object (or given by the log-in backend, which loads
    them with the user: clinic.backends)."""
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_clinic_roles", None)
    if cached is None:
        cached = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        user_roles_set(user, cached)
    return cached


def user_roles_set(user: AbstractBaseUser, names: set[str]) -> None:
    user._clinic_roles = names


def has_role(user, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))
