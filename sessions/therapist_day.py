"""The therapist's day: her sessions with what she must know before each (health flags that
need care, oil allergies against the oils she uses)."""

import datetime as dt

from clinic.models import Therapist
from patients.models import FlagKind, HealthFlag
from patients.selectors import health_flags_active_by_patient
from sessions.appointments import appointments_actions
from sessions.course_progress import annotate_course_position
from sessions.models import (
    Appointment,
    AppointmentStatus,
)
from sessions.schedule import at_local

# The health flags a therapist must have in mind before laying hands on a patient.
SESSION_WARNING_KINDS = (FlagKind.OIL_ALLERGY, FlagKind.HYPERTENSION, FlagKind.PREGNANCY)


def therapist_day(*, therapist: Therapist, day: dt.date, now: dt.datetime | None = None) -> list[Appointment]:
    """The therapist's non-cancelled sessions on `day` in time order, each with `session_number`
    (in its course), `warnings` (active health flags that need care), `note_status`, and
    `actions` (sessions.appointments.appointment_actions at `now`: what may be done, and what
    the contraindication check says against treating). At most eight queries however many sessions."""

    appointments = list(
        Appointment.objects.filter(
            therapist=therapist,
            starts_at__gte=at_local(day, dt.time.min),
            starts_at__lt=at_local(day + dt.timedelta(days=1), dt.time.min),
        )
        .exclude(status=AppointmentStatus.CANCELLED)
        .select_related("patient", "modality", "room", "course", "note")
        .order_by("starts_at", "pk")
    )
    annotate_course_position(appointments)
    flags = health_flags_active_by_patient(
        patient_ids={a.patient_id for a in appointments}, on=day, kinds=SESSION_WARNING_KINDS
    )
    for appointment in appointments:
        appointment.warnings = flags.get(appointment.patient_id, [])
        note = getattr(appointment, "note", None)  # None when select_related found no note
        appointment.note_status = "none" if note is None else ("signed" if note.is_signed else "draft")
    appointments_actions(appointments, now=now)
    return appointments


def _oil_names(substance: str) -> set[str]:
    """An allergy to "lavender oil" must also catch "lavender" in a list of oils."""
    name = " ".join(substance.lower().split())
    names = {name}
    for suffix in (" essential oil", " oil"):
        if name.endswith(suffix) and name[: -len(suffix)].strip():
            names.add(name[: -len(suffix)].strip())
    return names


def oil_allergy_conflicts(*, allergies: list[HealthFlag], oils: str) -> list[HealthFlag]:
    """The oil allergies whose substance appears in `oils`, ignoring case."""
    oils = " ".join(oils.lower().split())
    if not oils:
        return []
    return [flag for flag in allergies if any(name in oils for name in _oil_names(flag.substance))]
