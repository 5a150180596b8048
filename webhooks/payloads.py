"""What a delivery says about an event: ids, times and statuses for every endpoint; the clinical
text (reasons, note texts, pain scores, the diagnosis) only for an endpoint allowed to receive it.

Names, addresses and contact details are left out for every endpoint: a receiver that needs them
asks the clinic by id, through access of its own. Each builder returns (data, clinical), the
clinical part merged in only where allowed."""

import datetime as dt
import uuid

from django.utils import timezone

from clinic import events
from sessions.note_seal import SEAL_VERSION, note_signed_content


def iso(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if moment else None


def _appointment(appointment) -> dict:
    return {
        "id": appointment.pk,
        "patient_id": appointment.patient_id,
        "therapist_id": appointment.therapist_id,
        "room_id": appointment.room_id,
        "modality_id": appointment.modality_id,
        "course_id": appointment.course_id,
        "starts_at": iso(appointment.starts_at),
        "ends_at": iso(appointment.ends_at),
        "status": appointment.status,
    }


def _appointment_clinical(appointment) -> dict:
    return {"cancellation_reason": appointment.cancellation_reason, "review_reason": appointment.review_reason}


def _appointment_event(*, appointment, previous_starts_at=None, **_) -> tuple[dict, dict]:
    data = {"appointment": _appointment(appointment)}
    if previous_starts_at is not None:
        data["previous_starts_at"] = iso(previous_starts_at)
    return data, {"appointment": _appointment_clinical(appointment)}


# The keys of the sealed content that are no clinical text: the seal's version, ids and times.
NOT_CLINICAL = {"v", "appointment_id", "author_id", "signed_by_id", "signed_at"}


def _note_signed(*, note, **_) -> tuple[dict, dict]:
    appointment = note.appointment
    data = {
        "note": {"id": note.pk, "signed_at": iso(note.signed_at), "signed_by_id": note.signed_by_id},
        "appointment": _appointment(appointment),
    }
    # The clinical part is what the note's seal covers (sessions.note_seal), less what `data` says.
    sealed = note_signed_content(note, SEAL_VERSION)
    clinical = {
        "note": {key: value for key, value in sealed.items() if key not in NOT_CLINICAL},
        "appointment": _appointment_clinical(appointment),
    }
    return data, clinical


def _patient_acute(*, record, flagged=0, **_) -> tuple[dict, dict]:
    diagnosis = record.diagnosis
    data = {
        "patient_id": diagnosis.patient_id,
        "phase_record": {
            "id": record.pk,
            "diagnosis_id": diagnosis.pk,
            "effective_from": iso(record.effective_from),
            "recorded_by_id": record.recorded_by_id,
        },
        "appointments_flagged_for_review": flagged,
    }
    clinical = {
        "phase_record": {"note": record.note},
        "diagnosis": {"icd10_code": diagnosis.icd10_code, "title": diagnosis.title},
    }
    return data, clinical


def _offer_accepted(*, offer, **_) -> tuple[dict, dict]:
    data = {
        "offer": {
            "id": offer.pk,
            "freed_slot_id": offer.slot_id,
            "waitlist_entry_id": offer.entry_id,
            "patient_id": offer.patient_id,
            "accepted_at": iso(offer.ended_at),
        },
        "appointment": _appointment(offer.appointment),
    }
    return data, {}


BUILDERS = {
    events.APPOINTMENT_BOOKED: _appointment_event,
    events.APPOINTMENT_MOVED: _appointment_event,
    events.APPOINTMENT_CANCELLED: _appointment_event,
    events.APPOINTMENT_CHECKED_IN: _appointment_event,
    events.APPOINTMENT_COMPLETED: _appointment_event,
    events.APPOINTMENT_NO_SHOW: _appointment_event,
    events.NOTE_SIGNED: _note_signed,
    events.PATIENT_ACUTE: _patient_acute,
    events.WAITLIST_OFFER_ACCEPTED: _offer_accepted,
}


def merged(data: dict, clinical: dict) -> dict:
    """`data` with the clinical fields added into its sections."""
    out = {key: dict(value) if isinstance(value, dict) else value for key, value in data.items()}
    for key, extra in clinical.items():
        out[key] = {**out.get(key, {}), **extra}
    return out


def event_payloads(event: str, *, event_id: uuid.UUID, **objects) -> tuple[dict, dict]:
    """The payload without clinical text, and the one with it, for one event."""
    data, clinical = BUILDERS[event](**objects)
    envelope = {"event": event, "id": str(event_id), "occurred_at": iso(timezone.now())}
    return {**envelope, "data": data}, {**envelope, "data": merged(data, clinical)}


def test_payload(*, event_id: uuid.UUID) -> dict:
    return {
        "event": "webhook.test",
        "id": str(event_id),
        "occurred_at": iso(timezone.now()),
        "data": {"message": "A test event sent by the clinic's manager."},
    }
