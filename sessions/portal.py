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
from patients.intake import intake_answered_at, intake_published
from patients.models import Patient
from patients.record_version import next_midnight
from sessions.appointments import appointment_patient_can_cancel
from sessions.course_progress import (
    course_number,
    courses_with_progress,
    sessions_left,
)
from sessions.models import (
    CLOSABLE_COURSE_STATUSES,
    COUNTED_STATUSES,
    OPEN_STATUSES,
    Appointment,
    AppointmentStatus,
    Course,
    CourseStatus,
)
from sessions.self_booking import self_booking_offered, self_move_offered


def _patient_sessions(patient: Patient):
    return Appointment.objects.filter(patient_id=patient.pk).select_related(
        "modality", "therapist__user", "room", "course"
    )


def _upcoming(now: dt.datetime) -> Q:
    # A session under way still counts: it has not ended.
    return Q(status__in=OPEN_STATUSES, ends_at__gt=now)


def portal_upcoming(
    *, patient: Patient, now: dt.datetime, limit: int | None = None, numbered: bool = False
) -> list[Appointment]:
    """The patient's open sessions that have not ended yet, soonest first, each with
    `patient_can_cancel` and `patient_can_move` (self-booking); `numbered`: each with its
    `session_number` in its course too (None outside a course; what annotate_course_position
    gives, counted in the same query). One query."""
    sessions = _patient_sessions(patient).filter(_upcoming(now)).order_by("starts_at", "pk")
    if numbered:
        # Open sessions all count towards their course, so each course session has a number.
        sessions = sessions.annotate(session_number=course_number())
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


def portal_pain_points(notes: list[PortalNote]) -> list[tuple[str, int | None, int | None]]:
    """The chart's points: each scored session labelled with its date (with the year only when
    the sessions span more than one)."""
    scored = [n for n in notes if n.pain_before is not None or n.pain_after is not None]
    years = {timezone.localtime(n.starts_at).year for n in scored}
    label = "j M" if len(years) <= 1 else "j M Y"
    return [(date_format(timezone.localtime(n.starts_at), label), n.pain_before, n.pain_after) for n in scored]


@dataclass
class PortalSession:
    """A session ahead as the portal's home shows it (portal/_portal_appointment.html, without
    its actions): the names it shows, read with the rest of the patient's sessions."""

    pk: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str
    course: Course | None
    modality: str
    therapist: str
    room: str
    session_number: int | None = None

    def get_status_display(self) -> str:
        return AppointmentStatus(self.status).label


@dataclass
class PortalHome:
    """What the portal's home shows of the patient's sessions and courses (portal_home_read)."""

    courses: list[Course]
    other_notes: list[PortalNote]
    upcoming: list[PortalSession]
    planned: list[Modality] | None
    # The first moment all this reads differently with no write: the next local midnight, or the
    # end of an open session (it leaves the sessions ahead, and what is planned may change).
    steady_until: dt.datetime


# One row per session of the patient, with its note's patient-facing columns (never the clinical
# text) and the names a card of a session ahead shows.
_SESSION_COLUMNS = (
    "pk",
    "course_id",
    "status",
    "starts_at",
    "ends_at",
    "modality_id",
    "modality__name",
    "modality__uses_oils",
    "therapist__user__first_name",
    "therapist__user__last_name",
    "therapist__user__username",
    "room__name",
    "note__pk",
    "note__signed_at",
    "note__pain_before",
    "note__pain_after",
    "note__patient_summary",
)


def portal_home_read(*, patient: Patient, now: dt.datetime, upcoming: int) -> PortalHome:
    """The patient's courses, newest first, each with `sessions_done`, `sessions_booked`,
    `sessions_left`, `notes` (signed, oldest first), `pain_points` and `self_book_offered`; the
    signed notes of sessions outside any course; the first `upcoming` open sessions that have
    not ended, soonest first, each with its `session_number` in its course; and the modalities
    planned (patient_planned_modalities). Two queries however many courses and sessions: the
    patient's sessions are read once, with their notes, and counted here, rather than asked
    about again for each of those."""
    # Sorted here, as each use needs: the database need not.
    rows = list(Appointment.objects.filter(patient_id=patient.pk).order_by().values_list(*_SESSION_COLUMNS, named=True))
    courses = list(
        Course.objects.filter(patient_id=patient.pk).select_related("modality", "diagnosis").order_by("-starts_on")
    )
    by_pk = {course.pk: course for course in courses}
    notes: dict[int | None, list[PortalNote]] = {}
    for row in sorted((r for r in rows if r.note__signed_at is not None), key=lambda r: (r.starts_at, r.note__pk)):
        notes.setdefault(row.course_id, []).append(
            PortalNote(row.starts_at, row.note__pain_before, row.note__pain_after, row.note__patient_summary.strip())
        )
    done: dict[int, int] = {}
    counted: dict[int, list[tuple[dt.datetime, int]]] = {}
    ahead = []
    planned = {course.modality_id: course.modality for course in courses if course.status in CLOSABLE_COURSE_STATUSES}
    for row in rows:
        if row.course_id is not None and row.status in COUNTED_STATUSES:
            counted.setdefault(row.course_id, []).append((row.starts_at, row.pk))
            if row.status == AppointmentStatus.COMPLETED and row.note__signed_at is not None:
                done[row.course_id] = done.get(row.course_id, 0) + 1
        if row.status in OPEN_STATUSES and row.ends_at > now:
            ahead.append(row)
            if row.modality_id not in planned:
                planned[row.modality_id] = Modality(
                    pk=row.modality_id, name=row.modality__name, uses_oils=row.modality__uses_oils
                )
    ahead.sort(key=lambda r: (r.starts_at, r.pk))
    sessions = []
    for row in ahead[:upcoming]:
        # Its place among its course's counted sessions in time order (annotate_course_position).
        place = (row.starts_at, row.pk)
        number = sum(1 for key in counted[row.course_id] if key <= place) if row.course_id is not None else None
        # The therapist's name as Therapist.__str__ writes it.
        first_last = f"{row.therapist__user__first_name} {row.therapist__user__last_name}".strip()
        sessions.append(
            PortalSession(
                pk=row.pk,
                starts_at=row.starts_at,
                ends_at=row.ends_at,
                status=row.status,
                course=by_pk.get(row.course_id),
                modality=row.modality__name,
                therapist=first_last or row.therapist__user__username,
                room=row.room__name,
                session_number=number,
            )
        )
    shown = []
    for course in courses:
        course.sessions_done = done.get(course.pk, 0)
        course.sessions_booked = len(counted.get(course.pk, ()))
        if course.status == CourseStatus.CANCELLED and course.pk not in notes:
            continue
        course.notes = notes.get(course.pk, [])
        course.pain_points = portal_pain_points(course.notes)
        course.sessions_left = sessions_left(course)
        course.self_book_offered = _self_book_offered(patient, course)
        shown.append(course)
    return PortalHome(
        courses=shown,
        other_notes=notes.get(None, []),
        upcoming=sessions,
        planned=sorted(planned.values(), key=lambda m: m.name) or None,
        steady_until=min([next_midnight(now), *(row.ends_at for row in ahead)]),
    )


def portal_courses(*, patient: Patient) -> tuple[list[Course], list[PortalNote]]:
    """The patient's courses, newest first, each with `sessions_done`, `sessions_left`, `notes`
    (signed, oldest first) and `pain_points`; and the signed notes of sessions outside any
    course. Two queries however many courses and notes (portal_home_read)."""
    home = portal_home_read(patient=patient, now=timezone.now(), upcoming=0)
    return home.courses, home.other_notes


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
    return before_treatment(
        patient=patient, planned=patient_planned_modalities(patient=patient, now=now or timezone.now())
    )


def before_treatment(*, patient: Patient, planned: list[Modality] | None) -> BeforeTreatment:
    """before_treatment_due for a caller that has read the modalities planned for the patient
    already (portal_home_read). At most five queries."""
    answered_at = intake_answered_at(patient=patient)
    states = consent_states(patient=patient)
    return BeforeTreatment(
        intake_due=answered_at is None and intake_published(),
        consents_due=consents_due(patient=patient, modalities=planned, states=states),
        intake_answered_at=answered_at,
        consents=states,
    )
