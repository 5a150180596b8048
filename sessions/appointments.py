"""An appointment's life after booking: check-in, completion, no-show, cancellation (by reception
or by the patient online), and the review flags an acute phase puts on the sessions ahead."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from clinic.refusals import Refused
from patients.contraindications import acute_phase_reason, contraindications_check
from patients.models import Patient, PhaseRecord
from sessions.courses import course_complete_if_full
from sessions.models import (
    Appointment,
    AppointmentStatus,
)
from sessions.schedule import local_date


def _transition(appointment: Appointment, status: str) -> Appointment:
    locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if not locked.can_become(status):
        current = locked.get_status_display().lower()
        target = AppointmentStatus(status).label.lower()
        raise Refused([f"A {current} session cannot be marked {target}."])
    locked.status = status
    return locked


@transaction.atomic
def appointment_cancel(*, appointment: Appointment, reason: str) -> Appointment:
    """Cancel and free the slot; the row stays, with the reason, for the record."""
    reason = reason.strip()
    if not reason:
        raise Refused(["Give a reason for the cancellation."])
    appointment = _transition(appointment, AppointmentStatus.CANCELLED)
    appointment.cancellation_reason = reason
    appointment.cancelled_at = timezone.now()
    # A cancelled session needs no review any more, whichever page cancelled it.
    appointment.needs_review = False
    appointment.review_reason = ""
    appointment.save()
    return appointment


@transaction.atomic
def appointment_check_in(*, appointment: Appointment) -> Appointment:
    if local_date(appointment.starts_at) != timezone.localdate():
        raise Refused(["A patient is checked in on the day of the session only."])
    appointment = _transition(appointment, AppointmentStatus.CHECKED_IN)
    appointment.checked_in_at = timezone.now()
    appointment.save()
    return appointment


@transaction.atomic
def appointment_complete(*, appointment: Appointment) -> Appointment:
    if appointment.starts_at > timezone.now():
        raise Refused(["A session cannot be completed before it starts."])
    appointment = _transition(appointment, AppointmentStatus.COMPLETED)
    appointment.save()
    if appointment.course_id is not None:
        course_complete_if_full(course=appointment.course)
    return appointment


@transaction.atomic
def appointment_no_show(*, appointment: Appointment) -> Appointment:
    if appointment.starts_at > timezone.now():
        raise Refused(["A no-show is recorded only once the session's start time has passed."])
    appointment = _transition(appointment, AppointmentStatus.NO_SHOW)
    appointment.save()
    return appointment


def appointments_flag_for_review(*, record: PhaseRecord) -> int:
    """An acute phase puts every later session of the patient in doubt: flag them, never delete.

    Only the sessions this record governs: none for a diagnosis that is no longer active (it
    does not block), and none after a later record of the diagnosis takes over, so entering an
    old acute spell that a remission already ended flags nothing.
    """
    diagnosis = record.diagnosis
    if not diagnosis.active:
        return 0
    reason = f"Review: {acute_phase_reason(diagnosis, record)}"[:300]
    since = max(record.effective_from, timezone.now())
    sessions = Appointment.objects.filter(patient_id=diagnosis.patient_id, starts_at__gte=since)
    superseded_at = (
        diagnosis.phase_records.filter(effective_from__gt=record.effective_from)
        .order_by("effective_from")
        .values_list("effective_from", flat=True)
        .first()
    )
    if superseded_at is not None:
        sessions = sessions.filter(starts_at__lt=superseded_at)
    return sessions.filter(Q(status=AppointmentStatus.BOOKED) | Q(status=AppointmentStatus.CHECKED_IN)).update(
        needs_review=True, review_reason=reason, updated_at=timezone.now()
    )


@transaction.atomic
def appointment_review_keep(*, appointment: Appointment) -> Appointment:
    """Keep a flagged session: allowed once nothing blocks the patient any more."""
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    blocks = contraindications_check(
        patient=appointment.patient, modality=appointment.modality, at=appointment.starts_at
    ).blocks
    if blocks:
        raise Refused(blocks)
    appointment.needs_review = False
    appointment.review_reason = ""
    appointment.save()
    return appointment


@transaction.atomic
def appointment_review_cancel(*, appointment: Appointment, reason: str) -> Appointment:
    return appointment_cancel(appointment=appointment, reason=reason)


PATIENT_CANCEL_REASON = "Cancelled by the patient online"


def appointment_patient_cancel(*, appointment: Appointment, reason: str = "", now: dt.datetime | None = None):
    """A patient cancels their own booked session online, within the notice period only.

    The rule is checked on the locked row, so a session moved meanwhile is judged by its new
    time. Frees the slot through appointment_cancel, the same path reception uses.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if not appointment_patient_can_cancel(appointment=locked, now=now):
            if locked.status != AppointmentStatus.BOOKED:
                status = locked.get_status_display().lower()
                raise Refused([f"This session is {status}; it cannot be cancelled any more."])
            raise Refused(
                [
                    f"Sessions can be cancelled online until {settings.CANCELLATION_NOTICE_HOURS} hours before "
                    f"they start. Please call the clinic on {settings.CLINIC_PHONE}."
                ]
            )
        reason = " ".join(reason.split())
        full_reason = f"{PATIENT_CANCEL_REASON}: {reason}" if reason else PATIENT_CANCEL_REASON
        return appointment_cancel(appointment=locked, reason=full_reason[:300])


def appointment_patient_can_cancel(*, appointment: Appointment, now: dt.datetime) -> bool:
    """A patient may cancel a booked session online until CANCELLATION_NOTICE_HOURS before it
    starts (exactly that long before still counts); after that they call the clinic."""
    notice = dt.timedelta(hours=settings.CANCELLATION_NOTICE_HOURS)
    return appointment.status == AppointmentStatus.BOOKED and appointment.starts_at - now >= notice


def sessions_flagged_ahead(*, patient: Patient) -> int:
    """The patient's sessions still ahead that wait for reception to review them."""
    return (
        Appointment.objects.needing_review().filter(patient_id=patient.pk, starts_at__gte=timezone.now()).count()
    )
