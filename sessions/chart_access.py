"""Who may open a patient's chart: the therapists who treat the patient, and anyone else only
through logged emergency (break-glass) access. The one home of that policy: the chart pages,
the note pages, the addendum service and the therapist's "My patients" list all ask here."""

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.db import connections, router
from django.db.models import Q, QuerySet
from django.utils import timezone

from clinic.models import Therapist
from patients.models import BreakGlassAccess, Diagnosis, Patient, PhaseRecord
from patients.selectors import patients_search
from sessions.models import COUNTED_STATUSES, Appointment, Course


def _counted_sessions(user_id: int, patient_id: int | None = None) -> QuerySet[Appointment]:
    """The sessions that make `user_id` treat a patient: theirs, booked, checked in or completed
    (a cancelled or missed one does not count)."""
    sessions = Appointment.objects.filter(therapist__user_id=user_id, status__in=COUNTED_STATUSES)
    return sessions if patient_id is None else sessions.filter(patient_id=patient_id)


def _treated_by(user_id: int, patient_id: int | None = None) -> Q:
    """A filter on Patient: the patients `user_id` treats. She is their assigned therapist, or has
    a booked, checked-in or completed session with them (a cancelled or missed one does not
    count: booking and cancelling a session opens no stranger's chart), or prescribed one of
    their courses, or recorded one of their diagnoses or phases. With `patient_id`, each part
    looks at that patient only."""
    sessions = _counted_sessions(user_id, patient_id)
    courses = Course.objects.filter(prescribed_by_id=user_id)
    diagnoses = Diagnosis.objects.filter(recorded_by_id=user_id)
    phases = PhaseRecord.objects.filter(recorded_by_id=user_id)
    if patient_id is not None:
        courses, diagnoses = (qs.filter(patient_id=patient_id) for qs in (courses, diagnoses))
        phases = phases.filter(diagnosis__patient_id=patient_id)
    return (
        Q(assigned_therapist__user_id=user_id)
        | Q(pk__in=sessions.values("patient_id"))
        | Q(pk__in=courses.values("patient_id"))
        | Q(pk__in=diagnoses.values("patient_id"))
        | Q(pk__in=phases.values("diagnosis__patient_id"))
    )


def therapist_treats_patient(*, user: AbstractBaseUser, patient: Patient) -> bool:
    """Whether `user` treats `patient` (as _treated_by says). One query."""
    if not user.is_authenticated:
        return False
    return Patient.objects.filter(_treated_by(user.pk, patient.pk), pk=patient.pk).exists()


def chart_patient(*, pk: int, user: AbstractBaseUser) -> tuple[Patient, bool] | None:
    """The patient `pk` (None when there is none) and whether `user` has a session with them that
    counts (_counted_sessions: the first question of therapist_may_open_chart), in one statement:
    a chart asks both on every look, kept or not. Written as SQL, as the ORM would take longer to
    build the question than the database to answer it (docs/PERFORMANCE.md, seventeenth round);
    tests/sessions/test_chart_access.py holds it to _counted_sessions."""
    using = router.db_for_read(Patient)
    connection = connections[using]
    low, high = connection.ops.integer_field_range(Patient._meta.pk.get_internal_type())
    if not low <= pk <= high:
        return None  # no such id (the ORM's lookups say so too; the database would refuse the number)
    appointments, therapists, patients = (
        connection.ops.quote_name(model._meta.db_table) for model in (Appointment, Therapist, Patient)
    )
    statuses = ", ".join(["%s"] * len(COUNTED_STATUSES))
    sql = (
        f"SELECT p.*, EXISTS (SELECT 1 FROM {appointments} a JOIN {therapists} t ON t.id = a.therapist_id"
        f" WHERE a.patient_id = p.id AND t.user_id = %s AND a.status IN ({statuses})) AS has_session"
        f" FROM {patients} p WHERE p.id = %s"
    )
    found = list(Patient.objects.using(using).raw(sql, [user.pk, *COUNTED_STATUSES, pk]))
    if not found:
        return None
    (patient,) = found
    return patient, user.is_authenticated and bool(patient.__dict__.pop("has_session"))


def therapist_may_open_chart(
    *, user: AbstractBaseUser, patient: Patient, at: dt.datetime | None = None, has_session: bool | None = None
) -> bool:
    """The chart rule for a therapist: they treat the patient (as therapist_treats_patient says),
    or they opened the chart in an emergency, giving a reason, and that access has not yet
    expired (patients.services.break_glass_open). One query when the therapist has a session with
    the patient, two otherwise; none more when the caller knows `has_session` already
    (chart_patient, for this user and patient)."""
    if not user.is_authenticated:
        return False
    # Nearly every therapist who opens a chart has had or will have a session with the patient:
    # that part of the rule alone is a small query (the whole rule takes the ORM three times as
    # long to build), and the whole rule is asked only when it says no.
    if has_session is None:
        has_session = _counted_sessions(user.pk, patient.pk).exists()
    if has_session:
        return True
    at = at or timezone.now()
    emergency = BreakGlassAccess.objects.filter(
        patient_id=patient.pk, user_id=user.pk, created_at__lte=at, expires_at__gt=at
    ).values("patient_id")
    return Patient.objects.filter(_treated_by(user.pk, patient.pk) | Q(pk__in=emergency), pk=patient.pk).exists()


def patients_treated_by(*, user: AbstractBaseUser, query: str = "") -> QuerySet[Patient]:
    """The patients `user` treats, matching `query` as the reception search does
    (patients.selectors.patients_search), in its order, each with `assigned_therapist`. One query
    (two with a paginator's count); emergency access does not make a patient one's own."""
    if not user.is_authenticated:
        return Patient.objects.none()
    return patients_search(query=query).filter(_treated_by(user.pk)).select_related("assigned_therapist__user")
