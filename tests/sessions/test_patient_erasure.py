"""Erasing a patient after the retention period (sessions.patient_erasure): each refusal, what is
anonymised, what stays (row ids, the audit log), and signed notes that still verify."""

import datetime as dt
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.utils import timezone

from clinic import kept_drawings
from clinic.audit import ERASE
from clinic.models import KeptDrawing
from clinic.refusals import Refused
from patients.models import ConsentSignature, Diagnosis, HealthFlag, IntakeAnswer, Patient, Study
from sessions.models import (
    Addendum,
    Appointment,
    AppointmentStatus,
    OutcomeScore,
    SessionNote,
    WaitlistEntry,
    WishStatus,
)
from sessions.patient_erasure import (
    ERASED_TEXT,
    patient_erase,
    patient_erased_entry,
    patient_erasure_problems,
    patient_last_contact,
)
from tests.factories import AppointmentFactory, PatientFactory
from tests.patient_data_scene import complete_record, nothing_open, years_later


@pytest.fixture
def record(db):
    users, objects, patient = complete_record()
    nothing_open(patient)
    return users, objects, patient


def erase(patient, users, **kwargs):
    return patient_erase(patient=patient, by=users["manager"], now=kwargs.pop("now", years_later()), **kwargs)


def refused_with(patient, users, text: str, now=None) -> None:
    with pytest.raises(Refused) as refusal:
        erase(patient, users, now=now or years_later())
    assert any(text in reason for reason in refusal.value.reasons), refusal.value.reasons


def test_it_refuses_within_the_retention_period(record, settings):
    users, _, patient = record
    settings.CLINIC_RETENTION_YEARS = 10
    refused_with(patient, users, "must be kept until", now=years_later(9))
    last = patient_last_contact(patient)
    problems = patient_erasure_problems(patient, now=timezone.now())
    assert f"last treatment or contact on {last:%Y-%m-%d}" in problems[-1]


def test_the_retention_period_is_a_setting(record, settings):
    users, _, patient = record
    settings.CLINIC_RETENTION_YEARS = 2
    erase(patient, users, now=years_later(3))
    assert patient_erased_entry(patient) is not None


def test_it_refuses_while_sessions_are_booked_ahead(record):
    users, _, patient = record
    later = years_later()
    appointment = Appointment.objects.filter(patient=patient).first()
    Appointment.objects.filter(pk=appointment.pk).update(
        status=AppointmentStatus.BOOKED,
        starts_at=later + dt.timedelta(days=1),
        ends_at=later + dt.timedelta(days=1, hours=1),
    )
    refused_with(patient, users, "still booked ahead", now=later)


def test_it_refuses_while_a_wish_waits(record):
    users, _, patient = record
    WaitlistEntry.objects.filter(patient=patient).update(status=WishStatus.WAITING)
    refused_with(patient, users, "still on the waitlist")


def test_it_refuses_a_note_that_does_not_match_its_seal(record):
    users, objects, patient = record
    SessionNote.objects.filter(pk=objects["note"]).update(plan="Changed behind the app's back.")
    refused_with(patient, users, f"Session note {objects['note']}: content does not match its signature")


def test_it_refuses_a_second_erasure(record):
    users, _, patient = record
    erase(patient, users)
    refused_with(patient, users, "was erased on")


def test_it_anonymises_the_patient_and_keeps_the_rows(record):
    users, objects, patient = record
    born = patient.date_of_birth
    counts = {model: model.objects.count() for model in (Diagnosis, Study, Appointment, SessionNote, Addendum)}
    erase(patient, users)
    patient.refresh_from_db()
    assert str(patient) == f"Erased patient #{patient.pk}"
    assert (patient.phone, patient.email, patient.calendar_token) == ("", "", None)
    assert patient.date_of_birth == dt.date(born.year, 1, 1)
    assert patient.search_name and "erased" in patient.search_name
    assert {model: model.objects.count() for model in counts} == counts
    assert Diagnosis.objects.get(pk=objects["diagnosis"]).title == ERASED_TEXT
    assert set(Study.objects.filter(diagnosis__patient=patient).values_list("findings", flat=True)) == {ERASED_TEXT}
    assert HealthFlag.objects.get(pk=objects["flag"]).note in ("", ERASED_TEXT)
    assert set(Addendum.objects.filter(note__appointment__patient=patient).values_list("text", flat=True)) == {
        ERASED_TEXT
    }
    assert all(not a or a == ERASED_TEXT for a in IntakeAnswer.objects.values_list("detail", flat=True))
    score = OutcomeScore.objects.get(patient=patient)
    assert score.answers == [{"activity": ERASED_TEXT, "rating": 4}]
    assert not ConsentSignature.objects.filter(patient=patient).exists()
    note = SessionNote.objects.get(pk=objects["note"])
    assert note.subjective == ERASED_TEXT and note.is_signed


def test_it_deactivates_and_strips_the_portal_login(record):
    users, _, patient = record
    account = users["patient_a"]
    erase(patient, users)
    account.refresh_from_db()
    assert not account.is_active
    assert not account.has_usable_password()
    assert (account.first_name, account.last_name, account.email) == ("", "", "")
    assert account.username == f"erased-patient-{patient.pk}"


def test_the_audit_trail_stays_and_records_the_erasure(record):
    users, _, patient = record
    before = dict(LogEntry.objects.values_list("pk", "changes"))
    erase(patient, users)
    after = dict(LogEntry.objects.values_list("pk", "changes"))
    assert {pk: after.get(pk) for pk in before} == before, "no entry changed or deleted"
    entry = patient_erased_entry(patient)
    assert entry.actor == users["manager"]
    assert entry.additional_data["patient_id"] == patient.pk
    assert "names" in entry.additional_data["detail"]
    # The names are not written into the log once more by the erasure itself.
    new = LogEntry.objects.exclude(pk__in=list(before))
    assert not any("Erased" in str(e.changes) or patient.first_name in str(e.changes) for e in new)


def test_signed_notes_still_verify_after_an_erasure(record):
    users, _, patient = record
    erase(patient, users)
    out = StringIO()
    call_command("verify_notes", stdout=out)
    assert "match their signatures" in out.getvalue()
    resealed = LogEntry.objects.filter(additional_data__action=ERASE, changes__has_key="content_hash")
    assert resealed.count() == SessionNote.objects.filter(appointment__patient=patient, signed_at__isnull=False).count()


# The cron command --------------------------------------------------------------------------------


def patient_treated_years_ago(years: int) -> Patient:
    patient = PatientFactory()
    long_ago = timezone.now() - dt.timedelta(days=365 * years + 3)
    Patient.objects.filter(pk=patient.pk).update(created_at=long_ago)
    AppointmentFactory(patient=patient, starts_at=long_ago, status=AppointmentStatus.COMPLETED)
    return patient


@pytest.mark.django_db
def test_the_command_lists_in_a_dry_run_and_changes_nothing():
    old, recent = patient_treated_years_ago(11), patient_treated_years_ago(3)
    out = StringIO()
    call_command("erase_expired_patients", "--dry-run", stdout=out)
    assert f"Would erase Patient {old.pk}" in out.getvalue()
    assert f"Patient {recent.pk}" not in out.getvalue()
    assert "1 patient would be erased" in out.getvalue()
    assert patient_erased_entry(old) is None


@pytest.mark.django_db
def test_the_command_erases_those_past_retention_once():
    old, recent = patient_treated_years_ago(11), patient_treated_years_ago(3)
    out = StringIO()
    call_command("erase_expired_patients", stdout=out)
    assert f"Erased Patient {old.pk}" in out.getvalue()
    old.refresh_from_db()
    recent.refresh_from_db()
    assert str(old) == f"Erased patient #{old.pk}"
    assert not str(recent).startswith("Erased")
    assert patient_erased_entry(old).actor is None
    again = StringIO()
    call_command("erase_expired_patients", stdout=again)
    assert "0 patients erased" in again.getvalue()
    assert LogEntry.objects.filter(additional_data__action=ERASE, additional_data__patient_id=old.pk).count() == 1


@pytest.mark.django_db
def test_the_command_keeps_a_patient_with_a_session_ahead():
    patient = patient_treated_years_ago(11)
    AppointmentFactory(patient=patient, starts_at=timezone.now() + dt.timedelta(days=3))
    out = StringIO()
    call_command("erase_expired_patients", stdout=out)
    assert "0 patients erased" in out.getvalue()


def test_it_deletes_the_drawings_of_the_record_the_app_shares(record):
    users, objects, patient = record
    other = PatientFactory()
    for someone in (patient, other):
        kept_drawings.drawing_share(
            ("chart", someone.pk),
            ("record token",),
            f"<h1>{someone}</h1>",
            patient_id=someone.pk,
            drawn=timezone.now(),
            until=timezone.now() + dt.timedelta(hours=1),
        )

    erase(patient, users)

    assert list(KeptDrawing.objects.values_list("patient_id", flat=True)) == [other.pk]
