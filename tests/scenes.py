"""Scenes the tests share beyond the cast of tests/conftest.py: a course's sessions, the patient portal's
patients with a login, their courses, sessions and notes."""

import datetime as dt
from contextlib import contextmanager

import pytest
from django.contrib.messages import get_messages
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic import roles
from clinic.refusals import Refused
from patients.models import Patient
from sessions.appointments import appointment_cancel
from sessions.models import Appointment, AppointmentStatus, Course, FreedSlot, SessionNote, WishSource
from sessions.waitlist import waitlist_entry_add
from tests.factories import (
    AppointmentFactory,
    CourseFactory,
    DiagnosisFactory,
    HealthFlagFactory,
    ModalityFactory,
    PatientFactory,
    PhaseRecordFactory,
    RoomFactory,
    SessionNoteFactory,
    TherapistFactory,
    UserFactory,
)

# Clinical text that must never reach the patient's pages or calendar.
SOAP = {
    "subjective": "SUBJECTIVE-SECRET radiating pain to the left heel",
    "objective": "OBJECTIVE-SECRET positive Lasègue at 40 degrees",
    "assessment": "ASSESSMENT-SECRET L5 radiculopathy improving",
    "plan": "PLAN-SECRET refer for MRI if no change",
}


# A patient's details as reception records them, fixed so that a page can be checked for them.
DETAILS = {"date_of_birth": dt.date(1975, 4, 12), "phone": "+49 30 555 0123", "consent_on": dt.date(2026, 1, 15)}


def url_of(name: str):
    """The address of the page `name` for one object (by its pk): `url = url_of("chart:study_create")`
    then `url(diagnosis)`."""
    return lambda obj: reverse(name, args=[obj.pk])


def portal_patient(email: str | None = None, **fields) -> Patient:
    """A patient with a portal login: username and e-mail are the patient's address."""
    user = UserFactory(role=roles.PATIENT, **({"username": email, "email": email} if email else {}))
    return PatientFactory(user=user, email=user.email, **fields)


def session(patient: Patient, starts_at: dt.datetime, *, course: Course | None = None, **fields) -> Appointment:
    """A session written straight to the table (no booking checks): for setting up a scene."""
    if course is not None:
        fields.setdefault("modality", course.modality)
    return AppointmentFactory(patient=patient, course=course, starts_at=starts_at, **fields)


def course_session(course: Course, therapist, room, starts_at: dt.datetime, **extra) -> Appointment:
    """One of `course`'s sessions (its patient and modality) with `therapist` in `room`."""
    return AppointmentFactory(
        patient=course.patient,
        course=course,
        modality=course.modality,
        therapist=therapist,
        room=room,
        starts_at=starts_at,
        **extra,
    )


def held(
    course: Course,
    starts_at: dt.datetime,
    *,
    before: int | None = 6,
    after: int | None = 4,
    summary: str = "",
    signed: bool = True,
    **fields,
) -> SessionNote:
    """A completed session of the course with its note, signed unless said otherwise."""
    appointment = session(course.patient, starts_at, course=course, status=AppointmentStatus.COMPLETED, **fields)
    author = appointment.therapist.user
    return SessionNoteFactory(
        appointment=appointment,
        author=author,
        pain_before=before,
        pain_after=after,
        patient_summary=summary,
        signed_at=timezone.now() if signed else None,
        signed_by=author if signed else None,
        **SOAP,
    )


def course_for(patient: Patient, **fields) -> Course:
    """A 12–15 session course of a classic massage, with its home programme."""
    modality = fields.pop("modality", None) or ModalityFactory(
        name="Therapeutic massage", course_min_sessions=12, course_max_sessions=15
    )
    fields.setdefault("home_programme", "Roll a tennis ball under the buttock for two minutes a side.")
    return CourseFactory(patient=patient, modality=modality, **fields)


def treated(
    patient: Patient, therapist, modality, room, *, booked_at: dt.datetime, held_at: dt.datetime, **flag
) -> dict:
    """`therapist`'s patient: a diagnosis with a phase and a health flag they recorded, a course they
    prescribed, a session booked at `booked_at` and flagged for review, and one held at `held_at`
    with its signed note: all of them of `modality`, in `room`."""
    diagnosis = DiagnosisFactory(patient=patient)
    PhaseRecordFactory(diagnosis=diagnosis, recorded_by=therapist.user)
    flag = HealthFlagFactory(patient=patient, **flag)
    course = CourseFactory(patient=patient, diagnosis=diagnosis, modality=modality, prescribed_by=therapist.user)
    appointment = course_session(
        course, therapist, room, booked_at, needs_review=True, review_reason="Acute phase recorded."
    )
    held = course_session(course, therapist, room, held_at, status=AppointmentStatus.COMPLETED)
    note = SessionNoteFactory(appointment=held, signed_at=held_at, signed_by=therapist.user)
    return {"diagnosis": diagnosis, "flag": flag, "course": course, "appointment": appointment, "note": note}


def days_ago(days: int, hour: int = 10) -> dt.datetime:
    moment = timezone.localtime() - dt.timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def shared_place():
    """One therapist and one room, so a scene of many sessions does not create dozens of each."""
    return {"therapist": TherapistFactory(), "room": RoomFactory()}


def queries_of(client, url: str, params: dict | None = None) -> int:
    """How many queries a GET of the page makes (and it answers 200), after one request that read
    what the set-up cache keeps (clinic/setup_cache.py): a page asked for again is counted."""
    assert client.get(url, params).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


def portal_overhead(client) -> int:
    """The queries any portal page makes before its own reads: session, user, roles, the patient,
    and whatever the middleware adds. Measured on the calendar page, which reads nothing more
    once the patient's calendar token exists (the first visit creates it)."""
    url = reverse("portal:portal_calendar")
    client.get(url)
    return queries_of(client, url)


# Database constraints. Rows are written with ``objects.create`` (through the factories) or
# ``queryset.update``, neither of which runs ``full_clean``, so only the database stands between the
# bad value and the table. Each refusal runs in its own savepoint so the test database stays usable.

NINE = dt.time(9, 0)
FIVE_PM = dt.time(17, 0)


@contextmanager
def refused_by(constraint: str):
    """The block raises IntegrityError naming the check constraint (SQLite and PostgreSQL both name it)."""
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        yield
    assert constraint in str(excinfo.value)


@contextmanager
def refused_as_duplicate():
    """The block raises a uniqueness IntegrityError (SQLite names the columns, PostgreSQL the index)."""
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        yield
    assert "unique" in str(excinfo.value).lower()


def soon() -> dt.datetime:
    return timezone.now().replace(microsecond=0) + dt.timedelta(days=3)


# Pages ---------------------------------------------------------------------------------------------


def shows(response, *texts: str, status: int | None = None) -> str:
    """The page's HTML contains each of `texts` (and it answered `status`, when given); returns the HTML."""
    if status is not None:
        assert response.status_code == status
    content = response.content.decode()
    for text in texts:
        assert text in content
    return content


def asks_to_log_in(response) -> None:
    """An anonymous visitor is sent to the login page."""
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def refused_form(response, field: str, message: str, model) -> None:
    """The page shows the form again with `message` next to `field`, says nothing is saved, and
    wrote no `model` row."""
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert "Nothing is saved yet" in response.content.decode()
    assert not model.objects.exists()


def patient_form_data(patient, **changes) -> dict:
    """What the patient form (reception's, or the admin's) posts for `patient` as it stands."""
    data = {
        "first_name": patient.first_name,
        "last_name": patient.last_name,
        "date_of_birth": patient.date_of_birth.isoformat(),
        "phone": patient.phone,
        "email": patient.email,
        "consent_on": patient.consent_on.isoformat() if patient.consent_on else "",
        "assigned_therapist": patient.assigned_therapist_id or "",
        "contact_channel": patient.contact_channel,
        "language": patient.language,
        **({"self_booking": "on"} if patient.self_booking else {}),
    }
    return {**data, **changes}


# The waitlist ----------------------------------------------------------------------------------------


def freed_slot(therapist, room, modality, starts_at: dt.datetime, *, leaving: Patient | None = None):
    """`therapist`'s time at `starts_at` in `room`, freed: a session of `leaving` (someone new unless
    given) written there and cancelled through the service, which records the FreedSlot."""
    appointment = AppointmentFactory(
        patient=leaving or PatientFactory(), therapist=therapist, room=room, modality=modality, starts_at=starts_at
    )
    appointment_cancel(appointment=appointment, reason="Called in sick.")
    return FreedSlot.objects.get(appointment=appointment)


def wish(patient: Patient, *, recorded_by=None, **fields):
    """`patient` on the waitlist, as reception records it: until 60 days ahead unless given."""
    fields.setdefault("until", timezone.localdate() + dt.timedelta(days=60))
    return waitlist_entry_add(
        patient=patient,
        recorded_by=recorded_by or UserFactory(role=roles.RECEPTIONIST),
        source=fields.pop("source", WishSource.RECEPTION),
        **fields,
    )


# Intake and consent (patients.intake, patients.consent) ------------------------------------------


def consent_rule(effect: str = "warn", **scope):
    """The data migration's "no current consent" rule, switched on (tests/conftest.py switches it
    off for the rest of the suite) with `effect`; or, with `scope` (modality=…, or
    oil_modalities_only=True), a rule of its own for that scope."""
    from patients.models import ContraindicationRule, RuleCondition

    if scope:
        return ContraindicationRule.objects.create(
            condition=RuleCondition.NO_CONSENT, flag_kind="", effect=effect, message="sign it first.", **scope
        )
    rule = ContraindicationRule.objects.get(
        condition=RuleCondition.NO_CONSENT, modality=None, oil_modalities_only=False
    )
    rule.effect, rule.active = effect, True
    rule.save()
    return rule


def consents_signed(patient: Patient) -> list:
    """`patient` signs the current version of every active consent (as typed in the portal)."""
    from patients.consent import consent_sign, consent_topics_current
    from patients.models import Via

    return [
        consent_sign(
            patient=patient,
            version=version,
            typed_name=f"{patient.first_name} {patient.last_name}",
            agreed=True,
            channel=Via.PORTAL,
        )
        for _, version in consent_topics_current()
    ]


def refusal_of(call, *counted, **kwargs) -> list[str]:
    """The reasons `call(**kwargs)` is refused, after checking that it added no row to any of the
    `counted` models (a refusal saves nothing)."""
    before = [model.objects.count() for model in counted]
    with pytest.raises(Refused) as refused:
        call(**kwargs)
    assert [model.objects.count() for model in counted] == before
    return refused.value.reasons
