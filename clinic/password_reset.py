"""Forgotten passwords: the rate limit on reset e-mails, and who logs in with what.

The limit lives in the database (PasswordResetRequest), as everything the app keeps does: no
cache to configure, shared by every server process, and the same on SQLite and PostgreSQL. At most
PASSWORD_RESET_LIMIT requests an hour for one e-mail address, and as many from one client address
(behind a proxy, set AUDIT_TRUST_X_FORWARDED_FOR so that the client, not the proxy, is counted).
A limited request gets the same answer whether or not an account uses the address.
"""

import datetime as dt
import hashlib
import hmac

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clinic import roles
from clinic.models import PasswordResetRequest

PASSWORD_RESET_LIMIT = 5
PASSWORD_RESET_WINDOW = dt.timedelta(hours=1)


def _email_hash(email: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, email.strip().casefold().encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def password_reset_allow(*, email: str, client_address: str | None) -> bool:
    """Whether a reset e-mail may go to `email` for a request from `client_address`; a request
    allowed is counted. Old requests are forgotten on the way."""
    now = timezone.now()
    since = now - PASSWORD_RESET_WINDOW
    PasswordResetRequest.objects.filter(created_at__lt=since).delete()
    email_hash = _email_hash(email)
    recent = PasswordResetRequest.objects.filter(created_at__gte=since)
    if recent.filter(email_hash=email_hash).count() >= PASSWORD_RESET_LIMIT:
        return False
    if client_address and recent.filter(client_address=client_address).count() >= PASSWORD_RESET_LIMIT:
        return False
    PasswordResetRequest.objects.create(email_hash=email_hash, client_address=client_address, created_at=now)
    return True


def login_name(user) -> str:
    """What the person types to log in: patients their e-mail address (clinic.backends), staff
    their username."""
    if roles.PATIENT in roles.user_roles(user) and user.email:
        return user.email
    return user.get_username()
