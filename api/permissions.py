"""Who may use an endpoint: the same role groups the pages use (pages.roles), and the token's
scope (a read token reads only)."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from api.models import ApiToken
from clinic import roles
from clinic.roles import has_role

FRONT_DESK = (roles.RECEPTIONIST, roles.MANAGER)
BOOKERS = (roles.RECEPTIONIST, roles.THERAPIST, roles.MANAGER)
CLINICIANS = (roles.THERAPIST, roles.MANAGER)
STAFF = (roles.RECEPTIONIST, roles.THERAPIST, roles.MANAGER)
NOTE_READERS = (roles.THERAPIST, roles.MANAGER)
PATIENTS = (roles.PATIENT,)


class TokenScopeAllows(BasePermission):
    message = "This token is read-only: create a read-write token to change anything."

    def has_permission(self, request, view):
        token = request.auth
        if request.method in SAFE_METHODS or not isinstance(token, ApiToken):
            return True
        return token.writes


class RoleAllows(BasePermission):
    """The view's `roles` for reading, `write_roles` (default: the same) for anything else."""

    message = "Your role may not use this endpoint."

    def has_permission(self, request, view):
        wanted = view.roles if request.method in SAFE_METHODS else getattr(view, "write_roles", view.roles)
        return bool(wanted) and has_role(request.user, *wanted)
