"""What the patient portal reads: the patient's sessions ahead and behind, their courses with
progress, the patient-facing part of their signed notes (never the clinical text), and what they
have still to fill in before treatment (the intake questionnaire, consents; also read by the
reception tablet)."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from clinic.models import Modality
from patients.consent import ConsentState, consent_states, consents_due
from patients.intake import intake_answered_at
from patients.models import IntakeVersion, Patient
from sessions.appointments import appointment_patient_can_cancel
from sessions.course_progress import (
    courses_with_progress,
    sessions_left,
)
from sessions.models import (
    CLOSABLE_COURSE_STATUSES,
    OPEN_STATUSES,
    Appointment,
    Course,
    CourseStatus,
    SessionNote,
)
from sessions.self_booking import self_booking_offered, self_move_offered


def _patient_sessions(patient: Patient):
    return Appointment.objects.filter(patient_id=patient.pk).select_related(
        "modality", "therapist__user", "room", "course"
    )


def _upcoming(now: dt.datetime) -> Q:
    # A session under way still counts: it has not ended.
    return Q(status__in=OPEN_STATUSES, ends_at__gt=now)


def portal_upcoming(*, patient: Patient, now: dt.datetime, limit: int | None = None) -> list[Appointment]:
    """The patient's open sessions that have not ended yet, soonest first, each with
    `patient_can_cancel` and `patient_can_move` (self-booking). One query."""
    sessions = _patient_sessions(patient).filter(_upcoming(now)).order_by("starts_at", "pk")
    upcoming = list(sessions[:limit] if limit else sessions)
    for appointment in upcoming:
        appointment.patient_can_cancel = appointment_patient_can_cancel(appointment=appointment, now=now)
        appointment.patient_can_move = self_move_offered(patient=patient, appointment=appointment, now=now)
    return upcoming


def portal_earlier(*, patient: Patient, now: dt.datetime, limit: int = 30) -> list[Appointment]:
    """The patient's other sessions (held, missed, cancelled), newest first. One query."""
    return list(_patient_sessions(patient).exclude(_upcoming(now)).order_by("-starts_at", "-pk")[:limit])


@dataclass
class PortalNote:
    """What a patient reads of a signed session note: never the clinical (SOAP) text."""

    starts_at: dt.datetime
    pain_before: int | None
    pain_after: int | None
    summary: str


def _portal_notes(patient: Patient) -> dict[int | None, list[PortalNote]]:
    """The patient's signed notes by course id, oldest first. Only the patient-facing columns
    are read, so the clinical text cannot leak into the page by accident."""
    rows = (
        SessionNote.objects.filter(appointment__patient_id=patient.pk, signed_at__isnull=False)
        .order_by("appointment__starts_at", "pk")
        .values_list("appointment__course_id", "appointment__starts_at", "pain_before", "pain_after", "patient_summary")
    )
    by_course: dict[int | None, list[PortalNote]] = {}
    for course_id, starts_at, before, after, summary in rows:
        by_course.setdefault(course_id, []).append(PortalNote(starts_at, before, after, summary.strip()))
    return by_course


def portal_pain_points(notes: list[PortalNote]) -> list[tuple[str, int | None, int | None]]:
    """The chart's points: each scored session labelled with its date (with the year only when
    the sessions span more than one)."""
    scored = [n for n in notes if n.pain_before is not None or n.pain_after is not None]
    years = {timezone.localtime(n.starts_at).year for n in scored}
    label = "j M" if len(years) <= 1 else "j M Y"
    return [(date_format(timezone.localtime(n.starts_at), label), n.pain_before, n.pain_after) for n in scored]


def portal_courses(*, patient: Patient) -> tuple[list[Course], list[PortalNote]]:
    """The patient's courses, newest first, each with `sessions_done`, `sessions_left`, `notes`
    (signed, oldest first) and `pain_points`; and the signed notes of sessions outside any
    course. Two queries however many courses and notes."""
    notes = _portal_notes(patient)
    courses = [c for c in courses_with_progress(patient=patient) if c.status != CourseStatus.CANCELLED or c.pk in notes]
    for course in courses:
        course.notes = notes.get(course.pk, [])
        course.pain_points = portal_pain_points(course.notes)
        course.sessions_left = sessions_left(course)
        course.self_book_offered = _self_book_offered(patient, course)
    return courses, notes.get(None, [])


def _self_book_offered(patient: Patient, course: Course) -> bool:
    """A button to book the next session (on a course from courses_with_progress); the booking
    page says why not when the rules refuse (sessions.self_booking)."""
    return self_booking_offered(patient) and course.is_bookable and course.sessions_booked < course.max_sessions


def portal_self_bookable(*, patient: Patient) -> list[Course]:
    """The patient's courses the portal offers to book a session of. One query."""
    if not self_booking_offered(patient):
        return []
    return [course for course in courses_with_progress(patient=patient) if _self_book_offered(patient, course)]


def patient_planned_modalities(*, patient: Patient, now: dt.datetime) -> list[Modality] | None:
    """The modalities planned for the patient: their courses not yet finished (planned, active,
    suspended) and their open sessions ahead; None when nothing is planned. What the consents due
    are worked out for (patients.consent.consents_due). One query.

    Two subqueries on the patient's own rows, not joins: joining a modality with every course and
    every session of the clinic before filtering took minutes at the scale of a real practice."""
    courses = Course.objects.filter(patient_id=patient.pk, status__in=CLOSABLE_COURSE_STATUSES)
    sessions = Appointment.objects.filter(patient_id=patient.pk, status__in=OPEN_STATUSES, ends_at__gt=now)
    modalities = list(
        Modality.objects.filter(
            Q(pk__in=courses.values("modality_id")) | Q(pk__in=sessions.values("modality_id"))
        ).order_by("name")
    )
    return modalities or None


@dataclass
class BeforeTreatment:
    """What a patient has still to fill in before treatment: the intake questionnaire (until they
    answer it once), and the consents their planned treatment needs; with when they answered and
    every consent's state, for pages that show those too."""

    intake_due: bool
    consents_due: list[ConsentState]
    intake_answered_at: dt.datetime | None = None
    consents: list[ConsentState] = field(default_factory=list)

    @property
    def anything(self) -> bool:
        return self.intake_due or bool(self.consents_due)


def before_treatment_due(*, patient: Patient, now: dt.datetime | None = None) -> BeforeTreatment:
    """The questionnaire, while unanswered; the consents not signed in their current version
    that cover a modality planned for the patient (every active one while nothing is planned).
    For the portal's home, reception's overview and the tablet. At most six queries."""
    planned = patient_planned_modalities(patient=patient, now=now or timezone.now())
    answered_at = intake_answered_at(patient=patient)
    states = consent_states(patient=patient)
    return BeforeTreatment(
        intake_due=answered_at is None and IntakeVersion.objects.exists(),
        consents_due=consents_due(patient=patient, modalities=planned, states=states),
        intake_answered_at=answered_at,
        consents=states,
    )
