"""session_note_save, session_note_sign, course_complete_if_full and addendum_add: every refusal,
a signed note that stays as signed at the service and at the model level, and the course's first
and last pain copied as notes are signed."""

import datetime as dt

import pytest
from django.utils import timezone

from clinic import roles
from clinic.refusals import Refused
from patients.models import Phase
from sessions.appointments import appointment_cancel, appointment_complete
from sessions.course_progress import course_outcome, courses_pain_record
from sessions.courses import course_complete_if_full
from sessions.models import Addendum, AppointmentStatus, Course, CourseStatus, NoteAlreadySigned, SessionNote
from sessions.notes import (
    addendum_add,
    appointments_note_signed_mark,
    notes_unsigned_for,
    session_note_save,
    session_note_sign,
)
from tests.factories import (
    AppointmentFactory,
    CourseFactory,
    DiagnosisFactory,
    ModalityFactory,
    PhaseRecordFactory,
    SessionNoteFactory,
    TherapistFactory,
    UserFactory,
)

SIGNABLE = {"pain_before": 6, "pain_after": 3, "minutes": 40}


@pytest.fixture
def session(db):
    """A session that started an hour ago, checked in."""
    starts_at = timezone.now().replace(microsecond=0) - dt.timedelta(hours=1)
    return AppointmentFactory(starts_at=starts_at, status=AppointmentStatus.CHECKED_IN)


@pytest.fixture
def author(session):
    return session.therapist.user


def signed_note(session, **fields) -> SessionNote:
    note = session_note_save(appointment=session, author=session.therapist.user, **{**SIGNABLE, **fields})
    return session_note_sign(note=note, signed_by=session.therapist.user)


def refusal(excinfo) -> str:
    return " ".join(excinfo.value.reasons)


# session_note_save


def test_it_creates_a_draft_for_the_sessions_own_therapist(session, author):
    note = session_note_save(
        appointment=session, author=author, subjective="Pain down the left leg since Monday.", pain_before=6
    )
    note.refresh_from_db()
    assert note.appointment == session
    assert note.author == author
    assert note.subjective == "Pain down the left leg since Monday."
    assert note.pain_before == 6
    assert not note.is_signed


def test_saving_again_updates_the_same_draft(session, author):
    first = session_note_save(appointment=session, author=author, pain_before=6)
    second = session_note_save(appointment=session, author=author, pain_before=5, pain_after=3)
    assert first.pk == second.pk
    assert SessionNote.objects.get().pain_after == 3


def test_it_stores_areas_in_technique_order_without_duplicates(session, author):
    note = session_note_save(
        appointment=session,
        author=author,
        areas_treated=["foot_heel:left", "lumbar:left", "gluteal:left", "lumbar:left", "sacral:right"],
    )
    assert note.areas_treated == ["lumbar:left", "sacral:right", "gluteal:left", "foot_heel:left"]


def test_it_refuses_another_therapist(session):
    other = TherapistFactory().user
    with pytest.raises(Refused) as excinfo:
        session_note_save(appointment=session, author=other, subjective="Mine now")
    assert "own therapist" in refusal(excinfo)
    assert not SessionNote.objects.exists()


def test_it_refuses_a_receptionist_as_author(session, receptionist):
    with pytest.raises(Refused):
        session_note_save(appointment=session, author=receptionist, subjective="Hello")
    assert not SessionNote.objects.exists()


def test_it_refuses_a_signed_note(session, author):
    signed_note(session, subjective="As signed")
    with pytest.raises(Refused) as excinfo:
        session_note_save(appointment=session, author=author, subjective="Rewritten")
    assert "signed" in refusal(excinfo)
    assert SessionNote.objects.get().subjective == "As signed"


@pytest.mark.parametrize("status", [AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW])
def test_it_refuses_a_note_on_a_cancelled_or_missed_session(session, author, status):
    session.status = status
    session.cancellation_reason = "Patient called in sick" if status == AppointmentStatus.CANCELLED else ""
    session.save()
    with pytest.raises(Refused) as excinfo:
        session_note_save(appointment=session, author=author, subjective="Treated anyway")
    assert session.get_status_display().lower() in refusal(excinfo)
    assert not SessionNote.objects.exists()


@pytest.mark.parametrize("field", ["pain_before", "pain_after"])
@pytest.mark.parametrize("value", [-1, 11, "7", True, 6.5])
def test_it_refuses_a_pain_score_outside_0_to_10(session, author, field, value):
    with pytest.raises(Refused) as excinfo:
        session_note_save(appointment=session, author=author, **{field: value})
    assert "0 to 10" in refusal(excinfo)
    assert not SessionNote.objects.exists()


@pytest.mark.parametrize("score", [0, 10])
def test_it_accepts_the_ends_of_the_pain_scale(session, author, score):
    note = session_note_save(appointment=session, author=author, pain_before=score, pain_after=score)
    assert (note.pain_before, note.pain_after) == (score, score)


@pytest.mark.parametrize("minutes", [0, 241])
def test_it_refuses_minutes_out_of_range(session, author, minutes):
    with pytest.raises(Refused) as excinfo:
        session_note_save(appointment=session, author=author, minutes=minutes)
    assert "Minutes" in refusal(excinfo)


@pytest.mark.parametrize("area", ["shoulder:left", "lumbar", "lumbar:both", "calf:LEFT"])
def test_it_refuses_an_area_outside_the_allowed_set(session, author, area):
    with pytest.raises(Refused) as excinfo:
        session_note_save(appointment=session, author=author, areas_treated=["sacral:left", area])
    assert "Unknown areas" in refusal(excinfo)
    assert not SessionNote.objects.exists()


def test_it_refuses_stopped_early_without_a_reason(session, author):
    with pytest.raises(Refused) as excinfo:
        session_note_save(appointment=session, author=author, stopped_early=True, stopped_early_reason="  ")
    assert "stopped early" in refusal(excinfo)
    assert not SessionNote.objects.exists()


def test_it_keeps_the_reason_a_session_stopped_early(session, author):
    note = session_note_save(
        appointment=session, author=author, stopped_early=True, stopped_early_reason="Leg raise hurt at 30°."
    )
    assert note.stopped_early and note.stopped_early_reason == "Leg raise hurt at 30°."


def test_it_refuses_an_over_long_text_instead_of_failing_in_the_database(session, author):
    with pytest.raises(Refused):
        session_note_save(appointment=session, author=author, oils_used="almond " * 50)
    assert not SessionNote.objects.exists()


def test_it_refuses_fields_it_does_not_know(session, author):
    with pytest.raises(TypeError):
        session_note_save(appointment=session, author=author, signed_at=timezone.now())


# session_note_sign


def test_signing_sets_who_and_when(session, author):
    note = session_note_save(appointment=session, author=author, **SIGNABLE)
    before = timezone.now()
    session_note_sign(note=note, signed_by=author)
    note.refresh_from_db()
    assert note.signed_by == author
    assert before <= note.signed_at <= timezone.now()


def test_it_refuses_to_sign_twice(session, author):
    note = signed_note(session)
    signed_at = note.signed_at
    with pytest.raises(Refused) as excinfo:
        session_note_sign(note=note, signed_by=author)
    assert "signed" in refusal(excinfo)
    note.refresh_from_db()
    assert note.signed_at == signed_at


def test_it_refuses_a_signer_who_is_not_the_author(session, author, manager):
    note = session_note_save(appointment=session, author=author, **SIGNABLE)
    with pytest.raises(Refused) as excinfo:
        session_note_sign(note=note, signed_by=manager)
    assert "author" in refusal(excinfo)
    note.refresh_from_db()
    assert not note.is_signed


@pytest.mark.parametrize("missing", ["pain_before", "pain_after", "minutes"])
def test_it_refuses_to_sign_without_pain_scores_and_minutes(session, author, missing):
    note = session_note_save(appointment=session, author=author, **{**SIGNABLE, missing: None})
    with pytest.raises(Refused) as excinfo:
        session_note_sign(note=note, signed_by=author)
    assert missing.replace("_", " ") in refusal(excinfo)
    note.refresh_from_db()
    assert not note.is_signed


def test_it_refuses_to_sign_before_the_session_starts(author, session):
    # Checked in early: signing needs a session checked in or completed (below), and started.
    session.starts_at = timezone.now() + dt.timedelta(hours=2)
    session.ends_at = session.starts_at + dt.timedelta(minutes=45)
    session.status = AppointmentStatus.CHECKED_IN
    session.save()
    note = session_note_save(appointment=session, author=author, **SIGNABLE)
    with pytest.raises(Refused) as excinfo:
        session_note_sign(note=note, signed_by=author)
    assert "started" in refusal(excinfo)


def test_it_refuses_to_sign_the_note_of_a_session_not_checked_in(session, author):
    session.status = AppointmentStatus.BOOKED
    session.save()
    note = session_note_save(appointment=session, author=author, **SIGNABLE)
    with pytest.raises(Refused) as excinfo:
        session_note_sign(note=note, signed_by=author)
    assert refusal(excinfo) == "The patient is not checked in yet: a note is signed for a session that took place."
    note.refresh_from_db()
    assert not note.is_signed


def test_it_refuses_to_sign_the_draft_of_a_session_missed_since(session, author):
    note = session_note_save(appointment=session, author=author, **SIGNABLE)
    session.status = AppointmentStatus.NO_SHOW
    session.save()
    with pytest.raises(Refused) as excinfo:
        session_note_sign(note=note, signed_by=author)
    assert refusal(excinfo) == "The session was no-show; its note is not signed."


def test_it_refuses_to_sign_while_the_patient_is_acute(session, author):
    note = session_note_save(appointment=session, author=author, **SIGNABLE)
    PhaseRecordFactory(diagnosis=DiagnosisFactory(patient=session.patient), phase=Phase.ACUTE)
    with pytest.raises(Refused) as excinfo:
        session_note_sign(note=note, signed_by=author)
    assert "Acute phase of M54.3 Sciatica" in refusal(excinfo)
    note.refresh_from_db()
    session.refresh_from_db()
    assert not note.is_signed
    assert session.status == AppointmentStatus.CHECKED_IN


def test_signing_completes_a_checked_in_session(session, author):
    note = signed_note(session)
    session.refresh_from_db()
    assert note.is_signed
    assert session.status == AppointmentStatus.COMPLETED


def test_signing_leaves_a_completed_session_completed(session, author):
    appointment_complete(appointment=session)
    signed_note(session)
    session.refresh_from_db()
    assert session.status == AppointmentStatus.COMPLETED


def test_a_refused_signature_leaves_the_session_checked_in(session, author):
    note = session_note_save(appointment=session, author=author, pain_before=5)
    with pytest.raises(Refused):
        session_note_sign(note=note, signed_by=author)
    session.refresh_from_db()
    assert session.status == AppointmentStatus.CHECKED_IN


# notes_unsigned_for


def test_the_unsigned_notes_are_her_sessions_given_without_a_signed_note_oldest_first(session, author):
    therapist = session.therapist
    at = timezone.now().replace(microsecond=0)

    def given(days_ago, status=AppointmentStatus.COMPLETED, hours_earlier=0, **fields):
        # Apart, so that no two overlap (PostgreSQL's exclusion constraints).
        starts_at = at - dt.timedelta(days=days_ago, hours=hours_earlier)
        return AppointmentFactory(therapist=therapist, starts_at=starts_at, status=status, **fields)

    no_note = given(5)
    draft = given(3)
    SessionNoteFactory(appointment=draft)
    signed = given(2)
    SessionNoteFactory(appointment=signed, signed_at=at, signed_by=author)
    given(4, AppointmentStatus.BOOKED)
    given(4, AppointmentStatus.NO_SHOW, hours_earlier=1)
    given(4, AppointmentStatus.CANCELLED, hours_earlier=2, cancellation_reason="Ill")
    AppointmentFactory(starts_at=at - dt.timedelta(days=6), status=AppointmentStatus.COMPLETED)  # someone else's
    assert list(notes_unsigned_for(user=author)) == [no_note, draft, session]


def test_signing_flags_the_session_and_a_refused_signature_does_not(session, author):
    draft = session_note_save(appointment=session, author=author, pain_before=6)
    with pytest.raises(Refused):
        session_note_sign(note=draft, signed_by=author)  # no pain after, no minutes
    session.refresh_from_db()
    assert not session.note_signed

    signed_note(session)

    session.refresh_from_db()
    assert session.note_signed
    assert session not in notes_unsigned_for(user=author)


def test_notes_signed_in_bulk_are_flagged_by_the_mark(session, author):
    """The seeders write notes without the service: the mark flags those signed, and only those."""
    at = timezone.now().replace(microsecond=0)
    bulk_signed = AppointmentFactory(
        therapist=session.therapist, starts_at=at - dt.timedelta(days=2), status=AppointmentStatus.COMPLETED
    )
    SessionNoteFactory(appointment=bulk_signed, signed_at=at, signed_by=author)
    SessionNoteFactory(appointment=session)  # a draft

    assert appointments_note_signed_mark() == 1

    bulk_signed.refresh_from_db()
    session.refresh_from_db()
    assert (bulk_signed.note_signed, session.note_signed) == (True, False)
    assert appointments_note_signed_mark() == 0


def test_it_refuses_to_sign_the_draft_of_a_session_cancelled_since(session, author):
    note = session_note_save(appointment=session, author=author, **SIGNABLE)
    appointment_cancel(appointment=session, reason="Patient felt unwell")
    with pytest.raises(Refused) as excinfo:
        session_note_sign(note=note, signed_by=author)
    assert "cancelled" in refusal(excinfo)


# A signed note never changes, at the model level too


def test_the_model_refuses_to_save_a_signed_note(session):
    note = signed_note(session, subjective="As signed")
    note.subjective = "Changed behind the service's back"
    with pytest.raises(NoteAlreadySigned):
        note.save()
    assert SessionNote.objects.get().subjective == "As signed"


def test_the_model_refuses_a_stale_copy_loaded_before_signing(session, author):
    draft = session_note_save(appointment=session, author=author, **SIGNABLE)
    stale = SessionNote.objects.get(pk=draft.pk)
    session_note_sign(note=draft, signed_by=author)
    stale.pain_after = 0
    with pytest.raises(NoteAlreadySigned):
        stale.save()
    assert SessionNote.objects.get().pain_after == 3


def test_the_model_refuses_to_delete_a_signed_note(session):
    note = signed_note(session)
    with pytest.raises(NoteAlreadySigned):
        note.delete()
    assert SessionNote.objects.filter(pk=note.pk).exists()


def test_the_model_still_saves_and_deletes_a_draft(session, author):
    note = session_note_save(appointment=session, author=author, pain_before=5)
    note.pain_before = 4
    note.save()
    note.delete()
    assert not SessionNote.objects.exists()


def test_the_signed_check_costs_one_query(session, author, django_assert_num_queries):
    note = session_note_save(appointment=session, author=author, pain_before=5)
    # The check, django-auditlog's read of the row as it was (to log what changed), the update.
    with django_assert_num_queries(3):
        note.save()


# The course completes with its last done session


@pytest.fixture
def short_course(db):
    """A two-session course: one session completed and signed, the second under way."""
    modality = ModalityFactory(course_min_sessions=2, course_max_sessions=2)
    course = CourseFactory(modality=modality)
    therapist = TherapistFactory(modalities=[modality])
    now = timezone.now().replace(microsecond=0)
    sessions = [
        AppointmentFactory(
            patient=course.patient,
            course=course,
            modality=modality,
            therapist=therapist,
            starts_at=now - dt.timedelta(days=days_ago, hours=1),
            status=AppointmentStatus.CHECKED_IN,
        )
        for days_ago in (2, 0)
    ]
    appointment_complete(appointment=sessions[0])
    signed_note(sessions[0])
    return course, sessions


def test_the_course_completes_when_the_last_note_is_signed_after_completion(short_course):
    course, (_, last) = short_course
    appointment_complete(appointment=last)
    course.refresh_from_db()
    assert course.status == CourseStatus.ACTIVE  # completed, but no signed note yet
    signed_note(last)
    course.refresh_from_db()
    assert course.status == CourseStatus.COMPLETED


def test_signing_the_last_checked_in_session_completes_it_and_the_course_at_once(short_course):
    course, (_, last) = short_course
    signed_note(last)
    last.refresh_from_db()
    course.refresh_from_db()
    assert last.status == AppointmentStatus.COMPLETED
    assert course.status == CourseStatus.COMPLETED


def test_the_course_completes_when_the_last_session_is_completed_after_its_note_was_signed(short_course):
    course, (_, last) = short_course
    appointment_complete(appointment=last)
    course.refresh_from_db()
    assert course.status == CourseStatus.ACTIVE  # completed, but its note is not signed yet
    signed_note(last)
    course.refresh_from_db()
    assert course.status == CourseStatus.COMPLETED


def test_a_course_short_of_its_maximum_stays_active(short_course):
    course, _ = short_course
    assert course_complete_if_full(course=course).status == CourseStatus.ACTIVE


def test_a_cancelled_course_is_not_reopened_as_completed(short_course):
    course, (_, last) = short_course
    course.status = CourseStatus.CANCELLED
    course.save()
    appointment_complete(appointment=last)
    signed_note(last)
    course.refresh_from_db()
    assert course.status == CourseStatus.CANCELLED


# The course's first and last pain, copied when a note is signed (the outcomes report reads them)


def copied_pain(course) -> tuple[int | None, int | None]:
    """The course's copies, checked against what course_outcome reads from the notes themselves."""
    course.refresh_from_db()
    outcome = course_outcome(course=course)
    assert (course.first_pain, course.last_pain) == (outcome.first_pain, outcome.last_pain)
    return course.first_pain, course.last_pain


def test_signing_copies_the_pain_before_the_first_session_done_and_after_the_latest(short_course):
    course, (first, last) = short_course
    assert copied_pain(course) == (6, 3)  # the first session's note: 6 before, 3 after
    note = session_note_save(appointment=last, author=last.therapist.user, **{**SIGNABLE, "pain_after": 1})
    assert copied_pain(course) == (6, 3)  # a draft is not a session done
    session_note_sign(note=note, signed_by=last.therapist.user)
    assert copied_pain(course) == (6, 1)


def test_an_earlier_session_signed_late_becomes_the_first(short_course):
    course, (first, _) = short_course
    earlier = AppointmentFactory(
        patient=course.patient,
        course=course,
        modality=course.modality,
        therapist=first.therapist,
        starts_at=first.starts_at - dt.timedelta(days=2),
        status=AppointmentStatus.CHECKED_IN,
    )
    signed_note(earlier, pain_before=8, pain_after=5)
    assert copied_pain(course) == (8, 3)


def test_the_pain_of_notes_written_in_bulk_is_copied_by_courses_pain_record(short_course):
    course, _ = short_course
    Course.objects.update(first_pain=None, last_pain=None)  # as notes written in bulk leave them
    other = CourseFactory()  # no session done: nothing to copy
    assert courses_pain_record() == 2
    assert copied_pain(course) == (6, 3)
    assert copied_pain(other) == (None, None)


# addendum_add


def test_the_author_adds_an_addendum_and_the_note_stays_as_signed(session, author):
    note = signed_note(session, subjective="As signed")
    updated_at = SessionNote.objects.get().updated_at
    addendum = addendum_add(note=note, author=author, text="  Pain eased further the next day.  ")
    assert addendum.text == "Pain eased further the next day."
    assert addendum.author == author and addendum.created_at is not None
    assert SessionNote.objects.get().updated_at == updated_at


def test_a_therapist_treating_the_patient_adds_an_addendum(session):
    note = signed_note(session)
    colleague = TherapistFactory()
    AppointmentFactory(patient=session.patient, therapist=colleague)
    addendum = addendum_add(note=note, author=colleague.user, text="Seen on Friday: better.")
    assert addendum.note == note


def test_it_refuses_an_addendum_on_a_draft(session, author):
    draft = session_note_save(appointment=session, author=author, pain_before=6)
    with pytest.raises(Refused) as excinfo:
        addendum_add(note=draft, author=author, text="A remark")
    assert "draft" in refusal(excinfo)
    assert not Addendum.objects.exists()


def test_it_refuses_an_empty_addendum(session, author):
    note = signed_note(session)
    with pytest.raises(Refused) as excinfo:
        addendum_add(note=note, author=author, text=" \n ")
    assert "text" in refusal(excinfo)
    assert not Addendum.objects.exists()


def test_it_refuses_a_therapist_who_does_not_treat_the_patient(session):
    note = signed_note(session)
    stranger = TherapistFactory()
    with pytest.raises(Refused) as excinfo:
        addendum_add(note=note, author=stranger.user, text="A remark")
    assert "author or a therapist" in refusal(excinfo)
    assert not Addendum.objects.exists()


def test_it_refuses_a_manager_even_one_who_prescribed_the_course(session, manager):
    CourseFactory(patient=session.patient, prescribed_by=manager)
    note = signed_note(session)
    with pytest.raises(Refused):
        addendum_add(note=note, author=manager, text="A remark")
    assert not Addendum.objects.exists()


def test_it_refuses_an_addendum_by_a_receptionist(session, receptionist):
    note = signed_note(session)
    with pytest.raises(Refused):
        addendum_add(note=note, author=receptionist, text="A remark")


def test_a_patient_user_cannot_add_to_their_own_note(session):
    user = UserFactory(role=roles.PATIENT)
    session.patient.user = user
    session.patient.save()
    note = signed_note(session)
    with pytest.raises(Refused):
        addendum_add(note=note, author=user, text="That is not what I said")
