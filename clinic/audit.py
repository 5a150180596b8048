"""The audit log of the clinical record: who read or changed what of which patient, from where.

Writes (create, update, delete of diagnoses, phases, notes…) are logged by django-auditlog for
the models listed in settings.AUDITLOG_INCLUDE_TRACKING_MODELS. Reads and refused attempts are
not model changes, so views log them here, as django-auditlog entries with action ACCESS. Every
entry carries the patient's id in `additional_data`, which is what the manager's page filters on.

The client address is REMOTE_ADDR. X-Forwarded-For is anyone's to write, so it is believed only
when AUDIT_TRUST_X_FORWARDED_FOR says a proxy of ours sets it.
"""

from auditlog.middleware import AuditlogMiddleware
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth.models import AnonymousUser

ALLOWED = "allowed"
REFUSED = "refused"
OUTCOMES = (ALLOWED, REFUSED)

# What an ACCESS entry records beyond "view"; writes use django-auditlog's own actions.
VIEW = "view"
BREAK_GLASS = "break_glass"
# A copy of the whole record handed out (sessions.patient_export), and its erasure (sessions.patient_erasure).
EXPORT = "export"
ERASE = "erase"


def client_address(request) -> str | None:
    if getattr(settings, "AUDIT_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[0].strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR") or None


class AuditMiddleware(AuditlogMiddleware):
    """django-auditlog's middleware (actor and address on every logged write), with our rule for
    the address instead of its unconditional trust in X-Forwarded-For."""

    @staticmethod
    def _get_remote_addr(request):
        return client_address(request)

    @staticmethod
    def _get_remote_port(request):
        return None


def audit_access(
    *,
    request,
    patient=None,
    obj=None,
    action: str = VIEW,
    outcome: str = ALLOWED,
    detail: str = "",
) -> LogEntry | None:
    """Record that `request.user` read (or tried to read) `obj` of `patient`'s record.

    `obj` defaults to the patient. Without either (a refusal before the view knew the patient),
    the entry is about the user who tried, and names the address they asked for.
    """
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {OUTCOMES}")
    user = getattr(request, "user", None) or AnonymousUser()
    actor = user if user.is_authenticated else None
    target = obj if obj is not None else patient if patient is not None else actor
    if target is None:
        return None  # an anonymous visitor is sent to the login page, never shown a record
    data = {
        "patient_id": patient.pk if patient is not None else None,
        "action": action,
        "outcome": outcome,
        "method": request.method,
        "path": request.path[:300],
    }
    if detail:
        data["detail"] = detail[:1000]
    return access_entry(target, actor=actor, remote_addr=client_address(request), data=data)


def access_entry(target, *, actor, remote_addr: str | None, data: dict) -> LogEntry:
    """Write one ACCESS entry on `target` by `actor`; `data` (with the patient's id, the action and
    the outcome) is what the manager's audit page filters on."""
    return LogEntry.objects.log_create(
        target,
        force_log=True,
        action=LogEntry.Action.ACCESS,
        changes={},
        actor=actor,
        actor_email=getattr(actor, "email", None),
        remote_addr=remote_addr,
        additional_data=data,
    )
