"""The sessions' tables: every database constraint refuses bad data even when Python validation is skipped
(see refused_by in tests/scenes.py). A course's plan (sessions, minutes, cadence) follows the same
rules as a modality's defaults and is tested with them, in tests/clinic/test_constraints.py."""

import datetime as dt

import pytest
from django.utils import timezone

from sessions.models import Addendum, Appointment, AppointmentStatus, SessionNote
from tests.factories import AddendumFactory, AppointmentFactory, SessionNoteFactory
from tests.scenes import refused_as_duplicate, refused_by, soon

pytestmark = pytest.mark.django_db


# --- sessions: Appointment ------------------------------------------------------------------------


@pytest.mark.parametrize("minutes", [0, -30], ids=["zero-length", "ends-before-start"])
def test_appointment_must_end_after_it_starts(minutes):
    starts_at = soon()
    with refused_by("appointment_ends_after_start"):
        AppointmentFactory(starts_at=starts_at, ends_at=starts_at + dt.timedelta(minutes=minutes))


def test_appointment_update_to_end_at_its_start_is_refused():
    appointment = AppointmentFactory()
    with refused_by("appointment_ends_after_start"):
        Appointment.objects.filter(pk=appointment.pk).update(ends_at=appointment.starts_at)


def test_appointment_cancelled_without_reason_is_refused():
    with refused_by("appointment_cancellation_has_reason"):
        AppointmentFactory(status=AppointmentStatus.CANCELLED, cancellation_reason="")


def test_appointment_update_to_cancelled_without_reason_is_refused():
    appointment = AppointmentFactory()
    with refused_by("appointment_cancellation_has_reason"):
        Appointment.objects.filter(pk=appointment.pk).update(status=AppointmentStatus.CANCELLED)


def test_appointment_cancelled_with_reason_is_accepted():
    appointment = AppointmentFactory()
    Appointment.objects.filter(pk=appointment.pk).update(
        status=AppointmentStatus.CANCELLED, cancellation_reason="Patient has a cold."
    )
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED


def test_appointment_needing_review_without_reason_is_refused():
    with refused_by("appointment_review_has_reason"):
        AppointmentFactory(needs_review=True, review_reason="")


def test_appointment_update_to_needs_review_without_reason_is_refused():
    appointment = AppointmentFactory()
    with refused_by("appointment_review_has_reason"):
        Appointment.objects.filter(pk=appointment.pk).update(needs_review=True)


def test_appointment_needing_review_with_reason_is_accepted():
    appointment = AppointmentFactory(needs_review=True, review_reason="Sciatica turned acute.")
    assert Appointment.objects.filter(pk=appointment.pk, needs_review=True).exists()


# --- sessions: SessionNote, Addendum --------------------------------------------------------------


@pytest.mark.parametrize("field", ["pain_before", "pain_after"])
@pytest.mark.parametrize("score", [11, 100])
def test_note_pain_score_above_ten_is_refused(field, score):
    with refused_by(f"note_{field}_0_to_10"):
        SessionNoteFactory(**{field: score})


@pytest.mark.parametrize("field", ["pain_before", "pain_after"])
def test_note_update_to_pain_above_ten_is_refused(field):
    note = SessionNoteFactory()
    with refused_by(f"note_{field}_0_to_10"):
        SessionNote.objects.filter(pk=note.pk).update(**{field: 11})


@pytest.mark.parametrize("score", [0, 10, None])
def test_note_pain_scores_from_zero_to_ten_or_unrecorded_are_accepted(score):
    note = SessionNoteFactory(pain_before=score, pain_after=score)
    note.refresh_from_db()
    assert (note.pain_before, note.pain_after) == (score, score)


def test_note_stopped_early_without_reason_is_refused():
    with refused_by("note_stopped_early_has_reason"):
        SessionNoteFactory(stopped_early=True, stopped_early_reason="")


def test_note_stopped_early_with_reason_is_accepted():
    note = SessionNoteFactory(stopped_early=True, stopped_early_reason="Sharp pain on straight-leg raise.")
    assert SessionNote.objects.filter(pk=note.pk, stopped_early=True).exists()


def test_note_signed_at_without_signer_is_refused():
    with refused_by("note_signature_complete"):
        SessionNoteFactory(signed_at=timezone.now(), signed_by=None)


def test_note_signer_without_signed_at_is_refused():
    note = SessionNoteFactory()
    with refused_by("note_signature_complete"):
        SessionNote.objects.filter(pk=note.pk).update(signed_by=note.author)


@pytest.mark.parametrize("signed", [True, False])
def test_note_fully_signed_or_unsigned_is_accepted(signed):
    note = SessionNoteFactory()
    if signed:
        SessionNote.objects.filter(pk=note.pk).update(signed_at=timezone.now(), signed_by=note.author)
    note.refresh_from_db()
    assert note.is_signed is signed
    assert (note.signed_by_id is not None) is signed


def test_second_note_for_one_appointment_is_refused():
    note = SessionNoteFactory()
    with refused_as_duplicate():
        SessionNoteFactory(appointment=note.appointment)
    assert SessionNote.objects.filter(appointment=note.appointment).count() == 1


def test_empty_addendum_is_refused():
    with refused_by("addendum_not_empty"):
        AddendumFactory(text="")


def test_addendum_update_to_empty_text_is_refused():
    addendum = AddendumFactory()
    with refused_by("addendum_not_empty"):
        Addendum.objects.filter(pk=addendum.pk).update(text="")
    addendum.refresh_from_db()
    assert addendum.text
