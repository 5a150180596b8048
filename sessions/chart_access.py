"""Who may open a patient's chart: the therapists who treat the patient, and anyone else only
through logged emergency (break-glass) access. The one home of that policy: the chart pages,
the note pages and the addendum service all ask here."""

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, Q
from django.utils import timezone

from patients.models import BreakGlassAccess, Patient
from sessions.models import Appointment, Course


def _treating(user: AbstractBaseUser, patient: Patient) -> Q:
    """They prescribed one of the patient's courses, or have any session with the patient."""
    prescribed = Course.objects.filter(patient_id=patient.pk, prescribed_by_id=user.pk)
    sessions = Appointment.objects.filter(patient_id=patient.pk, therapist__user_id=user.pk)
    return Q(Exists(prescribed)) | Q(Exists(sessions))


def therapist_treats_patient(*, user: AbstractBaseUser, patient: Patient) -> bool:
    """Whether `user` treats `patient`: they prescribed one of the patient's courses, or have any
    session with the patient, past or future, whatever its status. One query."""
    if not user.is_authenticated:
        return False
    return Patient.objects.filter(_treating(user, patient), pk=patient.pk).exists()


def therapist_may_open_chart(*, user: AbstractBaseUser, patient: Patient, at: dt.datetime | None = None) -> bool:
    """The chart rule for a therapist: they treat the patient (as therapist_treats_patient says),
    or they opened the chart in an emergency, giving a reason, and that access has not yet
    expired (patients.services.break_glass_open). One query."""
    if not user.is_authenticated:
        return False
    at = at or timezone.now()
    emergency = BreakGlassAccess.objects.filter(
        patient_id=patient.pk, user_id=user.pk, created_at__lte=at, expires_at__gt=at
    )
    return Patient.objects.filter(_treating(user, patient) | Q(Exists(emergency)), pk=patient.pk).exists()
