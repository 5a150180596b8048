"""Who may open a page: the role groups the workspaces share, and the decorator that checks them."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from clinic.audit import REFUSED, audit_access
from clinic.roles import BOOKERS, CLINICIANS, FRONT_DESK, has_role

# The role groups live with the roles (clinic.roles), where the API finds them too.
__all__ = ["BOOKERS", "CLINICIANS", "FRONT_DESK", "role_required"]


def role_required(*roles: str):
    """Login required, then one of the roles; anyone else gets 403, and the attempt goes to the
    audit log (no patient is looked up yet, so the entry names the page that was asked for)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not has_role(request.user, *roles):
                audit_access(request=request, outcome=REFUSED, detail=f"Needs the role {' or '.join(roles)}.")
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
