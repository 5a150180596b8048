"""Two-factor log-in: who needs a second factor, enrolling an authenticator app, recovery codes,
and a manager's reset of a lost device.

The second factor is a time-based one-time password (django-otp's TOTP device, RFC 6238: the
six digits an authenticator app shows), with ten one-time recovery codes (django-otp's static
device) for a phone that is lost or flat. Managers and superusers always need it; every staff
account too when settings.CLINIC_REQUIRE_2FA_FOR_STAFF is on; anyone else (a patient) once they
have enrolled. clinic.middleware.TwoFactorMiddleware serves no page to a user who needs it and
has not given it in this session.
"""

import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic import roles
from clinic.audit import ALLOWED, access_entry
from clinic.refusals import Refused

RECOVERY_CODE_COUNT = 10
TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"

# What a step of the log-in still needs (TwoFactorMiddleware).
ENROL = "enrol"
VERIFY = "verify"

# Audit log actions (ACCESS entries about the user's own account).
ENROLLED = "two_factor_enrolled"
RESET = "two_factor_reset"
CODES_RENEWED = "recovery_codes_renewed"


def two_factor_required(user: AbstractBaseUser) -> bool:
    """Whether this account must log in with a second factor, enrolled or not."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or roles.has_role(user, roles.MANAGER):
        return True
    if settings.CLINIC_REQUIRE_2FA_FOR_STAFF:
        return user.is_staff or roles.has_role(user, roles.RECEPTIONIST, roles.THERAPIST)
    return False


def two_factor_enabled(user: AbstractBaseUser) -> bool:
    """Whether the user has a confirmed authenticator app (then every log-in asks for a code)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_device_pending(*, user: AbstractBaseUser) -> TOTPDevice:
    """The authenticator app being enrolled: its secret is shown (QR code and text) until a code
    from it confirms it. One pending device per user, reused across page loads."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def totp_secret_text(device: TOTPDevice) -> str:
    """The secret as an authenticator app takes it typed in: base32, in groups of four."""
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _audit(*, user: AbstractBaseUser, actor: AbstractBaseUser, action: str, remote_addr: str | None, detail: str = ""):
    access_entry(
        user,
        actor=actor,
        remote_addr=remote_addr,
        data={"patient_id": None, "action": action, "outcome": ALLOWED, "detail": detail},
    )


def _recovery_codes_replace(user: AbstractBaseUser) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [f"{secrets.randbelow(10**10):010d}" for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def totp_confirm(*, user: AbstractBaseUser, token: str, remote_addr: str | None = None) -> tuple[TOTPDevice, list[str]]:
    """Confirm the pending authenticator app with a code it shows: from now on every log-in asks
    for one. Returns the device and ten new recovery codes, to be shown once."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        raise Refused([gettext("Start again: open the enrolment page to get a new QR code.")])
    if not device.verify_token(_digits(token)):
        raise Refused(
            [gettext("That code is not right. Check the phone's clock, then type the code the app shows now.")]
        )
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _recovery_codes_replace(user)
    _audit(user=user, actor=user, action=ENROLLED, remote_addr=remote_addr)
    return device, codes


@transaction.atomic
def recovery_codes_renew(*, user: AbstractBaseUser, remote_addr: str | None = None) -> list[str]:
    """Ten new recovery codes; the old ones stop working."""
    if not two_factor_enabled(user):
        raise Refused([gettext("Set up an authenticator app first.")])
    codes = _recovery_codes_replace(user)
    _audit(user=user, actor=user, action=CODES_RENEWED, remote_addr=remote_addr)
    return codes


@transaction.atomic
def second_factor_check(*, user: AbstractBaseUser, token: str):
    """The device a code from the authenticator app or a recovery code belongs to, or None. A
    recovery code is used up; each wrong code makes the next try wait longer (django-otp)."""
    token = _digits(token)
    if not token:
        return None
    return match_token(user, token)


def recovery_codes_left(user: AbstractBaseUser) -> int:
    return StaticToken.objects.filter(device__user=user).count()


@transaction.atomic
def two_factor_reset(*, user: AbstractBaseUser, by: AbstractBaseUser, remote_addr: str | None = None) -> None:
    """A manager's answer to a lost phone: the user's authenticator app and recovery codes are
    removed, so their next log-in enrols a new one. Logged in the audit log."""
    if not roles.has_role(by, roles.MANAGER) and not by.is_superuser:
        raise Refused([gettext("Only a manager resets another account's two-factor log-in.")])
    if user.is_superuser and not by.is_superuser:
        raise Refused([gettext("Only a superuser resets a superuser's two-factor log-in.")])
    if user.pk == by.pk:
        raise Refused([gettext("Ask another manager to reset your own two-factor log-in.")])
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    _audit(user=user, actor=by, action=RESET, remote_addr=remote_addr, detail=f"Reset for {user.get_username()}.")


def _digits(token: str | None) -> str:
    """A code as typed: spaces and dashes ignored; anything but digits refused (no match)."""
    token = (token or "").replace(" ", "").replace("-", "")
    return token if token.isdigit() and len(token) <= 16 else ""
