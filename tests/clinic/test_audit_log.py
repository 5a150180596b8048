"""The audit log: every read and write of the clinical record, and every refused attempt, with
who, which patient and object, what, the outcome, the address and the time. The manager's page is
in tests/pages/manager/test_audit_log_page.py."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from clinic import roles
from patients.models import Diagnosis, Phase, PhaseRecord
from sessions.models import AppointmentStatus, SessionNote
from sessions.notes import session_note_sign
from tests.conftest import client_for
from tests.factories import (
    AppointmentFactory,
    DiagnosisFactory,
    SessionNoteFactory,
    TherapistFactory,
    UserFactory,
)

ADDRESS = "10.1.2.3"
AUDIT_URL = reverse("manager:audit_log")


@pytest.fixture
def session(maria):
    lena = TherapistFactory(user__username="lena")
    return AppointmentFactory(patient=maria, therapist=lena, starts_at=timezone.now() - dt.timedelta(hours=2))


@pytest.fixture
def lena(session):
    return session.therapist.user


@pytest.fixture
def as_lena(lena):
    return client_for(lena)


def accesses(**filters):
    return LogEntry.objects.filter(action=LogEntry.Action.ACCESS, **filters).order_by("pk")


def only(queryset) -> LogEntry:
    entries = list(queryset)
    assert len(entries) == 1, entries
    return entries[0]


# Reads, writes and refusals produce entries


def test_a_chart_read_is_logged_with_user_patient_outcome_and_address(as_lena, lena, maria):
    before = timezone.now()
    response = as_lena.get(reverse("chart:patient_chart", args=[maria.pk]), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 200
    entry = only(accesses(additional_data__patient_id=maria.pk))
    assert entry.actor == lena
    assert (entry.content_type.model, entry.object_id) == ("patient", maria.pk)
    assert entry.additional_data["action"] == "view"
    assert entry.additional_data["outcome"] == "allowed"
    assert entry.remote_addr == ADDRESS
    assert before <= entry.timestamp <= timezone.now()


def test_a_note_read_is_logged(as_lena, lena, maria, session):
    SessionNoteFactory(appointment=session)
    response = as_lena.get(reverse("therapist:note_edit", args=[session.pk]), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 200
    entry = only(accesses(additional_data__patient_id=maria.pk))
    assert (entry.actor, entry.remote_addr, entry.additional_data["outcome"]) == (lena, ADDRESS, "allowed")
    assert (entry.content_type.model, entry.object_id) == ("appointment", session.pk)
    assert entry.additional_data["detail"] == "Session note."


def test_a_diagnosis_write_is_logged_with_its_patient(as_lena, lena, maria):
    response = as_lena.post(
        reverse("chart:diagnosis_create", args=[maria.pk]),
        {
            "icd10_code": "M54.4",
            "title": "Lumbago with sciatica",
            "cause": "piriformis",
            "side": "right",
            "diagnosed_on": "2026-02-03",
            "diagnosed_by": "Dr. Weber",
        },
        REMOTE_ADDR=ADDRESS,
    )
    assert response.status_code == 302
    diagnosis = Diagnosis.objects.get(patient=maria)
    entry = only(LogEntry.objects.get_for_object(diagnosis))
    assert entry.action == LogEntry.Action.CREATE
    assert (entry.actor, entry.remote_addr) == (lena, ADDRESS)
    assert entry.additional_data == {"patient_id": maria.pk}
    assert entry.changes_dict["icd10_code"] == ["None", "M54.4"]


def test_a_phase_write_is_logged_and_its_form_read_too(as_lena, lena, maria):
    diagnosis = DiagnosisFactory(patient=maria)
    url = reverse("chart:phase_record_create", args=[diagnosis.pk])
    assert as_lena.get(url, REMOTE_ADDR=ADDRESS).status_code == 200
    read = only(accesses(additional_data__patient_id=maria.pk))
    assert (read.content_type.model, read.object_id) == ("diagnosis", diagnosis.pk)

    moment = timezone.localtime() - dt.timedelta(hours=1)
    response = as_lena.post(
        url, {"phase": Phase.REMISSION, "effective_from": moment.strftime("%Y-%m-%dT%H:%M")}, REMOTE_ADDR=ADDRESS
    )
    assert response.status_code == 302
    entry = only(LogEntry.objects.get_for_object(PhaseRecord.objects.get()))
    assert entry.action == LogEntry.Action.CREATE
    assert (entry.actor, entry.remote_addr, entry.additional_data) == (lena, ADDRESS, {"patient_id": maria.pk})


def test_a_refused_chart_access_is_logged_though_the_answer_is_403(maria):
    receptionist = UserFactory(username="desk", role=roles.RECEPTIONIST)
    other = TherapistFactory(user__username="other").user
    chart = reverse("chart:patient_chart", args=[maria.pk])

    assert client_for(other).get(chart, REMOTE_ADDR=ADDRESS).status_code == 403
    entry = only(accesses(actor=other))
    assert entry.additional_data["patient_id"] == maria.pk
    assert entry.additional_data["outcome"] == "refused"
    assert entry.remote_addr == ADDRESS

    # Refused by role before any patient is looked up: the entry names the page asked for.
    assert client_for(receptionist).get(chart, REMOTE_ADDR=ADDRESS).status_code == 403
    entry = only(accesses(actor=receptionist))
    assert entry.additional_data["outcome"] == "refused"
    assert entry.additional_data["path"] == chart
    assert entry.remote_addr == ADDRESS


def test_a_refused_note_read_is_logged(maria, session):
    other = TherapistFactory(user__username="other").user
    assert client_for(other).get(reverse("therapist:note_edit", args=[session.pk])).status_code == 403
    entry = only(accesses(actor=other))
    assert (entry.additional_data["patient_id"], entry.additional_data["outcome"]) == (maria.pk, "refused")


def test_the_patient_reading_their_own_record_is_logged(patient_user):
    response = client_for(patient_user).get(reverse("portal:portal_home"), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 200
    entry = only(accesses(actor=patient_user))
    assert entry.additional_data["patient_id"] == patient_user.patient.pk
    assert entry.additional_data["outcome"] == "allowed"


def test_x_forwarded_for_is_not_believed_unless_the_setting_says_so(as_lena, maria, settings):
    chart = reverse("chart:patient_chart", args=[maria.pk])
    as_lena.get(chart, REMOTE_ADDR=ADDRESS, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert accesses().last().remote_addr == ADDRESS
    settings.AUDIT_TRUST_X_FORWARDED_FOR = True
    as_lena.get(chart, REMOTE_ADDR=ADDRESS, HTTP_X_FORWARDED_FOR="203.0.113.9, 10.0.0.1")
    assert accesses().last().remote_addr == "203.0.113.9"


# A signature's fingerprint


def test_a_signed_notes_hash_is_in_the_log_of_its_signature(lena, session):
    session.status = AppointmentStatus.COMPLETED  # a note is signed for a session that took place
    session.save()
    note = SessionNoteFactory(appointment=session, minutes=30)
    session_note_sign(note=note, signed_by=lena)
    note = SessionNote.objects.get(pk=note.pk)
    update = LogEntry.objects.get_for_object(note).filter(action=LogEntry.Action.UPDATE).get()
    assert update.changes_dict["content_hash"][1] == note.content_hash
