"""Everything the clinic holds on one patient, for their copy (GDPR articles 15 and 20): a
machine-readable archive (`patient_export`, a dict that is JSON once encoded with Django's
encoder) and the same content as labelled sections for the readable document.

Each section is one model reached from the patient, and a row is every concrete field of that
model read by introspection, so a field added to a model later is exported without anyone
remembering to add it here (tests/sessions/test_patient_export.py fails when a model that points
at a patient's record is missing from SECTIONS). Only the fields in EXCLUDED are left out: they
are secrets that open something, not information about the person.

This module sits in `sessions/` because the record spans every layer below the pages: the
patient and their clinical record (patients), the measures (outcomes), and the courses,
sessions, notes and waitlist (sessions).
"""

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_lazy, pgettext

from patients.models import (
    BreakGlassAccess,
    BreakGlassReview,
    ConsentSignature,
    Diagnosis,
    FlagProposal,
    HealthFlag,
    IntakeAnswer,
    IntakeResponse,
    KioskSession,
    Patient,
    PhaseRecord,
    Study,
)
from sessions.models import (
    Addendum,
    Appointment,
    Course,
    FreedSlot,
    OutcomeScore,
    SessionNote,
    WaitlistEntry,
    WaitlistOffer,
)

FORMAT_VERSION = 1

# (model, field name) → why it is not handed over. Secrets that open something are not data about
# the person, and a copy of them in a download would be one more place to steal them from.
EXCLUDED: dict[tuple[type[models.Model], str], str] = {
    (Patient, "calendar_token"): gettext_lazy(
        "the secret in the calendar subscription address: whoever holds it reads the patient's "
        "sessions; the export says only whether one is set"
    ),
    (KioskSession, "token_hash"): gettext_lazy(
        "the hash of the reception tablet's secret, which opened the tablet for the patient"
    ),
    (get_user_model(), "password"): gettext_lazy(
        "the hash of the portal password, which logs in; never shown to anyone"
    ),
}

# Whole records kept beside the patient's that are secrets too.
NOT_EXPORTED_RECORDS = (
    gettext_lazy("the portal login's second-factor devices and recovery codes: secrets that log in"),
)


def not_exported() -> list[str]:
    fields = [f"{model._meta.verbose_name}, {name}: {why}" for (model, name), why in EXCLUDED.items()]
    return [*fields, *map(str, NOT_EXPORTED_RECORDS)]


@dataclass(frozen=True)
class Section:
    model: type[models.Model]
    to_patient: str  # the lookup from a row of `model` to its patient

    @property
    def key(self) -> str:
        # The archive's keys are the same in every language: from the models' untranslated names.
        with translation.override(None):
            return re.sub(r"[^a-z]+", "_", str(self.model._meta.verbose_name_plural))

    @property
    def title(self) -> str:
        return TITLES.get(self.model) or capfirst(str(self.model._meta.verbose_name_plural))

    @property
    def extras(self) -> tuple[tuple[str, str], ...]:
        return EXTRAS.get(self.model, ())


def _sections(to_patient: str, *models_: type[models.Model]) -> list[Section]:
    return [Section(model, to_patient) for model in models_]


# One section per model of the record, grouped by the way each reaches the patient, then put in
# the order a reader follows the record.
_GROUPED = (
    *_sections("patient", Diagnosis, HealthFlag, Course, Appointment, OutcomeScore, IntakeResponse, FlagProposal),
    *_sections("patient", ConsentSignature, WaitlistEntry, WaitlistOffer, KioskSession, BreakGlassAccess),
    *_sections("diagnosis__patient", Study, PhaseRecord),
    *_sections("appointment__patient", SessionNote, FreedSlot),
    *_sections("note__appointment__patient", Addendum),
    *_sections("response__patient", IntakeAnswer),
    *_sections("access__patient", BreakGlassReview),
)
READING_ORDER = [Diagnosis, Study, PhaseRecord, HealthFlag, Course, Appointment, SessionNote, Addendum, OutcomeScore]
READING_ORDER += [IntakeResponse, IntakeAnswer, FlagProposal, ConsentSignature, WaitlistEntry, WaitlistOffer]
READING_ORDER += [FreedSlot, KioskSession, BreakGlassAccess, BreakGlassReview]
SECTIONS: tuple[Section, ...] = tuple(sorted(_GROUPED, key=lambda section: READING_ORDER.index(section.model)))


# Headings the readable document says better than the model's name.
TITLES = {
    Appointment: gettext_lazy("Sessions (appointments)"),
    IntakeResponse: gettext_lazy("Health questionnaires answered"),
    FreedSlot: gettext_lazy("Slots freed by the patient's cancellations and moves"),
    KioskSession: gettext_lazy("Reception tablet sessions"),
    BreakGlassAccess: gettext_lazy("Emergency accesses to the chart"),
    BreakGlassReview: gettext_lazy("Reviews of those emergency accesses"),
}

# Values from the rows a row refers to, which make it readable on its own: (name, lookup).
EXTRAS = {
    OutcomeScore: (("measure_name", "measure__name"),),
    IntakeAnswer: (("question_text", "question__text"),),
    ConsentSignature: (
        ("consent_topic", "version__topic__name"),
        ("version_number", "version__number"),
        ("version_text_sha256", "version__text_sha256"),
    ),
}
# Their labels in the readable document.
EXTRA_LABELS = {
    "measure_name": gettext_lazy("Measure name"),
    "question_text": gettext_lazy("Question text"),
    "consent_topic": gettext_lazy("Consent topic"),
    "version_number": gettext_lazy("Version number"),
    "version_text_sha256": gettext_lazy("Version text sha256"),
}


def exported_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if (model, f.name) not in EXCLUDED]


def _value(f: models.Field, obj: models.Model) -> Any:
    # A relation is its id (value_from_object reads the `_id` column): rows of other sections and
    # the clinic's catalogue are referred to, not copied.
    return f.value_from_object(obj)


def row_dict(obj: models.Model) -> dict[str, Any]:
    return {f.name: _value(f, obj) for f in exported_fields(type(obj))}


def section_rows(section: Section, patient: Patient) -> list[models.Model]:
    rows = section.model._default_manager.filter(**{section.to_patient: patient}).order_by("pk")
    if section.extras:
        rows = rows.annotate(**{name: models.F(path) for name, path in section.extras})
    return list(rows)


def _row_with_extras(section: Section, obj: models.Model) -> dict[str, Any]:
    row = row_dict(obj)
    row.update({name: getattr(obj, name) for name, _ in section.extras})
    return row


def portal_account(patient: Patient) -> dict[str, Any] | None:
    """The patient's portal login, every field but the password hash; None without one. Their
    second-factor devices and recovery codes are secrets too and are not exported."""
    user = patient.user
    return row_dict(user) if user is not None else None


def record_reads(patient: Patient) -> list[dict[str, Any]]:
    """Who read (or tried to read, or exported) the record, and when, from the audit log's access
    entries (clinic.audit.audit_access). The reader's address is theirs, not the patient's."""
    entries = (
        LogEntry.objects.filter(action=LogEntry.Action.ACCESS, additional_data__patient_id=patient.pk)
        .select_related("actor")
        .order_by("timestamp", "pk")
    )
    reads = []
    for entry in entries:
        data = entry.additional_data or {}
        actor = entry.actor
        reads.append(
            {
                "at": entry.timestamp,
                "by": (actor.get_full_name() or actor.get_username()) if actor else None,
                "by_username": actor.get_username() if actor else None,
                "what": data.get("action"),
                "outcome": data.get("outcome"),
                "page": data.get("path"),
                "detail": data.get("detail", ""),
            }
        )
    return reads


def patient_export(*, patient: Patient, now: dt.datetime | None = None) -> dict[str, Any]:
    """The whole record of `patient` as plain data (encode with DjangoJSONEncoder)."""
    patient = Patient.objects.select_related("user").get(pk=patient.pk)
    return {
        "format_version": FORMAT_VERSION,
        "exported_at": now or timezone.now(),
        "patient": {**row_dict(patient), "calendar_subscription": bool(patient.calendar_token)},
        "portal_account": portal_account(patient),
        **{s.key: [_row_with_extras(s, obj) for obj in section_rows(s, patient)] for s in SECTIONS},
        "record_reads": record_reads(patient),
        "not_exported": not_exported(),
    }


# --- the readable document ---------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    label: str
    value: str


def _display(f: models.Field, obj: models.Model) -> str:
    value = _value(f, obj)
    if value is None or value == "":
        return "—"
    if f.choices:
        return str(getattr(obj, f"get_{f.name}_display")())
    if f.is_relation:
        related = getattr(obj, f.name)
        if hasattr(related, "get_full_name"):
            return related.get_full_name() or related.get_username()
        return f"{related} (#{value})"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, dt.datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)


def _items(obj: models.Model, extras: tuple[tuple[str, str], ...] = ()) -> list[Item]:
    items = [Item(capfirst(str(f.verbose_name)), _display(f, obj)) for f in exported_fields(type(obj))]
    items += [
        Item(capfirst(str(EXTRA_LABELS.get(name) or name.replace("_", " "))), str(getattr(obj, name)))
        for name, _ in extras
    ]
    return items


def patient_document(*, patient: Patient) -> dict[str, Any]:
    """The same record as labelled sections for the readable (printable) document."""
    patient = Patient.objects.select_related("user").get(pk=patient.pk)
    subscription = (
        pgettext("calendar subscription", "set up")
        if patient.calendar_token
        else pgettext("calendar subscription", "none")
    )
    demographics = _items(patient) + [Item(gettext("Calendar subscription"), subscription)]
    sections = [
        {"key": s.key, "title": s.title, "rows": [_items(obj, s.extras) for obj in section_rows(s, patient)]}
        for s in SECTIONS
    ]
    return {
        "patient": patient,
        "demographics": demographics,
        "portal_account": _items(patient.user) if patient.user else None,
        "sections": sections,
        "reads": record_reads(patient),
        "not_exported": not_exported(),
    }
