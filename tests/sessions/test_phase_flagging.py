"""An acute phase puts the patient's booked sessions in doubt: they are flagged for review in the
same transaction, whichever way the phase was recorded, and never deleted. Reception then keeps
or cancels each one."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from clinic import roles
from clinic.refusals import Refused
from patients.contraindications import contraindications_check
from patients.models import Phase, PhaseRecord
from patients.services import phase_record_create
from sessions.appointments import appointment_review_cancel, appointment_review_keep
from sessions.models import Appointment, AppointmentStatus
from tests.factories import (
    AppointmentFactory,
    DiagnosisFactory,
    PhaseRecordFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def from_now(**delta) -> dt.datetime:
    return timezone.now().replace(microsecond=0) + dt.timedelta(**delta)


@pytest.fixture
def clinician():
    return UserFactory(username="berg", first_name="Anna", last_name="Berg", role=roles.THERAPIST)


@pytest.fixture
def sciatica(maria_keller, clinician):
    diagnosis = DiagnosisFactory(patient=maria_keller, icd10_code="M54.3", title="Sciatica")
    PhaseRecordFactory(diagnosis=diagnosis, phase=Phase.REMISSION, recorded_by=clinician)
    return diagnosis


@pytest.fixture
def diary(maria_keller):
    """Maria's sessions: two still to come, one cancelled, one done last week; and a stranger's."""
    cancelled = {"status": AppointmentStatus.CANCELLED, "cancellation_reason": "Holiday"}
    return {
        "tomorrow": AppointmentFactory(patient=maria_keller, starts_at=from_now(days=1)),
        "next_week": AppointmentFactory(patient=maria_keller, starts_at=from_now(days=7)),
        "cancelled": AppointmentFactory(patient=maria_keller, starts_at=from_now(days=3), **cancelled),
        "last_week": AppointmentFactory(
            patient=maria_keller, starts_at=from_now(days=-7), status=AppointmentStatus.COMPLETED
        ),
        "stranger": AppointmentFactory(starts_at=from_now(days=1)),
    }


def reload(appointment: Appointment) -> Appointment:
    return Appointment.objects.get(pk=appointment.pk)


def record_via_service(diagnosis, phase, by, **kwargs):
    return phase_record_create(diagnosis=diagnosis, phase=phase, recorded_by=by, **kwargs)


def record_like_the_admin(diagnosis, phase, by, **kwargs):
    # The admin saves the model inside a transaction of its own, without the service.
    with transaction.atomic():
        return PhaseRecord.objects.create(diagnosis=diagnosis, phase=phase, recorded_by=by, **kwargs)


BOTH_PATHS = pytest.mark.parametrize("record", [record_via_service, record_like_the_admin], ids=["service", "admin"])


# --- Flagging ---------------------------------------------------------------------------------


@BOTH_PATHS
def test_acute_phase_flags_every_future_booked_session_with_a_reason(record, sciatica, clinician, diary):
    record(sciatica, Phase.ACUTE, clinician)

    for key in ("tomorrow", "next_week"):
        flagged = reload(diary[key])
        assert flagged.needs_review, key
        assert flagged.status == AppointmentStatus.BOOKED
        assert flagged.review_reason.startswith("Review: Acute phase of M54.3 Sciatica")
        assert "Anna Berg" in flagged.review_reason


@BOTH_PATHS
def test_acute_phase_leaves_past_cancelled_and_other_patients_sessions_alone(record, sciatica, clinician, diary):
    record(sciatica, Phase.ACUTE, clinician)

    for key in ("cancelled", "last_week", "stranger"):
        untouched = reload(diary[key])
        assert not untouched.needs_review, key
        assert untouched.review_reason == ""
        assert untouched.status == diary[key].status


@BOTH_PATHS
def test_acute_phase_deletes_nothing(record, sciatica, clinician, diary):
    before = set(Appointment.objects.values_list("pk", "status"))

    record(sciatica, Phase.ACUTE, clinician)

    assert set(Appointment.objects.values_list("pk", "status")) == before


def test_a_phase_record_changed_to_acute_in_the_admin_flags_too(sciatica, diary):
    latest = sciatica.phase_records.get()

    with transaction.atomic():
        latest.phase = Phase.ACUTE
        latest.save()

    assert reload(diary["tomorrow"]).needs_review
    assert reload(diary["next_week"]).needs_review


def test_a_checked_in_session_today_is_flagged_too(maria_keller, sciatica, clinician):
    today = AppointmentFactory(
        patient=maria_keller, starts_at=from_now(minutes=30), status=AppointmentStatus.CHECKED_IN
    )

    record_via_service(sciatica, Phase.ACUTE, clinician)

    assert reload(today).needs_review


@pytest.mark.parametrize("phase", [Phase.SUBACUTE, Phase.REMISSION])
def test_subacute_or_remission_flags_nothing(sciatica, clinician, diary, phase):
    record_via_service(sciatica, phase, clinician)

    assert not Appointment.objects.filter(needs_review=True).exists()


def test_flagging_happens_in_the_same_transaction_as_the_record(monkeypatch, sciatica, clinician, diary):
    """If flagging the sessions fails, the acute phase is not recorded either: reception never
    sees an acute patient whose bookings were silently left unflagged."""

    def broken(**kwargs):
        raise RuntimeError("flagging failed")

    monkeypatch.setattr("sessions.receivers.appointments_flag_for_review", broken)

    with pytest.raises(RuntimeError):
        record_via_service(sciatica, Phase.ACUTE, clinician)

    assert not PhaseRecord.objects.filter(phase=Phase.ACUTE).exists()


def test_a_future_dated_acute_phase_flags_only_sessions_from_its_date(sciatica, clinician, diary):
    record_via_service(sciatica, Phase.ACUTE, clinician, effective_from=from_now(days=5))

    assert not reload(diary["tomorrow"]).needs_review
    assert reload(diary["next_week"]).needs_review


def test_a_back_dated_acute_phase_already_followed_by_remission_flags_nothing(maria_keller, clinician, diary):
    disc = DiagnosisFactory(patient=maria_keller, icd10_code="M51.1", title="Lumbar disc disorder")
    PhaseRecordFactory(diagnosis=disc, phase=Phase.REMISSION, effective_from=from_now(days=-10))

    # The therapist enters, for the record, the acute spell the patient had a month ago.
    record_via_service(disc, Phase.ACUTE, clinician, effective_from=from_now(days=-30))

    assert contraindications_check(
        patient=maria_keller, modality=diary["tomorrow"].modality, at=from_now(days=1)
    ).allowed
    assert not Appointment.objects.filter(needs_review=True).exists()


def test_an_acute_phase_flags_only_until_a_later_record_takes_over(sciatica, clinician, diary):
    PhaseRecordFactory(diagnosis=sciatica, phase=Phase.SUBACUTE, effective_from=from_now(days=5))

    record_via_service(sciatica, Phase.ACUTE, clinician)

    assert reload(diary["tomorrow"]).needs_review
    assert not reload(diary["next_week"]).needs_review


def test_an_acute_phase_on_an_inactive_diagnosis_flags_nothing(maria_keller, clinician, diary):
    old = DiagnosisFactory(patient=maria_keller, icd10_code="M54.4", title="Lumbago with sciatica", active=False)

    record_via_service(old, Phase.ACUTE, clinician)

    assert not Appointment.objects.filter(needs_review=True).exists()


# --- After the flag ---------------------------------------------------------------------------


def test_remission_lifts_the_booking_block_but_leaves_the_flags(sciatica, maria_keller, clinician, diary):
    modality = diary["tomorrow"].modality
    record_via_service(sciatica, Phase.ACUTE, clinician, effective_from=from_now(hours=-2))
    assert not contraindications_check(patient=maria_keller, modality=modality, at=from_now(days=1)).allowed

    record_via_service(sciatica, Phase.REMISSION, clinician, effective_from=from_now(hours=-1))

    assert contraindications_check(patient=maria_keller, modality=modality, at=from_now(days=1)).allowed
    assert reload(diary["tomorrow"]).needs_review
    assert reload(diary["next_week"]).needs_review


def test_keeping_a_flagged_session_is_refused_while_still_acute(sciatica, clinician, diary):
    record_via_service(sciatica, Phase.ACUTE, clinician)

    with pytest.raises(Refused) as excinfo:
        appointment_review_keep(appointment=diary["tomorrow"])

    assert len(excinfo.value.reasons) == 1
    assert "Acute phase of M54.3 Sciatica" in excinfo.value.reasons[0]
    still = reload(diary["tomorrow"])
    assert still.needs_review
    assert still.status == AppointmentStatus.BOOKED


def test_keeping_a_flagged_session_clears_the_flag_once_in_remission(sciatica, clinician, diary):
    record_via_service(sciatica, Phase.ACUTE, clinician, effective_from=from_now(hours=-2))
    record_via_service(sciatica, Phase.REMISSION, clinician, effective_from=from_now(hours=-1))

    appointment_review_keep(appointment=diary["tomorrow"])

    kept = reload(diary["tomorrow"])
    assert not kept.needs_review
    assert kept.review_reason == ""
    assert kept.status == AppointmentStatus.BOOKED
    assert reload(diary["next_week"]).needs_review  # each session is reviewed on its own


def test_cancelling_a_flagged_session_records_the_reason_and_clears_the_flag(sciatica, clinician, diary):
    record_via_service(sciatica, Phase.ACUTE, clinician)

    appointment_review_cancel(appointment=diary["tomorrow"], reason="Acute flare-up, on medication")

    cancelled = reload(diary["tomorrow"])
    assert cancelled.status == AppointmentStatus.CANCELLED
    assert cancelled.cancellation_reason == "Acute flare-up, on medication"
    assert not cancelled.needs_review
    assert cancelled.review_reason == ""


def test_cancelling_a_flagged_session_needs_a_reason(sciatica, clinician, diary):
    record_via_service(sciatica, Phase.ACUTE, clinician)

    with pytest.raises(Refused):
        appointment_review_cancel(appointment=diary["tomorrow"], reason=" ")

    still = reload(diary["tomorrow"])
    assert still.needs_review
    assert still.status == AppointmentStatus.BOOKED
