"""Personal API tokens: create (the secret shown once), revoke, and find the token a request
carries. Creating and revoking go to the audit log, as the two-factor changes of an account do."""

import datetime as dt
import hashlib
import secrets

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from api.models import ApiToken, TokenScope
from api.throttle import api_requests
from clinic.audit import ALLOWED, access_entry
from clinic.refusals import Refused

# "clinic_" marks the secret as ours (a secret scanner can look for it); the rest is random.
SECRET_PREFIX = "clinic_"
PREFIX_LENGTH = len(SECRET_PREFIX) + 5
MAX_ACTIVE_TOKENS = 10
# last_used_at is written at most this often, so a busy script does not write on every request.
LAST_USED_RESOLUTION_SECONDS = 60

CREATED = "api_token_created"
REVOKED = "api_token_revoked"


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _audit(token: ApiToken, *, action: str, remote_addr: str | None) -> None:
    access_entry(
        token.user,
        actor=token.user,
        remote_addr=remote_addr,
        data={"patient_id": None, "action": action, "outcome": ALLOWED, "detail": f"API token {token}, {token.scope}."},
    )


def api_token_create(
    *, user: AbstractBaseUser, name: str, scope: str, remote_addr: str | None = None
) -> tuple[ApiToken, str]:
    """A new token for `user` and its secret, which is never stored and cannot be shown again."""
    name = " ".join(name.split())
    problems = []
    if not name:
        problems.append(gettext("Give the token a name."))
    if scope not in TokenScope.values:
        problems.append(gettext("Choose read or read-write."))
    with transaction.atomic():
        if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
            problems.append(
                ngettext(
                    "You have %(count)s tokens in use already; revoke one you no longer need.",
                    "You have %(count)s tokens in use already; revoke one you no longer need.",
                    MAX_ACTIVE_TOKENS,
                )
                % {"count": MAX_ACTIVE_TOKENS}
            )
        if problems:
            raise Refused(problems)
        secret = SECRET_PREFIX + secrets.token_urlsafe(32)
        token = ApiToken.objects.create(
            user=user, name=name, scope=scope, secret_hash=secret_hash(secret), prefix=secret[:PREFIX_LENGTH]
        )
        _audit(token, action=CREATED, remote_addr=remote_addr)
    return token, secret


def api_token_revoke(*, token: ApiToken, remote_addr: str | None = None) -> ApiToken:
    """The token opens nothing from now on; it stays listed, with the time it was revoked."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
        if token.revoked_at is not None:
            raise Refused([gettext("That token is revoked already.")])
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        _audit(token, action=REVOKED, remote_addr=remote_addr)
    return token


def api_token_for_secret(secret: str, *, requests_since: dt.datetime | None = None) -> ApiToken | None:
    """The live token with this secret, of an active user, or None; its last use is stamped. With
    `requests_since`, the token also carries `api_requests`: how many API requests its user made
    since then (the throttle's count, api.throttle.ApiUserThrottle), found by the same query."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 200:
        return None
    tokens = ApiToken.objects.select_related("user")
    if requests_since is not None:
        # One row per user: the entries grouped by their actor (their newest-first order dropped).
        made = api_requests(actor=OuterRef("user_id"), since=requests_since).order_by().values("actor")
        tokens = tokens.annotate(api_requests=Coalesce(Subquery(made.annotate(n=Count("pk")).values("n")), 0))
    token = tokens.filter(secret_hash=secret_hash(secret), revoked_at__isnull=True, user__is_active=True).first()
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() >= LAST_USED_RESOLUTION_SECONDS:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
