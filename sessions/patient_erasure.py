"""Erasing a patient once the clinic no longer has to keep their record (GDPR article 17, with
the duty to keep treatment records of §630f BGB: CLINIC_RETENTION_YEARS after the last treatment
or contact).

Erasure anonymises; it deletes nothing the record's structure or the audit trail needs. Row ids
stay, so the clinic's figures (sessions, courses, pain scores, outcomes) still add up; the
identifying values and the free text are replaced; the portal login is deactivated and stripped.
The audit log is append-only and is not touched: one more entry says who erased the record and
when (on PostgreSQL a trigger refuses any change of the log anyway).

The writes use QuerySet.update() inside `disable_auditlog()` on purpose: a save() would have
django-auditlog copy each old value (the name, the phone, the clinical text) into a new change
entry, writing again what erasure removes. The single erasure entry lists what was replaced.

Signed notes never change (invariant 5): erasure is the one documented exception. The note's
clinical text is replaced, the note is resealed with the current key, and a reseal entry (its
old and new seal, action "erase") goes into the log, which is exactly the story `verify_notes`
accepts for a reseal, so it stays clean. A note whose seal does not match already is not
resealed (that would launder a tampering): the erasure is refused until someone looks.

Consent signatures are deleted rather than anonymised: the typed name is the patient's name and
a signature can never be changed (the model refuses; on PostgreSQL a trigger refuses UPDATE).
The log's entry of each signing stays.
"""

import datetime as dt
from dataclasses import dataclass

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext, ngettext

import patients.models as record
from clinic.audit import ALLOWED, ERASE, access_entry
from clinic.kept_drawings import drawings_of_patient_forget
from clinic.refusals import Refused
from patients.models import Patient
from patients.names import name_fields
from sessions.models import (
    OPEN_STATUSES,
    Addendum,
    Appointment,
    AppointmentStatus,
    Course,
    OfferStatus,
    OutcomeScore,
    SessionNote,
    WaitlistEntry,
    WaitlistOffer,
    WishStatus,
)
from sessions.note_seal import note_reseal_log_entry, note_seal, note_seal_problem

ERASED_TEXT = "[erased]"
ERASED_FIRST_NAME = "Erased patient"

# The free text of the record, by model and the lookup to the patient. A value that was empty
# stays empty; any other becomes ERASED_TEXT (so a text a constraint requires is still there).
FREE_TEXT: tuple[tuple[type[models.Model], str, tuple[str, ...]], ...] = (
    (record.Diagnosis, "patient", ("title", "diagnosed_by")),
    (record.Study, "diagnosis__patient", ("findings",)),
    (record.PhaseRecord, "diagnosis__patient", ("note",)),
    (record.HealthFlag, "patient", ("substance", "note")),
    (Course, "patient", ("goals", "home_programme", "discharge_summary")),
    (Appointment, "patient", ("review_reason", "cancellation_reason")),
    (Addendum, "note__appointment__patient", ("text",)),
    (record.IntakeAnswer, "response__patient", ("detail",)),
    (record.FlagProposal, "patient", ("substance", "detail", "decision_note")),
)
# Every text of a note its author writes (the seal is not one: editable=False).
NOTE_TEXT = tuple(
    f.name
    for f in SessionNote._meta.concrete_fields
    if isinstance(f, models.CharField | models.TextField) and f.editable
)


def retention_years() -> int:
    return settings.CLINIC_RETENTION_YEARS


def years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February, in a year without one
        return day.replace(year=day.year + years, day=28)


def patient_last_contact(patient: Patient) -> dt.date:
    """The day of the last treatment or contact: the latest session (its note is signed after it;
    a cancelled one counts on the day it was cancelled), course change, addendum, measure,
    questionnaire or consent, or the registration."""
    moments = [patient.created_at]
    for queryset, name in (
        (Appointment.objects.filter(patient=patient).exclude(status=AppointmentStatus.CANCELLED), "starts_at"),
        (Appointment.objects.filter(patient=patient, status=AppointmentStatus.CANCELLED), "cancelled_at"),
        (Course.objects.filter(patient=patient), "updated_at"),
        (Addendum.objects.filter(note__appointment__patient=patient), "created_at"),
        (OutcomeScore.objects.filter(patient=patient), "recorded_at"),
        (record.IntakeResponse.objects.filter(patient=patient), "submitted_at"),
        (record.ConsentSignature.objects.filter(patient=patient), "signed_at"),
    ):
        latest = queryset.aggregate(latest=Max(name))["latest"]
        if latest is not None:
            moments.append(latest)
    return timezone.localdate(max(moments))


def patient_erased_entry(patient: Patient) -> LogEntry | None:
    return (
        LogEntry.objects.filter(
            action=LogEntry.Action.ACCESS, additional_data__patient_id=patient.pk, additional_data__action=ERASE
        )
        .order_by("timestamp")
        .first()
    )


def erased_patient_ids() -> set[int]:
    return set(
        LogEntry.objects.filter(action=LogEntry.Action.ACCESS, additional_data__action=ERASE).values_list(
            "additional_data__patient_id", flat=True
        )
    )


@dataclass(frozen=True)
class Retention:
    last_contact: dt.date
    keep_until: dt.date  # the record may be erased from the day after


def patient_retention(patient: Patient) -> Retention:
    last = patient_last_contact(patient)
    return Retention(last_contact=last, keep_until=years_after(last, retention_years()))


def patient_erasure_problems(patient: Patient, *, now: dt.datetime | None = None) -> list[str]:
    """Why the record cannot be erased now, as sentences; empty when it can."""
    now = now or timezone.now()
    erased = patient_erased_entry(patient)
    if erased is not None:
        day = f"{timezone.localtime(erased.timestamp):%Y-%m-%d}"
        return [gettext("This patient's record was erased on %(day)s already.") % {"day": day}]
    problems = []
    ahead = Appointment.objects.filter(patient=patient, status__in=OPEN_STATUSES, starts_at__gte=now)
    if ahead.exists():
        count = ahead.count()
        first = timezone.localtime(ahead.order_by("starts_at").first().starts_at)
        problems.append(
            ngettext(
                "%(count)s session is still booked ahead (the first on %(first)s); cancel it before erasing.",
                "%(count)s sessions are still booked ahead (the first on %(first)s); cancel them before erasing.",
                count,
            )
            % {"count": count, "first": f"{first:%Y-%m-%d}"}
        )
    waiting = WaitlistEntry.objects.filter(patient=patient, status=WishStatus.WAITING).exists()
    offered = WaitlistOffer.objects.filter(patient=patient, status=OfferStatus.OFFERED).exists()
    if waiting or offered:
        problems.append(gettext("The patient is still on the waitlist; withdraw their wishes before erasing."))
    retention = patient_retention(patient)
    if timezone.localdate(now) <= retention.keep_until:
        years = retention_years()
        problems.append(
            ngettext(
                "The record must be kept until %(until)s: %(years)s years after the last treatment or contact on "
                "%(last)s (§630f BGB, CLINIC_RETENTION_YEARS).",
                "The record must be kept until %(until)s: %(years)s years after the last treatment or contact on "
                "%(last)s (§630f BGB, CLINIC_RETENTION_YEARS).",
                years,
            )
            % {
                "until": f"{retention.keep_until:%Y-%m-%d}",
                "years": years,
                "last": f"{retention.last_contact:%Y-%m-%d}",
            }
        )
    for note in SessionNote.objects.filter(appointment__patient=patient, signed_at__isnull=False).order_by("pk"):
        problem = note_seal_problem(note)
        if problem:
            problems.append(
                gettext(
                    "Session note %(note)s: %(problem)s. Run verify_notes and look into it first; erasure reseals "
                    "notes and would hide the change."
                )
                % {"note": note.pk, "problem": problem}
            )
    return problems


def _erase_free_text(patient: Patient) -> int:
    replaced = 0
    for model, to_patient, names in FREE_TEXT:
        rows = model._default_manager.filter(**{to_patient: patient})
        for name in names:
            replaced += rows.exclude(**{name: ""}).update(**{name: ERASED_TEXT})
    for score in OutcomeScore.objects.filter(patient=patient):
        # A patient-specific measure keeps the activities the patient named beside each rating.
        if any(isinstance(answer, dict) and "activity" in answer for answer in score.answers or []):
            answers = [
                {**answer, "activity": ERASED_TEXT} if isinstance(answer, dict) and "activity" in answer else answer
                for answer in score.answers
            ]
            OutcomeScore.objects.filter(pk=score.pk).update(answers=answers)
            replaced += 1
    return replaced


def _erase_notes(patient: Patient) -> int:
    """Replace the clinical text of the patient's notes; a signed one is resealed and the reseal
    logged (module docstring)."""
    notes = SessionNote.objects.filter(appointment__patient=patient).select_related("appointment").order_by("pk")
    reseal_entries = []
    for note in notes:
        changes = {name: ERASED_TEXT for name in NOTE_TEXT if getattr(note, name)}
        if not changes:
            continue
        for name, value in changes.items():
            setattr(note, name, value)
        if note.is_signed:
            old = note.content_hash
            note.content_hash = note_seal(note)
            changes["content_hash"] = note.content_hash
            SessionNote.objects.filter(pk=note.pk, content_hash=old).update(**changes)
            entry = note_reseal_log_entry(note, old)
            entry.additional_data = {**entry.additional_data, "action": ERASE}
            reseal_entries.append(entry)
        else:
            SessionNote.objects.filter(pk=note.pk).update(**changes)
    LogEntry.objects.bulk_create(reseal_entries)
    return len(reseal_entries)


def _erase_portal_account(patient: Patient) -> bool:
    user = patient.user
    if user is None:
        return False
    user.username = f"erased-patient-{patient.pk}"
    user.first_name = user.last_name = user.email = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()  # a deactivation ends the user's sessions (clinic.receivers)
    return True


@transaction.atomic
def patient_erase(*, patient: Patient, by: AbstractBaseUser | None, now: dt.datetime | None = None) -> Patient:
    """Anonymise `patient` once the retention period is over (`patient_erasure_problems` says why
    not). `by`: the manager who asked, or None for the scheduled command. The date of birth keeps
    its year only (1 January): the field is required, a year alone names nobody, and the record
    still tells roughly how old the patient was when treated."""
    patient = Patient.objects.select_for_update(of=("self",)).select_related("user").get(pk=patient.pk)
    problems = patient_erasure_problems(patient, now=now)
    if problems:
        raise Refused(problems)
    with disable_auditlog():
        Patient.objects.filter(pk=patient.pk).update(
            first_name=ERASED_FIRST_NAME,
            last_name=f"#{patient.pk}",
            **name_fields(ERASED_FIRST_NAME, f"#{patient.pk}"),
            date_of_birth=patient.date_of_birth.replace(month=1, day=1),
            phone="",
            email="",
            calendar_token=None,
            self_booking=False,
            updated_at=now or timezone.now(),
        )
        replaced = _erase_free_text(patient)
        resealed = _erase_notes(patient)
        signatures, _ = record.ConsentSignature.objects.filter(patient=patient).delete()
        account = _erase_portal_account(patient)
    # The pages drawn from the record that the app's processes share show what was just erased.
    drawings_of_patient_forget(patient.pk)
    patient.refresh_from_db()
    access_entry(
        patient,
        actor=by,
        remote_addr=None,
        data={
            "patient_id": patient.pk,
            "action": ERASE,
            "outcome": ALLOWED,
            "detail": (
                f"Erased: names, contact details, day and month of birth, calendar token; {replaced} free texts; "
                f"{resealed} signed notes resealed; {signatures} consent signatures deleted; "
                f"portal login {'deactivated' if account else 'none'}."
            ),
        },
    )
    return patient
