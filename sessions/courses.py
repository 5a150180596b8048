"""Treatment courses: prescribe, suspend, resume, close (with the discharge summary), and the
automatic completion once the last session is done."""

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext, pgettext_lazy

from clinic.models import SHORT_TEXT_MAX_LENGTH, Cadence, Modality
from clinic.refusals import Refused
from patients.contraindications import contraindications_check
from patients.models import Diagnosis, Patient
from sessions.course_progress import (
    course_outcome,
    course_sessions_done_count,
)
from sessions.models import (
    Course,
    CourseStatus,
)
from sessions.outcomes import course_outcome_lines


def _course_numbers(modality: Modality, min_sessions, max_sessions, session_minutes, cadence, sessions_per_week):
    """The course's numbers: what the therapist entered, the modality's defaults for the rest."""
    cadence = cadence or modality.cadence
    if sessions_per_week is None and cadence == modality.cadence:
        sessions_per_week = modality.sessions_per_week
    return {
        "min_sessions": modality.course_min_sessions if min_sessions is None else min_sessions,
        "max_sessions": modality.course_max_sessions if max_sessions is None else max_sessions,
        "session_minutes": modality.session_minutes if session_minutes is None else session_minutes,
        "cadence": cadence,
        "sessions_per_week": sessions_per_week,
    }


def _course_problems(course: Course, patient: Patient, diagnosis: Diagnosis) -> list[str]:
    reasons = []
    if diagnosis.patient_id != patient.pk:
        reasons.append(gettext("That diagnosis belongs to another patient."))
    elif not diagnosis.active:
        reasons.append(
            gettext("The diagnosis %(diagnosis)s is no longer active; prescribe for an active diagnosis.")
            % {"diagnosis": diagnosis}
        )
    if course.min_sessions > course.max_sessions:
        reasons.append(
            gettext("The minimum number of sessions (%(min)s) is above the maximum (%(max)s).")
            % {"min": course.min_sessions, "max": course.max_sessions}
        )
    if course.cadence == Cadence.PER_WEEK and course.sessions_per_week is None:
        reasons.append(gettext("Say how many sessions a week the course has."))
    if course.cadence != Cadence.PER_WEEK and course.sessions_per_week is not None:
        reasons.append(
            gettext("Sessions per week go with the 'sessions per week' cadence only; leave the number empty.")
        )
    try:
        # The checks above already say in the clinic's words what the table constraints refuse.
        course.full_clean(exclude=["patient", "diagnosis"], validate_constraints=False)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            label = Course._meta.get_field(name).verbose_name.capitalize() if name != "__all__" else ""
            reasons += [f"{label}: {message}" if label else message for message in messages]
    return reasons


def course_prescription(
    *,
    patient: Patient,
    diagnosis: Diagnosis,
    modality: Modality,
    prescribed_by: AbstractBaseUser,
    starts_on: dt.date,
    min_sessions: int | None = None,
    max_sessions: int | None = None,
    session_minutes: int | None = None,
    cadence: str | None = None,
    sessions_per_week: int | None = None,
    goals: str = "",
    home_programme: str = "",
) -> tuple[Course, list[str]]:
    """The course course_prescribe() would save (unsaved), and every reason it would refuse it:
    the check it runs, for a form that shows the reasons before anything is saved (the admin)."""
    course = Course(
        patient=patient,
        diagnosis=diagnosis,
        modality=modality,
        prescribed_by=prescribed_by,
        starts_on=starts_on,
        goals=goals.strip(),
        home_programme=home_programme.strip(),
        status=CourseStatus.ACTIVE,
        **_course_numbers(modality, min_sessions, max_sessions, session_minutes, cadence, sessions_per_week),
    )
    reasons = contraindications_check(patient=patient, modality=modality, at=timezone.now()).blocks
    reasons += _course_problems(course, patient, diagnosis)
    return course, reasons


def course_prescribe(**prescription) -> Course:
    """Prescribe a course of `modality` for one of the patient's active diagnoses; numbers left
    as None come from the modality's course defaults. Refused, with every reason, while anything
    blocks the modality for the patient today (an acute phase, a blocking health flag).
    Takes the keyword arguments of course_prescription()."""
    course, reasons = course_prescription(**prescription)
    if reasons:
        raise Refused(reasons)
    course.save()
    return course


# What each status change means to a course: the predicate that allows it, and its verb.
_STATUS_CHANGES = {
    CourseStatus.SUSPENDED: ("can_suspend", pgettext_lazy("a course cannot be", "suspended")),
    CourseStatus.ACTIVE: ("can_resume", pgettext_lazy("a course cannot be", "resumed")),
    CourseStatus.COMPLETED: ("can_close", pgettext_lazy("a course cannot be", "closed")),
}


def course_status_changes(course: Course) -> list[str]:
    """The statuses course_suspend, course_resume and course_close may give `course`, as its
    status allows (resuming also needs nothing to block the modality: course_status_problems)."""
    return [status for status, (allowed, _) in _STATUS_CHANGES.items() if getattr(course, allowed)]


def course_status_problems(course: Course, status: str) -> list[str]:
    """Why `course` cannot move to `status` now (suspend, resume or close it); empty if it can.
    The check course_suspend, course_resume and course_close run on the locked course; a form
    runs it first to show the reasons. No service makes a course planned or cancelled."""
    if status not in _STATUS_CHANGES:
        return [gettext("A course can only be suspended, resumed or closed.")]
    allowed, action = _STATUS_CHANGES[status]
    if not getattr(course, allowed):
        words = {"status": course.get_status_display().lower(), "action": action}
        # The English article goes by the status (its value is its English label in lower case).
        if course.status[0] in "aeiou":
            # Translators: "An active course cannot be resumed."
            return [gettext("An %(status)s course cannot be %(action)s.") % words]
        # Translators: "A completed course cannot be closed."
        return [gettext("A %(status)s course cannot be %(action)s.") % words]
    if status == CourseStatus.ACTIVE:
        return contraindications_check(patient=course.patient, modality=course.modality, at=timezone.now()).blocks
    return []


def _locked_course(course: Course, status: str) -> Course:
    """The course, locked, if it may move to `status` now; refused with the reasons otherwise."""
    course = Course.objects.select_for_update().select_related("patient", "modality", "diagnosis").get(pk=course.pk)
    reasons = course_status_problems(course, status)
    if reasons:
        raise Refused(reasons)
    return course


@transaction.atomic
def course_suspend(*, course: Course) -> Course:
    """Pause a course, for instance in a flare-up. Its booked sessions stay booked: an acute
    phase flags them for reception, and the therapist decides about the rest."""
    course = _locked_course(course, CourseStatus.SUSPENDED)
    course.status = CourseStatus.SUSPENDED
    course.save(update_fields=["status", "updated_at"])
    return course


@transaction.atomic
def course_resume(*, course: Course) -> Course:
    """Take a suspended course up again, once nothing blocks its modality for the patient."""
    course = _locked_course(course, CourseStatus.ACTIVE)
    course.status = CourseStatus.ACTIVE
    course.save(update_fields=["status", "updated_at"])
    return course


@transaction.atomic
def course_close(*, course: Course, closed_by: AbstractBaseUser, remarks: str = "") -> Course:
    """Complete a course and keep its discharge summary: what was done and how the pain went."""
    course = _locked_course(course, CourseStatus.COMPLETED)
    course.status = CourseStatus.COMPLETED
    course.discharge_summary = course_discharge_summary(course=course, closed_by=closed_by, remarks=remarks)
    over = len(course.discharge_summary) - SHORT_TEXT_MAX_LENGTH
    if over > 0:
        # The summary's own lines are short; the remarks are what can make it too long to keep.
        raise Refused(
            [
                ngettext(
                    "The discharge summary would be %(over)s characters too long: shorten your remarks.",
                    "The discharge summary would be %(over)s characters too long: shorten your remarks.",
                    over,
                )
                % {"over": f"{over:,}"}
            ]
        )
    course.save(update_fields=["status", "discharge_summary", "updated_at"])
    return course


def _score(value: int | None) -> str:
    return "not recorded" if value is None else f"{value}/10"


def course_discharge_summary(*, course: Course, closed_by: AbstractBaseUser, remarks: str = "") -> str:
    """The text course_close() stores; the close page shows it before the therapist confirms."""
    outcome = course_outcome(course=course)
    closer = closed_by.get_full_name() or closed_by.get_username()
    lines = [
        f"{course.modality} for {course.diagnosis.icd10_code} {course.diagnosis.title}, "
        f"started {date_format(course.starts_on, 'j F Y')}; "
        f"closed on {date_format(timezone.localdate(), 'j F Y')} by {closer}.",
        f"Sessions done: {outcome.sessions_done} of {course.session_range} prescribed.",
        f"Pain before the first session: {_score(outcome.first_pain)}; "
        f"after the last session: {_score(outcome.last_pain)}.",
        f"Sessions stopped early: {outcome.stopped_early}.",
        *course_outcome_lines(course=course),
    ]
    remarks = remarks.strip()
    if remarks:
        lines.append(f"Therapist's remarks: {remarks}")
    return "\n".join(lines)


@transaction.atomic
def course_complete_if_full(*, course: Course) -> Course:
    """Mark the course completed once its done sessions reach its maximum; otherwise leave it."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    if course.is_finished:
        return course
    if course_sessions_done_count(course=course) >= course.max_sessions:
        course.status = CourseStatus.COMPLETED
        course.save(update_fields=["status", "updated_at"])
    return course
