"""The reception tablet ("kiosk"): reception hands it to one patient, who answers the intake
questionnaire and signs consents without logging in, and without reception's login.

Reception starts it on the tablet itself (`kiosk_start`); the page that does so logs reception
out of the tablet first and keeps the secret in the tablet's new, anonymous session
(pages.reception.kiosk). Only the SHA-256 of the secret is stored. A kiosk session is bound to
one patient, opens nothing of the record, and ends when the patient finishes, when
CLINIC_KIOSK_MINUTES have passed, or when reception starts another for the same patient.
"""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from clinic import roles
from clinic.refusals import Refused
from patients.models import KioskSession, Patient


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transaction.atomic
def kiosk_start(
    *, patient: Patient, started_by: AbstractBaseUser, now: dt.datetime | None = None
) -> tuple[KioskSession, str]:
    """Open the tablet for `patient`: (the kiosk session, its secret). Any tablet session still
    open for the patient ends. Refused for anyone but reception or a manager."""
    if not roles.has_role(started_by, roles.RECEPTIONIST, roles.MANAGER):
        raise Refused(gettext("Only reception hands the tablet to a patient."))
    now = now or timezone.now()
    KioskSession.objects.filter(patient_id=patient.pk, ended_at__isnull=True).update(ended_at=now)
    token = secrets.token_urlsafe(32)
    kiosk = KioskSession.objects.create(
        patient=patient,
        token_hash=_hash(token),
        started_by=started_by,
        started_at=now,
        expires_at=now + dt.timedelta(minutes=settings.CLINIC_KIOSK_MINUTES),
    )
    return kiosk, token


def kiosk_open(*, token: str | None, now: dt.datetime | None = None) -> KioskSession | None:
    """The open kiosk session the secret belongs to (with its patient), or None: no secret, a
    wrong one, or a session that ended or expired."""
    if not token or not isinstance(token, str) or len(token) > 200:
        return None
    now = now or timezone.now()
    return (
        KioskSession.objects.select_related("patient")
        .filter(token_hash=_hash(token), ended_at__isnull=True, started_at__lte=now, expires_at__gt=now)
        .first()
    )


def kiosk_end(*, kiosk: KioskSession, now: dt.datetime | None = None) -> None:
    """End the tablet session: its secret opens nothing from now on."""
    KioskSession.objects.filter(pk=kiosk.pk, ended_at__isnull=True).update(ended_at=now or timezone.now())
