"""Who may use an endpoint: the same role groups the pages use (clinic.roles), and the token's
scope (a read token reads only)."""

from django.utils.translation import gettext_lazy
from rest_framework.permissions import SAFE_METHODS, BasePermission

from api.models import ApiToken
from clinic import roles
from clinic.roles import BOOKERS, CLINICIANS, FRONT_DESK, has_role

__all__ = ["BOOKERS", "CLINICIANS", "FRONT_DESK", "NOTE_READERS", "PATIENTS", "STAFF"]

# Everyone but patients: who reads a patient's demographics (a therapist those she treats).
STAFF = BOOKERS
# The notes' readers, as on the note page: the session's own therapist, and managers.
NOTE_READERS = CLINICIANS
PATIENTS = (roles.PATIENT,)


class TokenScopeAllows(BasePermission):
    message = gettext_lazy("This token is read-only: create a read-write token to change anything.")

    def has_permission(self, request, view):
        token = request.auth
        if request.method in SAFE_METHODS or not isinstance(token, ApiToken):
            return True
        return token.writes


class RoleAllows(BasePermission):
    """The view's `roles` for reading, `write_roles` (default: the same) for anything else."""

    message = gettext_lazy("Your role may not use this endpoint.")

    def has_permission(self, request, view):
        wanted = view.roles if request.method in SAFE_METHODS else getattr(view, "write_roles", view.roles)
        return bool(wanted) and has_role(request.user, *wanted)
