"""/api/v1/me/…: a patient's own record, sessions, courses and note summaries; another
patient's session is 404; the clinical text never."""

import datetime as dt

import pytest
from django.utils import timezone

from sessions.models import AppointmentStatus
from tests.factories import AppointmentFactory, SessionNoteFactory
from tests.scenes import SOAP, course_for, held, portal_patient

pytestmark = pytest.mark.django_db


def test_a_patient_reads_their_record(patient_login):
    patient, client = patient_login

    response = client.get("/api/v1/me/")

    assert response.status_code == 200
    assert response.json()["id"] == patient.pk
    assert response.json()["email"] == patient.email


def test_staff_have_no_own_record(desk):
    assert desk.get("/api/v1/me/").status_code == 403


def test_a_patient_reads_only_their_own_sessions(patient_login):
    patient, client = patient_login
    mine = AppointmentFactory(patient=patient)
    AppointmentFactory()

    rows = client.get("/api/v1/me/appointments/").json()["results"]

    assert [row["id"] for row in rows] == [mine.pk]
    assert "needs_review" not in rows[0]


def test_a_patient_reads_their_summaries_never_the_clinical_text(patient_login):
    patient, client = patient_login
    course = course_for(patient)
    held(course, timezone.now() - dt.timedelta(days=2), summary="Less pain in the left leg.")
    held(course, timezone.now() - dt.timedelta(days=1), summary="Unsigned yet.", signed=False)
    other = SessionNoteFactory(patient_summary="Someone else's.")
    other.signed_at, other.signed_by = timezone.now(), other.author
    other.save()

    response = client.get("/api/v1/me/summaries/")

    assert [row["summary"] for row in response.json()["results"]] == ["Less pain in the left leg."]
    assert not any(secret in response.content.decode() for secret in SOAP.values())


def test_a_patient_reads_their_courses(patient_login):
    patient, client = patient_login
    course = course_for(patient)

    rows = client.get("/api/v1/me/courses/").json()["results"]

    assert [row["id"] for row in rows] == [course.pk]
    assert "goals" not in rows[0]


def test_a_patient_cancels_their_session_in_time(patient_login):
    patient, client = patient_login
    session = AppointmentFactory(patient=patient, starts_at=timezone.now() + dt.timedelta(days=5))

    response = client.post(f"/api/v1/me/appointments/{session.pk}/cancel/", {"reason": "Away."}, format="json")

    assert response.status_code == 200, response.content
    session.refresh_from_db()
    assert session.status == AppointmentStatus.CANCELLED


def test_too_late_to_cancel_online_is_422_with_the_reason(patient_login):
    patient, client = patient_login
    session = AppointmentFactory(patient=patient, starts_at=timezone.now() + dt.timedelta(hours=2))

    response = client.post(f"/api/v1/me/appointments/{session.pk}/cancel/", {}, format="json")

    assert response.status_code == 422
    assert response.json()["reasons"][0].startswith("Sessions can be cancelled online until 24 hours before")


def test_another_patients_session_is_404(patient_login):
    _, client = patient_login
    other = AppointmentFactory(patient=portal_patient(), starts_at=timezone.now() + dt.timedelta(days=5))

    response = client.post(f"/api/v1/me/appointments/{other.pk}/cancel/", {}, format="json")

    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == AppointmentStatus.BOOKED


def test_a_cancellation_reason_too_long_is_400(patient_login):
    patient, client = patient_login
    session = AppointmentFactory(patient=patient, starts_at=timezone.now() + dt.timedelta(days=5))

    response = client.post(f"/api/v1/me/appointments/{session.pk}/cancel/", {"reason": "x" * 301}, format="json")

    assert response.status_code == 400
