"""Session notes: the therapist's draft, the signature that seals it, addenda that correct a
signed note without changing it, the notes a chart shows, and the notes overdue for signing."""

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext

from clinic.events import NOTE_SIGNED, event_announce
from clinic.refusals import Refused
from clinic.roles import THERAPIST, has_role
from patients.models import Patient
from sessions.appointments import SIGN, appointment_actions, appointment_status_set
from sessions.chart_access import therapist_treats_patient
from sessions.course_progress import course_pain_record
from sessions.courses import course_complete_if_full
from sessions.models import (
    AREA_SIDE_CHOICES,
    SIGNABLE_STATUSES,
    SIGNED_ALREADY,
    Addendum,
    Appointment,
    AppointmentStatus,
    SessionNote,
)
from sessions.note_seal import note_seal

NOTE_FIELDS = frozenset(
    {
        "subjective",
        "objective",
        "assessment",
        "plan",
        "pain_before",
        "pain_after",
        "areas_treated",
        "techniques",
        "oils_used",
        "minutes",
        "stopped_early",
        "stopped_early_reason",
        "patient_summary",
    }
)


AREA_SIDE_ORDER = [value for value, _ in AREA_SIDE_CHOICES]


def _note_problems(note: SessionNote) -> list[str]:
    problems = []
    scores = (
        ("pain_before", gettext("Pain before is a whole number from 0 to 10.")),
        ("pain_after", gettext("Pain after is a whole number from 0 to 10.")),
    )
    for name, sentence in scores:
        value = getattr(note, name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10):
            problems.append(sentence)
    if note.minutes is not None and (not isinstance(note.minutes, int) or not 1 <= note.minutes <= 240):
        problems.append(gettext("Minutes are a whole number from 1 to 240."))
    unknown = [area for area in note.areas_treated if area not in AREA_SIDE_ORDER]
    if unknown:
        problems.append(gettext("Unknown areas treated: %(areas)s.") % {"areas": ", ".join(map(str, unknown))})
    if note.stopped_early and not note.stopped_early_reason.strip():
        problems.append(gettext("Say why the session stopped early."))
    return problems


@transaction.atomic
def session_note_save(*, appointment: Appointment, author: AbstractBaseUser, **fields) -> SessionNote:
    """Create or update the draft note of a session. Only the session's own therapist writes it,
    never once it is signed, and never for a session that was cancelled or missed."""
    unknown = set(fields) - NOTE_FIELDS
    if unknown:
        raise TypeError(f"session_note_save() cannot set {', '.join(sorted(unknown))}")
    appointment = Appointment.objects.select_for_update().select_related("therapist").get(pk=appointment.pk)
    if appointment.therapist.user_id != author.pk:
        raise Refused([gettext("Only the session's own therapist writes its note.")])
    note = SessionNote.objects.select_for_update().filter(appointment=appointment).first()
    if note is not None and note.is_signed:
        raise Refused([str(SIGNED_ALREADY)])
    if not appointment.takes_note:
        status = appointment.get_status_display().lower()
        raise Refused([gettext("A %(status)s session gets no note.") % {"status": status}])
    note = note or SessionNote(appointment=appointment)
    note.author = author  # the draft belongs to whoever treats the session now
    for name, value in fields.items():
        setattr(note, name, value)
    note.areas_treated = list(note.areas_treated or [])
    problems = _note_problems(note)
    if problems:
        raise Refused(problems)
    # Stored in the order the technique works the areas, whatever order they were ticked in.
    note.areas_treated = sorted(set(note.areas_treated), key=AREA_SIDE_ORDER.index)
    note.stopped_early_reason = note.stopped_early_reason.strip() if note.stopped_early else ""
    try:
        # Lengths and the rest of the model's own rules; the session and author are settled above.
        note.full_clean(exclude=["appointment", "author", "signed_by"])
    except ValidationError as error:
        raise Refused(error.messages) from error
    note.save()
    return note


@transaction.atomic
def session_note_sign(*, note: SessionNote, signed_by: AbstractBaseUser) -> SessionNote:
    """Sign a draft: from now on it never changes. Only for a session that took place (checked in
    or completed, started) and only while nothing blocks treating the patient now (the
    contraindication check, as at check-in). Signing the note of a checked-in session completes
    it in the same transaction; a completed session with a signed note counts as done for its
    course, which completes once its last session is done, and whose first and last pain are
    copied again from its sessions done."""
    note = SessionNote.objects.select_for_update().get(pk=note.pk)
    if note.is_signed:
        raise Refused([str(SIGNED_ALREADY)])
    if note.author_id != signed_by.pk:
        raise Refused([gettext("Only the note's author signs it.")])
    now = timezone.now()
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("patient", "modality")
        .get(pk=note.appointment_id)
    )
    actions = appointment_actions(appointment, now=now)
    if not actions.allows(SIGN):
        raise Refused(actions.why_not[SIGN])
    labels = (
        ("pain_before", gettext("pain before")),
        ("pain_after", gettext("pain after")),
        ("minutes", gettext("minutes")),
    )
    missing = [label for name, label in labels if getattr(note, name) is None]
    if missing:
        raise Refused([gettext("Fill in %(fields)s before signing.") % {"fields": ", ".join(missing)}])
    note.signed_at = now
    note.signed_by = signed_by
    note.content_hash = note_seal(note)
    note.save()
    appointment.note_signed = True
    Appointment.objects.filter(pk=appointment.pk).update(note_signed=True)
    if appointment.status == AppointmentStatus.CHECKED_IN:
        # The signature says the session took place: it is completed with it (and its course, if full).
        appointment_status_set(appointment, AppointmentStatus.COMPLETED, now=now)
    elif appointment.course_id is not None:
        course_complete_if_full(course=appointment.course)
    if appointment.course_id is not None:
        course_pain_record(course_id=appointment.course_id)
    note.appointment = appointment
    event_announce(NOTE_SIGNED, note=note)
    return note


@transaction.atomic
def addendum_add(*, note: SessionNote, author: AbstractBaseUser, text: str) -> Addendum:
    """Correct or add to a signed note without changing it: by its author, or by a therapist who
    treats the same patient."""
    note = SessionNote.objects.select_related("appointment__patient").get(pk=note.pk)
    if not note.is_signed:
        raise Refused([gettext("Addenda are for signed notes; a draft is edited directly.")])
    text = text.strip()
    if not text:
        raise Refused([gettext("Write the addendum's text.")])
    if author.pk != note.author_id and not (
        has_role(author, THERAPIST) and therapist_treats_patient(user=author, patient=note.appointment.patient)
    ):
        raise Refused([gettext("Only the note's author or a therapist treating this patient adds to it.")])
    addendum = Addendum(note=note, author=author, text=text)
    addendum.full_clean()
    addendum.save()
    return addendum


# Of the people a note names (its therapist, signer, the authors of its addenda) the chart shows
# the name; of its session the time, modality and therapist. Only those columns are read: the
# query's cost grows with its columns, and a user's row is most of them.
_NAME_FIELDS = ("first_name", "last_name", "username")
CHART_NOTE_FIELDS = (
    "author_id",
    "pain_before",
    "pain_after",
    "areas_treated",
    "techniques",
    "oils_used",
    "stopped_early",
    "stopped_early_reason",
    "subjective",
    "objective",
    "assessment",
    "plan",
    "patient_summary",
    "signed_at",
    "appointment__starts_at",
    "appointment__modality__name",
    *(f"appointment__therapist__user__{name}" for name in _NAME_FIELDS),
    *(f"signed_by__{name}" for name in _NAME_FIELDS),
)


def session_notes_for_chart(*, patient: Patient, reader: AbstractBaseUser) -> list[SessionNote]:
    """The patient's signed session notes and the reader's own drafts, newest session first, each
    with its session (its time, modality and therapist), signer and `addendum_list`: what the
    chart shows of them (CHART_NOTE_FIELDS). One query, and a second when a note has addenda
    (they are rare: a correction after signing), however many notes."""
    notes = list(
        SessionNote.objects.filter(Q(signed_at__isnull=False) | Q(author_id=reader.pk), appointment__patient=patient)
        .select_related("appointment__modality", "appointment__therapist__user", "signed_by")
        .only(*CHART_NOTE_FIELDS)
        .annotate(has_addenda=Exists(Addendum.objects.filter(note=OuterRef("pk"))))
        .order_by("-appointment__starts_at", "-pk")
    )
    amended = [note for note in notes if note.has_addenda]
    for note in notes:
        if not note.has_addenda:
            note.addendum_list = []
    if amended:
        addenda = (
            Addendum.objects.select_related("author")
            .only("note_id", "text", "created_at", *(f"author__{name}" for name in _NAME_FIELDS))
            .order_by("created_at", "pk")
        )
        prefetch_related_objects(amended, Prefetch("addenda", queryset=addenda, to_attr="addendum_list"))
    return notes


def _unsigned_sessions() -> QuerySet[Appointment]:
    """Sessions given (checked in or completed) whose note is missing or still a draft, oldest first."""
    return (
        # note_signed narrows to the few through its index; the note's own row decides.
        Appointment.objects.filter(status__in=SIGNABLE_STATUSES, note_signed=False)
        .filter(Q(note__isnull=True) | Q(note__signed_at__isnull=True))
        .order_by("starts_at", "pk")
    )


def appointments_note_signed_mark() -> int:
    """Mark the sessions whose note is signed but not flagged yet (notes written in bulk by the
    seeders or the migration that added the flag); the number marked."""
    return Appointment.objects.filter(note_signed=False, note__signed_at__isnull=False).update(note_signed=True)


def notes_unsigned_for(*, user: AbstractBaseUser) -> QuerySet[Appointment]:
    """The sessions `user` gave whose note is missing or still a draft, oldest first, across all
    days: what she still has to write up and sign. Each with its patient, modality, room and note
    (None when there is none yet); one query a page."""
    return _unsigned_sessions().filter(therapist__user_id=user.pk).select_related("patient", "modality", "room", "note")


# A note is written on the day; one still unsigned after this is the manager's to chase.
NOTE_OVERDUE_AFTER = dt.timedelta(days=1)


def notes_overdue(*, now: dt.datetime) -> QuerySet[Appointment]:
    """Sessions given more than a day ago whose note is missing or still unsigned, oldest first,
    with the patient and therapist: what the manager chases."""
    return (
        _unsigned_sessions()
        .filter(starts_at__lt=now - NOTE_OVERDUE_AFTER)
        .select_related("patient", "therapist__user", "modality")
    )
