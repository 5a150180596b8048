"""An appointment's life after booking: what may be done with it now and why not
(appointment_actions), check-in, completion, no-show, cancellation (by reception or by the
patient online), and the review flags an acute phase puts on the sessions ahead."""

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from clinic.events import (
    APPOINTMENT_CANCELLED,
    APPOINTMENT_CHECKED_IN,
    APPOINTMENT_COMPLETED,
    APPOINTMENT_NO_SHOW,
    event_announce,
)
from clinic.refusals import Refused
from patients.contraindications import (
    PatientContraindications,
    acute_phase_reason,
    contraindications_by_patient,
    contraindications_check,
)
from patients.models import Patient, PhaseRecord
from sessions.courses import course_complete_if_full
from sessions.freed_slots import freed_slot_record
from sessions.models import (
    SIGNABLE_STATUSES,
    SIGNED_ALREADY,
    Appointment,
    AppointmentStatus,
    FreedCause,
    SessionNote,
)

CHECK_IN, COMPLETE, NO_SHOW, CANCEL, MOVE, SIGN = "check_in", "complete", "no_show", "cancel", "move", "sign"
ACTIONS = (CHECK_IN, COMPLETE, NO_SHOW, CANCEL, MOVE, SIGN)
# The actions that treat the patient (or attest that they were treated): the contraindication
# check runs again, at that moment, before each.
TREATMENT_ACTIONS = (CHECK_IN, COMPLETE, SIGN)
_EVENT_OF = {
    AppointmentStatus.CANCELLED: APPOINTMENT_CANCELLED,
    AppointmentStatus.CHECKED_IN: APPOINTMENT_CHECKED_IN,
    AppointmentStatus.COMPLETED: APPOINTMENT_COMPLETED,
    AppointmentStatus.NO_SHOW: APPOINTMENT_NO_SHOW,
}

_STATUS_OF = {
    CHECK_IN: AppointmentStatus.CHECKED_IN,
    COMPLETE: AppointmentStatus.COMPLETED,
    NO_SHOW: AppointmentStatus.NO_SHOW,
    CANCEL: AppointmentStatus.CANCELLED,
}


def _allowed(action: str) -> property:
    """Whether `action` is allowed now, as a property of AppointmentActions."""
    return property(lambda actions: actions.allows(action))


@dataclass(frozen=True)
class AppointmentActions:
    """What may be done with one session at one moment, and why not: the one answer the services
    refuse by and every page shows or hides its buttons by.

    `why_not` maps each action to the sentences that refuse it (empty when it is allowed).
    `blocks` are what the contraindication check refuses treatment for now (an acute phase, a
    `block` rule), shown in red while the session is still to be treated; `warnings` are the
    `warn` rules, shown for the therapist to read at check-in (they do not stop it)."""

    why_not: dict[str, list[str]]
    blocks: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def allows(self, action: str) -> bool:
        return not self.why_not[action]

    # One predicate per action, for templates: `{% if actions.check_in %}`.
    check_in = _allowed(CHECK_IN)
    complete = _allowed(COMPLETE)
    no_show = _allowed(NO_SHOW)
    cancel = _allowed(CANCEL)
    move = _allowed(MOVE)
    sign = _allowed(SIGN)

    @property
    def any_status_change(self) -> bool:
        return any(self.allows(action) for action in (CHECK_IN, NO_SHOW, MOVE, COMPLETE, CANCEL))


def _note_of(appointment: Appointment) -> SessionNote | None:
    try:
        return appointment.note  # cached by select_related("note") on the pages that list sessions
    except SessionNote.DoesNotExist:
        return None


def _status_time_refusals(appointment: Appointment, now: dt.datetime, only: Collection[str]) -> dict[str, list[str]]:
    """Each action's refusal by status and time alone (the model's predicates), for the actions in `only`."""
    why_not = {
        action: _reasons(appointment.status_change_refusal(status, now))
        for action, status in _STATUS_OF.items()
        if action in only
    }
    if MOVE in only:
        why_not[MOVE] = _reasons(appointment.move_refusal())
    if SIGN in only:
        note = _note_of(appointment) if appointment.status in SIGNABLE_STATUSES else None
        signed = note is not None and note.is_signed
        why_not[SIGN] = [str(SIGNED_ALREADY)] if signed else _reasons(appointment.note_sign_refusal(now))
    return why_not


def _status_time_refused(appointment: Appointment, now: dt.datetime, only: Collection[str]) -> dict[str, bool]:
    """Whether _status_time_refusals refuses each action of `only`, without wording why (but for
    signing, which no list of sessions asks about: it is judged through the worded answer)."""
    refused = {
        action: appointment.status_change_refused(status, now) is not None
        for action, status in _STATUS_OF.items()
        if action in only
    }
    if MOVE in only:
        refused[MOVE] = not appointment.can_move
    if SIGN in only:
        refused[SIGN] = bool(_status_time_refusals(appointment, now, (SIGN,))[SIGN])
    return refused


def _reasons(sentence: str) -> list[str]:
    return [sentence] if sentence else []


def _judged(
    appointments: list[Appointment], now: dt.datetime, only: Collection[str], judge: Callable = _status_time_refusals
) -> tuple[list[dict], set[int], dict[int, PatientContraindications]]:
    """Each session's refusals by status and time (by `judge`: the sentences, or whether any), the
    indexes of the sessions whose treatment is still ahead (the session is open, or a treatment
    action is pending), and the contraindication check at `now` of their patients."""
    refusals = [judge(appointment, now, only) for appointment in appointments]
    ahead = {
        index
        for index, (appointment, why_not) in enumerate(zip(appointments, refusals, strict=True))
        if appointment.is_open or any(not why_not[action] for action in TREATMENT_ACTIONS if action in why_not)
    }
    patient_ids = {appointments[index].patient_id for index in ahead}
    checks = contraindications_by_patient(patient_ids=patient_ids, at=now) if ahead else {}
    return refusals, ahead, checks


def appointments_actions(
    appointments: list[Appointment], *, now: dt.datetime | None = None, only: Collection[str] = ACTIONS
) -> list[AppointmentActions]:
    """appointment_actions for a list of sessions (My day): each appointment also gets it as
    `actions`. The contraindication check runs for the sessions still to be treated, at `now`,
    in at most four queries however many sessions (plus one for notes not selected with them).
    `only`: the actions a page offers; asking the result about another action is an error."""
    now = now or timezone.now()
    refusals, ahead, checks = _judged(appointments, now, only)
    results = []
    for index, (appointment, why_not) in enumerate(zip(appointments, refusals, strict=True)):
        blocks, warnings = [], []
        if index in ahead:
            result = checks[appointment.patient_id].check(appointment.modality)
            blocks, warnings = result.blocks, result.warnings
            for action in TREATMENT_ACTIONS:
                if action in why_not and not why_not[action]:
                    why_not[action] = list(blocks)
        appointment.actions = AppointmentActions(why_not=why_not, blocks=blocks, warnings=warnings)
        results.append(appointment.actions)
    return results


def appointments_allowed(
    appointments: list[Appointment], *, now: dt.datetime | None = None, only: Collection[str]
) -> list[set[str]]:
    """The actions of `only` that appointments_actions allows each session, without wording any
    refusal (by status and time, or by the contraindication check): the day board shows check-in
    and no-show for hundreds of sessions and no reasons (translating them cost more than the rest
    of the judgement)."""
    now = now or timezone.now()
    judged, _, checks = _judged(appointments, now, only, _status_time_refused)
    # A treatment action still allowed by status and time means the session is ahead: its patient is checked.
    return [
        {
            action
            for action, refused in by_status_and_time.items()
            if not refused
            and (action not in TREATMENT_ACTIONS or checks[appointment.patient_id].allows(appointment.modality))
        }
        for appointment, by_status_and_time in zip(appointments, judged, strict=True)
    ]


def appointment_actions(appointment: Appointment, *, now: dt.datetime | None = None) -> AppointmentActions:
    """What may be done with `appointment` at `now` (default: now), and why not: check in (booked,
    on its day), complete (booked or checked in, started), no-show (booked, started), cancel
    (booked or checked in), move (booked), sign its note (checked in or completed, started, not
    signed yet); check-in, completion and signing also need the contraindication check to pass
    at `now` (patients.contraindications: no acute phase, no `block` rule)."""
    return appointments_actions([appointment], now=now)[0]


def _locked(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update(of=("self",)).select_related("patient", "modality").get(pk=appointment.pk)
    )


def appointment_status_set(appointment: Appointment, status: str, *, now: dt.datetime) -> Appointment:
    """Write a status change already judged allowed (the caller holds the row's lock): the status,
    its time stamp, and the course's completion once a session is completed. The one place a
    status is written; session_note_sign completes a checked-in session through it too. A
    cancelled session still ahead frees its slot for the waitlist (sessions.freed_slots), in the
    same transaction."""
    appointment.status = status
    if status == AppointmentStatus.CHECKED_IN:
        appointment.checked_in_at = now
    freed_cause = ""
    if status == AppointmentStatus.CANCELLED:
        appointment.cancelled_at = now
        freed_cause = FreedCause.REVIEW_CANCELLED if appointment.needs_review else FreedCause.CANCELLED
        # A cancelled session needs no review any more, whichever page cancelled it.
        appointment.needs_review = False
        appointment.review_reason = ""
    appointment.save()
    if freed_cause:
        freed_slot_record(appointment=appointment, cause=freed_cause, now=now)
    if status == AppointmentStatus.COMPLETED and appointment.course_id is not None:
        course_complete_if_full(course=appointment.course)
    if status in _EVENT_OF:
        event_announce(_EVENT_OF[status], appointment=appointment)
    return appointment


@transaction.atomic
def _status_change(*, appointment: Appointment, action: str) -> Appointment:
    """Check in, complete or record a no-show: judged on the locked row by appointment_actions
    (status, time, and for treatment the contraindication check), then written once. The
    returned session carries `treatment_warnings`, the `warn` rules to read at check-in."""
    now = timezone.now()
    locked = _locked(appointment)
    actions = appointment_actions(locked, now=now)
    if not actions.allows(action):
        raise Refused(actions.why_not[action])
    appointment_status_set(locked, _STATUS_OF[action], now=now)
    locked.treatment_warnings = actions.warnings
    return locked


@transaction.atomic
def appointment_cancel(*, appointment: Appointment, reason: str) -> Appointment:
    """Cancel and free the slot; the row stays, with the reason, for the record."""
    reason = reason.strip()
    if not reason:
        raise Refused([gettext("Give a reason for the cancellation.")])
    locked = _locked(appointment)
    refusal = locked.status_change_refusal(AppointmentStatus.CANCELLED)
    if refusal:
        raise Refused([refusal])
    locked.cancellation_reason = reason
    return appointment_status_set(locked, AppointmentStatus.CANCELLED, now=timezone.now())


def appointment_check_in(*, appointment: Appointment) -> Appointment:
    """Check the patient in: booked, on the session's day, and nothing blocks treatment now."""
    return _status_change(appointment=appointment, action=CHECK_IN)


def appointment_complete(*, appointment: Appointment) -> Appointment:
    """Complete a session that has started, if nothing blocks treatment now; the course
    completes once its last session is done."""
    return _status_change(appointment=appointment, action=COMPLETE)


def appointment_no_show(*, appointment: Appointment) -> Appointment:
    """Record that the patient did not come, once the start time has passed."""
    return _status_change(appointment=appointment, action=NO_SHOW)


def appointments_flag_for_review(*, record: PhaseRecord) -> int:
    """An acute phase puts every later session of the patient in doubt: flag them, never delete.

    Only the sessions this record governs: none for a diagnosis that is no longer active (it
    does not block), and none after a later record of the diagnosis takes over, so entering an
    old acute spell that a remission already ended flags nothing.
    """
    diagnosis = record.diagnosis
    if not diagnosis.active:
        return 0
    with translation.override(None):  # stored: in the source language, whoever recorded the phase
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


@transaction.atomic
def appointments_review_cancel(*, patient: Patient, reason: str, now: dt.datetime | None = None) -> list[Appointment]:
    """Cancel every session of `patient` that waits for review, in one step: all of them or none
    (one transaction, the rows locked first), each written like a single cancellation
    (appointment_status_set: the reason, the moment, the review flag cleared)."""
    reason = reason.strip()
    if not reason:
        raise Refused([gettext("Give a reason for the cancellation.")])
    now = now or timezone.now()
    flagged = list(
        Appointment.objects.needing_review()
        .filter(patient_id=patient.pk)
        .select_for_update(of=("self",))
        .select_related("patient", "modality")
        .order_by("starts_at", "pk")
    )
    if not flagged:
        raise Refused([gettext("No session of %(patient)s waits for review any more.") % {"patient": patient}])
    # needing_review() holds open sessions only (booked, checked in), and both may be cancelled
    # (TRANSITIONS); a session completed meanwhile dropped out of the locked selection.
    for appointment in flagged:
        appointment.cancellation_reason = reason[:300]
        appointment_status_set(appointment, AppointmentStatus.CANCELLED, now=now)
    return flagged


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
                raise Refused(
                    [gettext("This session is %(status)s; it cannot be cancelled any more.") % {"status": status}]
                )
            hours = settings.CANCELLATION_NOTICE_HOURS
            raise Refused(
                [
                    ngettext(
                        "Sessions can be cancelled online until %(hours)s hours before they start. Please call the "
                        "clinic on %(phone)s.",
                        "Sessions can be cancelled online until %(hours)s hours before they start. Please call the "
                        "clinic on %(phone)s.",
                        hours,
                    )
                    % {"hours": hours, "phone": settings.CLINIC_PHONE}
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


def sessions_flagged_ahead(*, patient: Patient | None = None) -> int:
    """The sessions still ahead that wait for reception to review them: the patient's, or with no
    patient the whole clinic's (the day board's notice)."""
    flagged = Appointment.objects.needing_review().filter(starts_at__gte=timezone.now())
    if patient is not None:
        flagged = flagged.filter(patient_id=patient.pk)
    return flagged.count()
