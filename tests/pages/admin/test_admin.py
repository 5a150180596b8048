"""The admin: every page loads for the manager, and the admin obeys the same rules as the app
(bookings through the booking service, signed notes and phase records never change)."""

import datetime as dt

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic.models import Closure, Modality
from clinic.refusals import Refused
from patients.models import Cause, Diagnosis, FlagKind, HealthFlag, Phase, PhaseRecord, Study
from sessions import admin as sessions_admin
from sessions.models import Addendum, Appointment, AppointmentStatus, Course, CourseStatus, SessionNote
from tests import factories
from tests.conftest import client_for, log_in_verified
from tests.factories import local, next_weekday
from tests.scenes import patient_form_data

pytestmark = pytest.mark.django_db(transaction=False)

OUR_APPS = {"clinic", "patients", "treatment_sessions"}
OUR_MODELS = sorted(
    (model._meta.app_label, model._meta.model_name)
    for model in admin.site._registry
    if model._meta.app_label in OUR_APPS
)
# The manager reads session notes and addenda but never writes clinical text (docs/ARCHITECTURE.md, "Who may do what").
MANAGER_CANNOT_ADD = {
    ("treatment_sessions", "sessionnote"),
    ("treatment_sessions", "addendum"),
    # Made only through the chart's emergency-access form, with the therapist's reason.
    ("patients", "breakglassaccess"),
    # Intake and consent: written by the manager's pages, the portal and the reception tablet
    # (patients.intake, patients.consent, patients.kiosk); read-only here.
    ("patients", "intakeversion"),
    ("patients", "intakeresponse"),
    ("patients", "flagproposal"),
    ("patients", "consenttopic"),
    ("patients", "consentversion"),
    ("patients", "consentsignature"),
    ("patients", "kiosksession"),
}


def admin_url(app_label: str, model_name: str, view: str, *args) -> str:
    return reverse(f"admin:{app_label}_{model_name}_{view}", args=args)


def changelist(model) -> str:
    return admin_url(model._meta.app_label, model._meta.model_name, "changelist")


def change(obj) -> str:
    return admin_url(obj._meta.app_label, obj._meta.model_name, "change", obj.pk)


def management_form(prefix: str, total: int = 0, initial: int = 0) -> dict[str, int]:
    return {
        f"{prefix}-TOTAL_FORMS": total,
        f"{prefix}-INITIAL_FORMS": initial,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }


# --- every page loads ----------------------------------------------------------------------------


def test_every_model_of_ours_has_an_admin():
    # IntakeQuestion and IntakeAnswer are read on their version's and answer set's pages (the app's).
    assert len(OUR_MODELS) == 23


@pytest.mark.parametrize(("app_label", "model_name"), OUR_MODELS)
def test_changelist_loads_for_the_manager_with_rows(manager, clinic, app_label, model_name):
    response = client_for(manager).get(admin_url(app_label, model_name, "changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


@pytest.mark.parametrize(
    ("app_label", "model_name", "factory", "field"),
    [
        ("patients", "patient", factories.PatientFactory, "date_of_birth"),
        ("clinic", "closure", factories.ClosureFactory, "starts_on"),
    ],
)
def test_the_date_drill_down_narrows_to_a_year_a_month_and_a_day(manager, app_label, model_name, factory, field):
    """The date links above a list, each level a grouped query of its own (on PostgreSQL with the
    parameters bound by the server, which such queries must survive)."""
    day = getattr(factory(), field)
    client, query = client_for(manager), {}
    for part in ("year", "month", "day"):
        query[f"{field}__{part}"] = getattr(day, part)
        response = client.get(admin_url(app_label, model_name, "changelist"), query)
        assert response.status_code == 200
        assert response.context["cl"].result_count == 1


@pytest.mark.parametrize(("app_label", "model_name"), OUR_MODELS)
def test_add_page_loads_for_the_manager(manager, clinic, app_label, model_name):
    response = client_for(manager).get(admin_url(app_label, model_name, "add"))
    expected = 403 if (app_label, model_name) in MANAGER_CANNOT_ADD else 200
    assert response.status_code == expected


@pytest.mark.parametrize(("app_label", "model_name"), OUR_MODELS)
def test_change_page_loads_for_the_manager(manager, clinic, app_label, model_name):
    model = next(m for m in admin.site._registry if (m._meta.app_label, m._meta.model_name) == (app_label, model_name))
    obj = model.objects.first()
    assert client_for(manager).get(change(obj)).status_code == 200


def test_the_manager_cannot_make_anyone_a_superuser(manager):
    clerk = factories.UserFactory(username="clerk")
    response = client_for(manager).post(
        change(clerk),
        {
            "username": "clerk",
            "first_name": "Cleo",
            "last_name": "Clerk",
            "email": "clerk@example.org",
            "is_active": "on",
            "is_superuser": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "09:00:00",
        },
    )
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.first_name == "Cleo"
    assert not clerk.is_superuser


def test_the_manager_cannot_change_a_superuser_or_their_password(manager, superuser):
    client = client_for(manager)
    assert client.post(change(superuser), {"username": "taken-over"}).status_code == 403
    password = reverse("admin:auth_user_password_change", args=[superuser.pk])
    assert client.post(password, {"password1": "x" * 20, "password2": "x" * 20}).status_code == 403
    superuser.refresh_from_db()
    assert superuser.username == "root"


# --- signed notes, addenda, phase records --------------------------------------------------------


def note_post_data(note: SessionNote, **changes) -> dict:
    data = {
        "appointment": note.appointment_id,
        "author": note.author_id,
        "pain_before": 0,
        "pain_after": 0,
        "techniques": "rewritten",
        "areas_treated": "[]",
        **management_form("addenda", total=0),
    }
    return {**data, **changes}


def test_the_admin_refuses_to_change_a_signed_note(superuser, clinic):
    note = clinic["note"]
    before = SessionNote.objects.values().get(pk=note.pk)

    response = client_for(superuser).post(change(note), note_post_data(note))

    assert response.status_code == 302
    assert SessionNote.objects.values().get(pk=note.pk) == before


def test_a_manager_cannot_post_to_a_note_at_all(manager, clinic):
    note = clinic["note"]
    before = SessionNote.objects.values().get(pk=note.pk)
    assert client_for(manager).post(change(note), note_post_data(note)).status_code == 403
    assert SessionNote.objects.values().get(pk=note.pk) == before


def test_a_signed_note_cannot_be_deleted(superuser, clinic):
    note = clinic["note"]
    url = admin_url("treatment_sessions", "sessionnote", "delete", note.pk)
    assert client_for(superuser).post(url, {"post": "yes"}).status_code == 403
    assert SessionNote.objects.filter(pk=note.pk).exists()


def test_a_draft_note_can_still_be_edited(superuser, clinic):
    appointment = factories.AppointmentFactory(starts_at=timezone.now() - dt.timedelta(hours=3))
    draft = factories.SessionNoteFactory(appointment=appointment)

    response = client_for(superuser).post(change(draft), note_post_data(draft, pain_before=5, pain_after=3))

    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.pain_before, draft.pain_after, draft.techniques) == (5, 3, "rewritten")


def test_an_addendum_is_added_to_a_signed_note_in_the_superusers_name(superuser, clinic):
    note = clinic["note"]
    data = note_post_data(note, **management_form("addenda", total=2, initial=1))
    data.update({"addenda-0-id": note.addenda.get().pk, "addenda-0-note": note.pk})
    data.update({"addenda-1-note": note.pk, "addenda-1-text": "The patient rang: much better today."})

    response = client_for(superuser).post(change(note), data)

    assert response.status_code == 302
    added = note.addenda.get(text__startswith="The patient rang")
    assert added.author == superuser
    assert note.addenda.count() == 2


def test_an_addendum_is_never_changed_or_deleted(superuser, clinic):
    addendum = Addendum.objects.get()
    client = client_for(superuser)
    assert client.post(change(addendum), {"note": addendum.note_id, "text": "changed"}).status_code == 403
    delete = admin_url("treatment_sessions", "addendum", "delete", addendum.pk)
    assert client.post(delete, {"post": "yes"}).status_code == 403
    addendum.refresh_from_db()
    assert addendum.text != "changed"


def test_a_phase_record_added_in_the_admin_names_its_recorder_and_flags_bookings(manager, clinic):
    patient = clinic["patient"]
    diagnosis = patient.diagnoses.get()
    ahead = factories.AppointmentFactory(patient=patient, starts_at=timezone.now() + dt.timedelta(days=2))
    now = timezone.localtime()

    response = client_for(manager).post(
        admin_url("patients", "phaserecord", "add"),
        {
            "diagnosis": diagnosis.pk,
            "phase": Phase.ACUTE,
            "effective_from_0": now.strftime("%Y-%m-%d"),
            "effective_from_1": now.strftime("%H:%M:%S"),
            "note": "Flare-up",
        },
    )

    assert response.status_code == 302
    record = PhaseRecord.objects.get(note="Flare-up")
    assert record.recorded_by == manager
    ahead.refresh_from_db()
    assert ahead.needs_review


def test_a_phase_record_is_never_changed_or_deleted(manager, clinic):
    record = PhaseRecord.objects.get()
    client = client_for(manager)
    assert client.get(change(record)).status_code == 200  # read-only view
    assert client.post(change(record), {"diagnosis": record.diagnosis_id, "phase": Phase.ACUTE}).status_code == 403
    delete = admin_url("patients", "phaserecord", "delete", record.pk)
    assert client.post(delete, {"post": "yes"}).status_code == 403
    record.refresh_from_db()
    assert record.phase == Phase.REMISSION


# --- appointments go through the booking service ---------------------------------------------------


def booking_data(clinic, starts_at: dt.datetime, **extra) -> dict:
    local_start = timezone.localtime(starts_at)
    return {
        "patient": clinic["patient"].pk,
        "modality": clinic["modality"].pk,
        "therapist": clinic["therapist"].pk,
        "room": clinic["room"].pk,
        "starts_at_0": local_start.strftime("%Y-%m-%d"),
        "starts_at_1": local_start.strftime("%H:%M"),
        **extra,
    }


def a_free_morning() -> dt.datetime:
    day = next_weekday(1)  # a Tuesday, away from the test closures
    return local(day.year, day.month, day.day, 10)


@pytest.mark.parametrize(
    "acute, extra, reason",
    [(True, {}, "Acute phase of M54.3"), (False, {"modality": ""}, "Choose a course or a modality.")],
    ids=["an acute patient", "neither course nor modality"],
)
def test_the_admin_refuses_a_booking_and_says_why(manager, clinic, acute, extra, reason):
    if acute:
        factories.PhaseRecordFactory(
            diagnosis=clinic["patient"].diagnoses.get(), phase=Phase.ACUTE, effective_from=timezone.now()
        )
    before = Appointment.objects.count()

    response = client_for(manager).post(
        admin_url("treatment_sessions", "appointment", "add"),
        booking_data(clinic, a_free_morning(), confirm_warnings="on", **extra),
    )

    assert response.status_code == 200
    assert reason in response.content.decode()
    assert Appointment.objects.count() == before


def test_the_admin_asks_to_confirm_warnings_before_booking(manager, clinic):
    url = admin_url("treatment_sessions", "appointment", "add")
    before = Appointment.objects.count()

    unconfirmed = client_for(manager).post(url, booking_data(clinic, a_free_morning()))

    assert unconfirmed.status_code == 200
    assert "lavender oil" in unconfirmed.content.decode()
    assert Appointment.objects.count() == before

    confirmed = client_for(manager).post(url, booking_data(clinic, a_free_morning(), confirm_warnings="on"))

    assert confirmed.status_code == 302
    booked = Appointment.objects.get(starts_at=a_free_morning())
    assert booked.ends_at == a_free_morning() + dt.timedelta(minutes=clinic["modality"].session_minutes)
    assert booked.booked_by == manager
    assert booked.status == AppointmentStatus.BOOKED


def test_the_admin_refuses_a_slot_outside_working_hours(manager, clinic):
    day = next_weekday(1)
    response = client_for(manager).post(
        admin_url("treatment_sessions", "appointment", "add"),
        booking_data(clinic, local(day.year, day.month, day.day, 20), confirm_warnings="on"),
    )
    assert response.status_code == 200
    assert "outside" in response.content.decode()
    assert not Appointment.objects.filter(status=AppointmentStatus.BOOKED).exists()


def booked(clinic) -> Appointment:
    return factories.AppointmentFactory(
        patient=clinic["patient"],
        modality=clinic["modality"],
        therapist=clinic["therapist"],
        room=clinic["room"],
        starts_at=a_free_morning(),
    )


def change_data(appointment: Appointment, starts_at: dt.datetime, **extra) -> dict:
    local_start = timezone.localtime(starts_at)
    return {
        "therapist": appointment.therapist_id,
        "room": appointment.room_id,
        "starts_at_0": local_start.strftime("%Y-%m-%d"),
        "starts_at_1": local_start.strftime("%H:%M"),
        **extra,
    }


def test_the_admin_moves_a_session_through_the_reschedule_checks(manager, clinic):
    appointment = booked(clinic)
    client = client_for(manager)
    late = a_free_morning().replace(hour=23)

    refused = client.post(change(appointment), change_data(appointment, late, confirm_warnings="on"))

    assert refused.status_code == 200
    appointment.refresh_from_db()
    assert appointment.starts_at == a_free_morning()

    later = a_free_morning() + dt.timedelta(hours=2)
    moved = client.post(change(appointment), change_data(appointment, later, confirm_warnings="on"))

    assert moved.status_code == 302
    appointment.refresh_from_db()
    assert (appointment.starts_at, appointment.ends_at) == (later, later + dt.timedelta(minutes=45))


def test_the_admin_cancels_with_a_reason_and_never_deletes(manager, clinic):
    appointment = booked(clinic)
    client = client_for(manager)
    data = change_data(appointment, appointment.starts_at, cancel_reason="Patient is travelling")

    assert client.post(change(appointment), data).status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.cancellation_reason == "Patient is travelling"

    delete = admin_url("treatment_sessions", "appointment", "delete", appointment.pk)
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Appointment.objects.filter(pk=appointment.pk).exists()


def test_a_course_added_in_the_admin_takes_the_modalitys_defaults(manager, clinic):
    patient = clinic["patient"]
    cupping = Modality.objects.get(name="Vacuum (cupping) massage")
    response = client_for(manager).post(
        admin_url("treatment_sessions", "course", "add"),
        {
            "patient": patient.pk,
            "diagnosis": patient.diagnoses.get().pk,
            "modality": cupping.pk,
            "prescribed_by": manager.pk,
            "starts_on": timezone.localdate().isoformat(),
            "status": "active",
            **management_form("appointments"),
        },
    )
    assert response.status_code == 302
    course = patient.courses.get(modality=cupping)
    assert (course.min_sessions, course.max_sessions, course.session_minutes) == (5, 7, 20)
    assert course.cadence == cupping.cadence


def test_changelists_keep_a_bounded_number_of_queries(manager, clinic, django_assert_max_num_queries):
    for _ in range(5):
        patient = factories.PatientFactory()
        diagnosis = factories.DiagnosisFactory(patient=patient)
        factories.PhaseRecordFactory(diagnosis=diagnosis)
        appointment = factories.AppointmentFactory(patient=patient, modality=factories.ModalityFactory())
        factories.SessionNoteFactory(appointment=appointment)
    client = client_for(manager)
    for model in (Appointment, SessionNote, PhaseRecord, Closure, User):
        with django_assert_max_num_queries(25):
            assert client.get(changelist(model)).status_code == 200


def test_a_phase_added_on_the_diagnosis_page_goes_through_the_service(manager, clinic):
    diagnosis = clinic["patient"].diagnoses.get()
    existing = diagnosis.phase_records.get()
    ahead = factories.AppointmentFactory(patient=clinic["patient"], starts_at=timezone.now() + dt.timedelta(days=2))
    now = timezone.localtime()
    data = {
        "patient": diagnosis.patient_id,
        "icd10_code": diagnosis.icd10_code,
        "title": diagnosis.title,
        "cause": diagnosis.cause,
        "side": diagnosis.side,
        "diagnosed_on": diagnosis.diagnosed_on.isoformat(),
        "diagnosed_by": diagnosis.diagnosed_by,
        "active": "on",
        **management_form("studies", total=1, initial=1),
        "studies-0-id": diagnosis.studies.get().pk,
        "studies-0-diagnosis": diagnosis.pk,
        "studies-0-kind": "mri",
        "studies-0-performed_on": "2026-01-08",
        "studies-0-findings": "L5–S1 protrusion touching the S1 root.",
        **management_form("phase_records", total=2, initial=1),
        "phase_records-0-id": existing.pk,
        "phase_records-0-diagnosis": diagnosis.pk,
        "phase_records-0-phase": Phase.ACUTE,  # ignored: a past record is read-only
        "phase_records-1-diagnosis": diagnosis.pk,
        "phase_records-1-phase": Phase.ACUTE,
        "phase_records-1-effective_from_0": now.strftime("%Y-%m-%d"),
        "phase_records-1-effective_from_1": now.strftime("%H:%M:%S"),
        "phase_records-1-note": "Flare-up after lifting",
    }

    response = client_for(manager).post(change(diagnosis), data)

    assert response.status_code == 302
    existing.refresh_from_db()
    assert existing.phase == Phase.REMISSION
    added = diagnosis.phase_records.get(note="Flare-up after lifting")
    assert (added.phase, added.recorded_by) == (Phase.ACUTE, manager)
    ahead.refresh_from_db()
    assert ahead.needs_review


def test_a_slot_taken_meanwhile_is_reported_and_nothing_is_saved(manager, clinic, monkeypatch):
    def taken(**kwargs):
        raise Refused(["That slot was just taken by another booking. Choose another time."])

    monkeypatch.setattr(sessions_admin, "appointment_book", taken)
    url = admin_url("treatment_sessions", "appointment", "add")
    before = Appointment.objects.count()

    response = client_for(manager).post(url, booking_data(clinic, a_free_morning(), confirm_warnings="on"), follow=True)

    assert response.redirect_chain[0][0] == url
    assert "just taken" in response.content.decode()
    assert Appointment.objects.count() == before


# --- courses go through the course services --------------------------------------------------------


def course_add(client, clinic, **extra):
    patient = clinic["patient"]
    data = {
        "patient": patient.pk,
        "diagnosis": patient.diagnoses.get().pk,
        "modality": clinic["modality"].pk,
        "starts_on": timezone.localdate().isoformat(),
        **management_form("appointments"),
        **extra,
    }
    return client.post(admin_url("treatment_sessions", "course", "add"), data)


def course_change(client, course, **data):
    form = {"status": course.status, "goals": course.goals, "home_programme": course.home_programme}
    return client.post(change(course), {**form, **management_form("appointments"), **data})


def errors_of(response) -> str:
    """The admin form's errors, as the manager reads them on the page."""
    return " ".join(" ".join(errors) for errors in response.context["adminform"].form.errors.values())


def test_the_admin_refuses_to_prescribe_for_an_acute_patient_and_says_why(manager, clinic):
    factories.PhaseRecordFactory(
        diagnosis=clinic["patient"].diagnoses.get(), phase=Phase.ACUTE, effective_from=timezone.now()
    )
    before = Course.objects.count()

    response = course_add(client_for(manager), clinic)

    assert response.status_code == 200
    assert "Acute phase of M54.3" in errors_of(response)
    assert Course.objects.count() == before


def test_the_admin_refuses_a_diagnosis_of_another_patient_with_the_services_words(manager, clinic):
    stranger = factories.DiagnosisFactory()
    before = Course.objects.count()

    response = course_add(client_for(manager), clinic, diagnosis=stranger.pk)

    assert response.status_code == 200
    assert "That diagnosis belongs to another patient." in errors_of(response)
    assert Course.objects.count() == before


def test_a_course_prescribed_in_the_admin_is_the_services_course(manager, clinic):
    """Numbers left empty take the modality's defaults, a number given is kept; the course is
    active and prescribed by the user who saved it, whatever the post says."""
    massage = clinic["modality"]
    other = factories.UserFactory()

    response = course_add(client_for(manager), clinic, max_sessions=14, prescribed_by=other.pk, status="completed")

    assert response.status_code == 302
    course = Course.objects.get(patient=clinic["patient"], max_sessions=14)
    assert (course.min_sessions, course.session_minutes) == (massage.course_min_sessions, massage.session_minutes)
    assert (course.cadence, course.sessions_per_week) == (massage.cadence, massage.sessions_per_week)
    assert course.status == CourseStatus.ACTIVE
    assert course.prescribed_by == manager


def running_course(clinic, **fields) -> Course:
    patient = clinic["patient"]
    return factories.CourseFactory(
        patient=patient, diagnosis=patient.diagnoses.get(), modality=clinic["modality"], **fields
    )


def test_the_admin_suspends_resumes_and_closes_a_course_through_the_services(manager, clinic):
    course = running_course(clinic)
    client = client_for(manager)

    assert course_change(client, course, status=CourseStatus.SUSPENDED).status_code == 302
    course.refresh_from_db()
    assert course.status == CourseStatus.SUSPENDED

    assert course_change(client, course, status=CourseStatus.ACTIVE).status_code == 302
    course.refresh_from_db()
    assert course.status == CourseStatus.ACTIVE

    closed = course_change(client, course, status=CourseStatus.COMPLETED, close_remarks="Pain free at rest.")
    assert closed.status_code == 302
    course.refresh_from_db()
    assert course.status == CourseStatus.COMPLETED
    assert "Sessions done: 0 of 12–15 prescribed." in course.discharge_summary
    assert course.discharge_summary.endswith("Therapist's remarks: Pain free at rest.")


def test_the_status_offers_only_what_the_course_allows(manager, clinic):
    client = client_for(manager)
    offered = {
        CourseStatus.ACTIVE: [CourseStatus.ACTIVE, CourseStatus.SUSPENDED, CourseStatus.COMPLETED],
        CourseStatus.SUSPENDED: [CourseStatus.SUSPENDED, CourseStatus.ACTIVE, CourseStatus.COMPLETED],
        CourseStatus.COMPLETED: [CourseStatus.COMPLETED],
    }
    for status, expected in offered.items():
        form = client.get(change(running_course(clinic, status=status))).context["adminform"].form
        assert [value for value, _ in form.fields["status"].widget.choices] == expected


@pytest.mark.parametrize(
    ("status", "posted", "reason"),
    [
        (CourseStatus.PLANNED, CourseStatus.ACTIVE, "A planned course cannot be resumed."),
        (CourseStatus.COMPLETED, CourseStatus.ACTIVE, "A completed course cannot be resumed."),
        (CourseStatus.COMPLETED, CourseStatus.SUSPENDED, "A completed course cannot be suspended."),
        (CourseStatus.CANCELLED, CourseStatus.COMPLETED, "A cancelled course cannot be closed."),
        (CourseStatus.ACTIVE, CourseStatus.CANCELLED, "A course can only be suspended, resumed or closed."),
        (CourseStatus.SUSPENDED, CourseStatus.PLANNED, "A course can only be suspended, resumed or closed."),
    ],
)
def test_a_status_change_the_services_refuse_is_refused_on_the_form(manager, clinic, status, posted, reason):
    course = running_course(clinic, status=status, discharge_summary="Earlier summary")
    before = Course.objects.values().get(pk=course.pk)

    response = course_change(client_for(manager), course, status=posted)

    assert response.status_code == 200
    assert reason in errors_of(response)
    assert Course.objects.values().get(pk=course.pk) == before


def test_a_course_is_not_resumed_in_the_admin_while_the_patient_is_acute(manager, clinic):
    course = running_course(clinic, status=CourseStatus.SUSPENDED)
    factories.PhaseRecordFactory(diagnosis=course.diagnosis, phase=Phase.ACUTE, effective_from=timezone.now())

    response = course_change(client_for(manager), course, status=CourseStatus.ACTIVE)

    assert response.status_code == 200
    assert "Acute phase of M54.3" in errors_of(response)
    course.refresh_from_db()
    assert course.status == CourseStatus.SUSPENDED


def test_a_course_refused_by_the_service_at_save_time_is_reported_and_nothing_is_saved(manager, clinic, monkeypatch):
    def refused(**kwargs):
        raise Refused(["A suspended course cannot be suspended."])

    monkeypatch.setattr(sessions_admin, "course_suspend", refused)
    course = running_course(clinic, goals="Walk to work")

    response = client_for(manager).post(
        change(course),
        {"status": CourseStatus.SUSPENDED, "goals": "Changed", **management_form("appointments")},
        follow=True,
    )

    assert response.redirect_chain[0][0] == change(course)
    assert "A suspended course cannot be suspended." in response.content.decode()
    course.refresh_from_db()
    assert (course.status, course.goals) == (CourseStatus.ACTIVE, "Walk to work")


def test_the_prescription_stays_as_prescribed_and_the_goals_may_change(manager, clinic):
    course = running_course(clinic)
    before = Course.objects.values(
        "patient", "diagnosis", "modality", "prescribed_by", "starts_on", "min_sessions", "max_sessions", "status"
    ).get(pk=course.pk)

    response = course_change(
        client_for(manager),
        course,
        patient=factories.PatientFactory().pk,
        modality=factories.ModalityFactory().pk,
        max_sessions=60,
        starts_on="2030-01-01",
        discharge_summary="Made up",
        goals="Sit through a working day",
        home_programme="Tennis ball under the buttock",
    )

    assert response.status_code == 302
    course.refresh_from_db()
    assert (course.goals, course.home_programme) == ("Sit through a working day", "Tennis ball under the buttock")
    assert course.discharge_summary == ""
    assert Course.objects.values(*before).get(pk=course.pk) == before


def test_a_finished_course_keeps_its_record(manager, clinic):
    course = running_course(clinic, status=CourseStatus.COMPLETED, goals="As closed")

    response = course_change(client_for(manager), course, goals="Rewritten")

    assert response.status_code == 302
    course.refresh_from_db()
    assert course.goals == "As closed"


def test_closing_remarks_go_only_with_closing(manager, clinic):
    course = running_course(clinic)

    response = course_change(client_for(manager), course, close_remarks="Pain free")

    assert response.status_code == 200
    assert "Remarks go with closing the course" in errors_of(response)
    course.refresh_from_db()
    assert (course.status, course.discharge_summary) == (CourseStatus.ACTIVE, "")


def test_a_course_post_without_csrf_or_from_a_non_staff_user_changes_nothing(manager, receptionist, clinic):
    course = running_course(clinic)
    csrf_checked = Client(enforce_csrf_checks=True)
    log_in_verified(csrf_checked, manager)

    assert course_change(csrf_checked, course, status=CourseStatus.COMPLETED).status_code == 403
    assert course_add(csrf_checked, clinic).status_code == 403

    outsider = client_for(receptionist)
    response = course_change(outsider, course, status=CourseStatus.COMPLETED)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert course_add(outsider, clinic).status_code == 302

    course.refresh_from_db()
    assert (course.status, course.discharge_summary) == (CourseStatus.ACTIVE, "")
    assert clinic["patient"].courses.count() == 2


# --- the clinical record goes through patients.services ----------------------------------------------


def tomorrow() -> str:
    return (timezone.localdate() + dt.timedelta(days=1)).isoformat()


def patient_data(patient, **extra) -> dict:
    return patient_form_data(patient, **{**management_form("diagnoses"), **management_form("health_flags"), **extra})


def test_a_diagnosis_dated_in_the_future_is_refused_and_nothing_is_saved(manager, clinic):
    url = admin_url("patients", "diagnosis", "add")
    before = Diagnosis.objects.count()
    data = {
        "patient": clinic["patient"].pk,
        "icd10_code": "M51.1",
        "title": "Lumbar disc disorder with radiculopathy",
        "cause": Cause.DISC_HERNIATION,
        "side": "left",
        "diagnosed_on": tomorrow(),
        "diagnosed_by": "Dr. Weber",
        **management_form("studies"),
        **management_form("phase_records"),
    }

    response = client_for(manager).post(url, data, follow=True)

    assert response.redirect_chain[0][0] == url
    assert "A diagnosis cannot be dated in the future." in response.content.decode()
    assert Diagnosis.objects.count() == before


def test_a_diagnosis_added_on_the_patient_page_goes_through_the_service(manager, clinic):
    patient = clinic["patient"]
    data = patient_data(patient, **management_form("diagnoses", total=1))
    data.update(
        {
            "diagnoses-0-patient": patient.pk,
            "diagnoses-0-icd10_code": "M51.1",
            "diagnoses-0-title": "  Lumbar   disc disorder ",
            "diagnoses-0-cause": Cause.DISC_HERNIATION,
            "diagnoses-0-side": "left",
            "diagnoses-0-diagnosed_on": timezone.localdate().isoformat(),
            "diagnoses-0-diagnosed_by": " Dr.  Weber ",
        }
    )

    assert client_for(manager).post(change(patient), data).status_code == 302
    added = patient.diagnoses.get(icd10_code="M51.1")
    assert (added.title, added.diagnosed_by, added.active) == ("Lumbar disc disorder", "Dr. Weber", True)


def test_a_study_dated_in_the_future_is_refused_and_a_study_is_never_edited(manager, clinic):
    study = Study.objects.get()
    client = client_for(manager)
    url = admin_url("patients", "study", "add")
    data = {"diagnosis": study.diagnosis_id, "kind": "mri", "performed_on": tomorrow(), "findings": "Later"}

    response = client.post(url, data, follow=True)

    assert "A study cannot be dated in the future." in response.content.decode()
    assert Study.objects.count() == 1
    assert client.post(change(study), {**data, "performed_on": "2026-01-01"}).status_code == 403
    study.refresh_from_db()
    assert study.findings != "Later"


def test_a_diagnosis_once_recorded_changes_only_whether_it_is_active(manager, clinic):
    diagnosis = clinic["patient"].diagnoses.get()
    data = {
        "patient": factories.PatientFactory().pk,
        "icd10_code": "M51.1",
        "title": "Rewritten",
        "cause": diagnosis.cause,
        "side": diagnosis.side,
        "diagnosed_on": tomorrow(),
        "diagnosed_by": "Someone else",
        **management_form("studies"),
        **management_form("phase_records"),
    }

    assert client_for(manager).post(change(diagnosis), data).status_code == 302  # "active" unticked
    diagnosis.refresh_from_db()
    assert not diagnosis.active
    assert (diagnosis.icd10_code, diagnosis.title, diagnosis.patient) == ("M54.3", "Sciatica", clinic["patient"])


def test_a_health_flag_added_in_the_admin_goes_through_the_service(manager, clinic):
    patient = clinic["patient"]
    url = admin_url("patients", "healthflag", "add")
    client = client_for(manager)
    data = {"patient": patient.pk, "kind": FlagKind.PREGNANCY, "substance": "", "active_from": "2026-02-01"}

    assert client.post(url, {**data, "note": "  Second trimester  "}).status_code == 302
    flag = patient.health_flags.get(kind=FlagKind.PREGNANCY)
    assert (flag.recorded_by, flag.note) == (manager, "Second trimester")


def test_a_health_flag_is_ended_through_the_service_and_never_reopened(manager, clinic):
    flag = HealthFlag.objects.get()
    client = client_for(manager)
    kept = {"patient": factories.PatientFactory().pk, "kind": FlagKind.OTHER, "substance": "rewritten"}

    assert client.post(change(flag), {**kept, "active_to": "2026-03-31"}).status_code == 302
    flag.refresh_from_db()
    assert (flag.active_to, flag.kind, flag.substance) == (dt.date(2026, 3, 31), FlagKind.OIL_ALLERGY, "lavender oil")

    later = client.post(change(flag), {"active_to": "2026-04-30"}, follow=True)
    assert "This flag already ended on 31 March 2026." in later.content.decode()
    reopened = client.post(change(flag), {"active_to": ""})
    assert reopened.status_code == 200
    assert "An ended flag is not reopened" in errors_of(reopened)
    flag.refresh_from_db()
    assert flag.active_to == dt.date(2026, 3, 31)


def test_a_health_flag_added_on_the_patient_page_is_stamped_with_its_recorder(manager, clinic):
    patient = clinic["patient"]
    data = patient_data(patient, **management_form("health_flags", total=1))
    data.update(
        {
            "health_flags-0-patient": patient.pk,
            "health_flags-0-kind": FlagKind.HYPERTENSION,
            "health_flags-0-active_from": "2026-02-01",
        }
    )

    assert client_for(manager).post(change(patient), data).status_code == 302
    assert patient.health_flags.get(kind=FlagKind.HYPERTENSION).recorded_by == manager


def test_the_admin_does_not_link_a_portal_login_to_a_patient(manager, clinic):
    patient = clinic["patient"]
    staff = factories.UserFactory(username="someone")

    response = client_for(manager).post(change(patient), patient_data(patient, user=staff.pk, phone="+49 30 999"))

    assert response.status_code == 302
    patient.refresh_from_db()
    assert (patient.user, patient.phone) == (None, "+49 30 999")


# --- the yes/no list filters ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "parameter", "yes", "no"),
    [
        (Appointment, "review", "yes", "no"),
        (SessionNote, "signed", "yes", "no"),
        (Closure, "scope", "clinic", "therapist"),
    ],
)
def test_a_yes_no_filter_splits_the_list_in_two(manager, clinic, model, parameter, yes, no):
    flagged = factories.AppointmentFactory(needs_review=True, review_reason="Acute phase recorded")
    factories.SessionNoteFactory(appointment=flagged)  # a draft
    client = client_for(manager)
    total = client.get(changelist(model)).context["cl"].result_count
    counts = [client.get(changelist(model), {parameter: value}).context["cl"].result_count for value in (yes, no)]
    assert counts[0] >= 1
    assert counts[1] >= 1
    assert sum(counts) == total
