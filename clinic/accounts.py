"""Accounts: which account a name typed at a log-in form means, the lockout's key for it, usernames
unique without regard to case, and ending a user's access when the account is deactivated.

One rule for every log-in form (the site's, the admin's, the second-factor step): a name means
the account whose username it is, ignoring case and surrounding spaces, or else the patient
whose e-mail address it is. django-axes counts failures under `lockout_key(name)`, so "Rita",
" rita " and "RITA" are one count, and so are a patient's username and e-mail address.
"""

import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.dispatch import Signal
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy

from clinic import roles

# What the log-in forms accept at most: a username is 150 characters, an e-mail address 254.
LOGIN_NAME_MAX_LENGTH = 254
# Longer than any real password; hashing megabytes on every attempt would be a denial of service.
PASSWORD_MAX_LENGTH = 1024
# django-axes keeps the key in a 255-character column.
_KEY_MAX_LENGTH = 200

USERNAME_TAKEN = gettext_lazy(
    "A user with that username already exists (usernames are compared without regard to case)."
)


def login_name_normalise(name: str | None) -> str:
    return (name or "").strip()


def account_for_login_name(name: str | None) -> AbstractBaseUser | None:
    """The one account `name` means, or None: a username in any case, else a patient's e-mail
    address in any case. An ambiguous name (an address two patients share) means nobody."""
    name = login_name_normalise(name)
    if not name or len(name) > LOGIN_NAME_MAX_LENGTH or "\x00" in name:
        return None
    users = get_user_model()._default_manager
    matches = list(users.filter(username__iexact=name)[:2])
    if not matches and "@" in name:
        matches = list(users.filter(email__iexact=name, groups__name=roles.PATIENT)[:2])
    return matches[0] if len(matches) == 1 else None


def lockout_key(name: str | None) -> str:
    """One key per account however its name is spelled: the account's own username (unique
    without regard to case, so it names the account, and `axes_reset_username <username>` lifts
    its lockout); the casefolded name for a name that is nobody's, so that an unknown name is
    counted and locked out exactly like a real one."""
    user = account_for_login_name(name)
    if user is not None:
        return user.get_username()
    folded = login_name_normalise(name).casefold()
    if len(folded) > _KEY_MAX_LENGTH:
        folded = "sha256:" + hashlib.sha256(folded.encode("utf-8", "surrogatepass")).hexdigest()
    return folded


def axes_username(request, credentials: dict | None) -> str:
    """AXES_USERNAME_CALLABLE: the name from the credentials authenticate() was given (or, failing
    that, the posted form) as its lockout key."""
    if credentials:
        name = credentials.get("username")
    else:
        name = getattr(request, "POST", {}).get("username") if request is not None else None
    return lockout_key(name)


def username_taken(username: str, *, exclude_pk=None) -> bool:
    """Whether another account already has this username in some case (the database refuses it
    too: clinic migration 0002's unique index on lower(username))."""
    others = get_user_model()._default_manager.filter(username__iexact=username.strip())
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    return others.exists()


# --- ending access ---------------------------------------------------------------------------------

# Sent by user_access_end(user=...) after the user's sessions are gone. Whatever else grants access
# (API tokens, when there are any) connects a receiver that revokes it.
user_access_ended = Signal()


def _session_store():
    return import_string(f"{settings.SESSION_ENGINE}.SessionStore")


def user_sessions_end(*, user: AbstractBaseUser, keep: str | None = None) -> int:
    """Delete every stored session logged in as `user`; the number deleted. Database sessions are
    read one by one (the user is inside the signed data), so this is for rare events such as a
    deactivation or enrolling a second factor, not for every request. `keep`: a session key
    to leave alone (the one that asked)."""
    from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
    from django.contrib.sessions.models import Session

    store = _session_store()
    if not issubclass(store, DatabaseStore):
        return 0  # other engines cannot be listed; the middleware refuses an inactive user anyway
    user_id = str(user.pk)
    ended = []
    for key, data in (
        Session.objects.filter(expire_date__gt=timezone.now()).values_list("session_key", "session_data").iterator()
    ):
        if key != keep and str(store().decode(data).get("_auth_user_id")) == user_id:
            ended.append(key)
    Session.objects.filter(session_key__in=ended).delete()
    return len(ended)


def user_access_end(*, user: AbstractBaseUser) -> int:
    """End everything that lets `user` in now: their sessions, and whatever user_access_ended's
    receivers revoke. Called when an account is deactivated (clinic.receivers); the number of
    sessions ended."""
    ended = user_sessions_end(user=user)
    user_access_ended.send(sender=type(user), user=user)
    return ended
