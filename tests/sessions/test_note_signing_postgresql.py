"""What only a real PostgreSQL can show: the notes of one course's sessions signed at the same
moment (therapists finishing together) leave the course's first and last pain as its notes say,
which the outcomes report reads (sessions.course_progress.course_pain_record), and complete it.

Run with: scripts/with-postgres .venv/bin/pytest tests/sessions/test_note_signing_postgresql.py
"""

import datetime as dt
from functools import partial

import pytest
from django.utils import timezone

from sessions.course_progress import course_outcome
from sessions.models import AppointmentStatus, Course, CourseStatus
from sessions.notes import session_note_save, session_note_sign
from tests.concurrency import at_once
from tests.factories import AppointmentFactory, CourseFactory, ModalityFactory, TherapistFactory

# Threads need committed data and connections of their own; serialized_rollback puts back the
# roles and catalogue that the migrations created, which a transactional test flushes away.
pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

COURSES = 4
SESSIONS = 3


def course_with_drafts(modality) -> tuple[Course, list]:
    """A course of three sessions held on three days, each checked in with its draft note written
    by its own therapist, the pain different in each."""
    course = CourseFactory(modality=modality)
    now = timezone.now().replace(microsecond=0)
    notes = []
    for n in range(SESSIONS):
        therapist = TherapistFactory(modalities=[modality])
        session = AppointmentFactory(
            patient=course.patient,
            course=course,
            modality=modality,
            therapist=therapist,
            starts_at=now - dt.timedelta(days=SESSIONS - 1 - n, hours=1),
            status=AppointmentStatus.CHECKED_IN,
        )
        pain = {"pain_before": 9 - n, "pain_after": 6 - n, "minutes": 40}
        notes.append(session_note_save(appointment=session, author=therapist.user, **pain))
    return course, notes


def test_notes_of_one_course_signed_at_once_leave_its_first_and_last_pain_as_its_notes_say():
    modality = ModalityFactory(course_min_sessions=SESSIONS, course_max_sessions=SESSIONS)
    courses = [course_with_drafts(modality) for _ in range(COURSES)]

    results = at_once(
        [partial(session_note_sign, note=note, signed_by=note.author) for _, notes in courses for note in notes]
    )

    assert [detail for outcome, detail in results if outcome != "done"] == []
    for course, _ in courses:
        course.refresh_from_db()
        outcome = course_outcome(course=course)
        assert outcome.sessions_done == SESSIONS
        # Before the first session (9) and after the last (4), whichever signing committed last.
        assert (course.first_pain, course.last_pain) == (outcome.first_pain, outcome.last_pain) == (9, 4)
        assert course.status == CourseStatus.COMPLETED
