"""Shared by the admin's tests: a small clinic with one row in every model."""

import datetime as dt

import pytest
from django.utils import timezone

from clinic import roles
from clinic.models import Modality
from patients.consent import consent_sign, consent_topics_current
from patients.intake import Answer, intake_submit, intake_version_current
from patients.kiosk import kiosk_start
from patients.models import FlagKind, Phase, Via
from patients.services import break_glass_open
from sessions.models import AppointmentStatus
from tests import factories
from tests.factories import next_weekday


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Every factory user hashes a password; the production hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def superuser():
    return factories.UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def clinic():
    """A small clinic with one row in every model."""
    modality = Modality.objects.get(name="Therapeutic massage")
    therapist = factories.TherapistFactory(modalities=[modality])
    room = factories.RoomFactory(modalities=[modality])
    diagnosis = factories.DiagnosisFactory()
    patient = diagnosis.patient
    factories.PhaseRecordFactory(diagnosis=diagnosis, phase=Phase.REMISSION)
    factories.StudyFactory(diagnosis=diagnosis)
    factories.HealthFlagFactory(patient=patient, kind=FlagKind.OIL_ALLERGY, substance="lavender oil")
    factories.ClosureFactory(starts_on=next_weekday(0, 3), ends_on=next_weekday(0, 3))
    factories.ClosureFactory(therapist=therapist, reason="Training")
    course = factories.CourseFactory(patient=patient, diagnosis=diagnosis, modality=modality)
    past = factories.AppointmentFactory(
        patient=patient,
        course=course,
        modality=modality,
        therapist=therapist,
        room=room,
        starts_at=timezone.now() - dt.timedelta(days=2),
        status=AppointmentStatus.COMPLETED,
    )
    note = factories.SessionNoteFactory(appointment=past, signed_at=timezone.now(), signed_by=therapist.user)
    factories.AddendumFactory(note=note)
    break_glass_open(user=factories.TherapistFactory().user, patient=patient, reason="Her therapist is away today.")
    # Intake and consent, through the tablet: a yes proposing a flag, a signed consent.
    kiosk, _ = kiosk_start(patient=patient, started_by=factories.UserFactory(role=roles.RECEPTIONIST))
    version = intake_version_current()
    answers = {q.pk: Answer(yes=q.proposes == FlagKind.PREGNANCY) for q in version.question_list}
    intake_submit(patient=patient, version=version, answers=answers, channel=Via.KIOSK, kiosk=kiosk)
    consent_sign(
        patient=patient,
        version=consent_topics_current()[0][1],
        typed_name=str(patient),
        agreed=True,
        channel=Via.KIOSK,
        kiosk=kiosk,
    )
    return {"modality": modality, "therapist": therapist, "room": room, "patient": patient, "note": note}
