"""/api/v1/courses/ and /api/v1/notes/: courses read by the front desk and the treating
therapist, prescribed by clinicians; notes read by the session's therapist and managers."""

import datetime as dt

import pytest
from django.utils import timezone

from patients.models import Phase
from sessions.models import Course
from tests.api.conftest import bad_input_refused
from tests.factories import AppointmentFactory, CourseFactory, DiagnosisFactory, PhaseRecordFactory, SessionNoteFactory
from tests.scenes import SOAP

pytestmark = pytest.mark.django_db

URL = "/api/v1/courses/"


@pytest.fixture
def annas_course(maria_keller, anna_berg, back_massage):
    """A course Anna prescribed for Maria: Maria is Anna's patient."""
    return CourseFactory(patient=maria_keller, modality=back_massage, prescribed_by=anna_berg.user, goals="Walk again.")


def test_reception_reads_courses_without_the_clinical_part(desk, annas_course):
    response = desk.get(URL, {"patient": annas_course.patient_id})

    row = response.json()["results"][0]
    assert row["id"] == annas_course.pk
    assert row["sessions_done"] == 0
    assert "goals" not in row and "diagnosis" not in row


def test_the_treating_therapist_reads_the_clinical_part_and_only_her_patients(as_anna, annas_course):
    CourseFactory()

    rows = as_anna.get(URL).json()["results"]

    assert [row["id"] for row in rows] == [annas_course.pk]
    assert rows[0]["goals"] == "Walk again."


def test_another_therapist_sees_no_course_of_a_patient_she_does_not_treat(stranger_therapist, annas_course):
    assert stranger_therapist.get(URL).json()["count"] == 0
    assert stranger_therapist.get(f"{URL}{annas_course.pk}/").status_code == 403


def test_one_course(as_anna, desk, annas_course):
    assert as_anna.get(f"{URL}{annas_course.pk}/").json()["goals"] == "Walk again."
    assert "goals" not in desk.get(f"{URL}{annas_course.pk}/").json()
    assert desk.get(f"{URL}987654/").status_code == 404


def test_a_patient_may_not_read_the_staff_course_list(patient_login):
    _, client = patient_login

    assert client.get(URL).status_code == 403


def test_bad_course_filters_are_400(desk):
    assert desk.get(URL, {"status": "lost"}).status_code == 400
    assert desk.get(URL, {"patient": "maria"}).status_code == 400


# --- prescribe ------------------------------------------------------------------------------------


@pytest.fixture
def prescription(maria_keller, back_massage):
    diagnosis = DiagnosisFactory(patient=maria_keller)
    return {
        "patient": maria_keller.pk,
        "diagnosis": diagnosis.pk,
        "modality": back_massage.pk,
        "starts_on": timezone.localdate().isoformat(),
        "max_sessions": 10,
        "min_sessions": 8,
    }


def test_the_treating_therapist_prescribes(as_anna, annas_course, prescription, anna_berg):
    response = as_anna.post(URL, prescription, format="json")

    assert response.status_code == 201, response.content
    course = Course.objects.get(pk=response.json()["id"])
    assert (course.min_sessions, course.max_sessions, course.prescribed_by) == (8, 10, anna_berg.user)


def test_a_therapist_who_does_not_treat_the_patient_may_not_prescribe(stranger_therapist, prescription):
    assert stranger_therapist.post(URL, prescription, format="json").status_code == 403
    assert not Course.objects.exists()


def test_reception_may_not_prescribe(desk, prescription):
    assert desk.post(URL, prescription, format="json").status_code == 403


def test_a_manager_prescribes(boss, prescription):
    assert boss.post(URL, prescription, format="json").status_code == 201


def test_an_acute_phase_refuses_the_prescription_with_its_reason(boss, prescription):
    diagnosis = DiagnosisFactory(patient_id=prescription["patient"], icd10_code="M54.3", title="Sciatica")
    PhaseRecordFactory(diagnosis=diagnosis, phase=Phase.ACUTE, effective_from=timezone.now() - dt.timedelta(days=1))

    response = boss.post(URL, prescription, format="json")

    assert response.status_code == 422
    assert "Acute phase of M54.3 Sciatica" in response.json()["reasons"][0]
    assert not Course.objects.exists()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"min_sessions": 12, "max_sessions": 10}, "max_sessions"),
        ({"diagnosis": 987654}, "diagnosis"),
        ({"starts_on": "soon"}, "starts_on"),
        ({"session_minutes": 1000}, "session_minutes"),
        ({"patient": 987654}, "patient"),
    ],
)
def test_bad_prescriptions_are_400(boss, prescription, changes, field):
    bad_input_refused(boss, URL, {**prescription, **changes}, field, Course)


def test_a_read_token_may_not_prescribe(manager, prescription):
    from tests.api.conftest import api_client

    response = api_client(manager, scope="read").post(URL, prescription, format="json")

    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]


# --- notes ----------------------------------------------------------------------------------------

NOTES = "/api/v1/notes/"


@pytest.fixture
def annas_note(maria_keller, anna_berg):
    appointment = AppointmentFactory(
        patient=maria_keller, therapist=anna_berg, starts_at=timezone.now() - dt.timedelta(days=1)
    )
    return SessionNoteFactory(appointment=appointment, patient_summary="Went well.", **SOAP)


def test_the_sessions_therapist_reads_its_note(as_anna, annas_note):
    rows = as_anna.get(NOTES).json()["results"]

    assert [row["id"] for row in rows] == [annas_note.pk]
    assert rows[0]["subjective"] == SOAP["subjective"]
    assert as_anna.get(f"{NOTES}{annas_note.pk}/").status_code == 200


def test_another_therapist_does_not(stranger_therapist, annas_note):
    assert stranger_therapist.get(NOTES).json()["count"] == 0
    assert stranger_therapist.get(f"{NOTES}{annas_note.pk}/").status_code == 403


def test_a_manager_reads_every_note(boss, annas_note):
    assert boss.get(NOTES, {"patient": annas_note.appointment.patient_id}).json()["count"] == 1
    assert boss.get(f"{NOTES}{annas_note.pk}/").status_code == 200


def test_reception_reads_no_clinical_text(desk, annas_note):
    assert desk.get(NOTES).status_code == 403
    assert desk.get(f"{NOTES}{annas_note.pk}/").status_code == 403


def test_a_missing_note_is_404(boss):
    assert boss.get(f"{NOTES}987654/").status_code == 404
