"""Treatment courses, the booked sessions (appointments), the therapist's session notes, and the
outcome measures filled in for a course."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from clinic.choices import choice_display
from clinic.date_windows import COURSE_START_WINDOW, validate_windows
from clinic.models import (
    NOTE_TEXT_MAX_LENGTH,
    SHORT_TEXT_MAX_LENGTH,
    Cadence,
    Modality,
    Room,
    Therapist,
    course_plan_constraints,
    ends_after,
    reason_required,
    text_length_check,
)
from outcomes.models import Measure
from patients.models import Diagnosis, Patient
from patients.record_version import next_midnight


class CourseStatus(models.TextChoices):
    PLANNED = "planned", gettext_lazy("Planned")
    ACTIVE = "active", gettext_lazy("Active")
    SUSPENDED = "suspended", gettext_lazy("Suspended")
    COMPLETED = "completed", gettext_lazy("Completed")
    CANCELLED = "cancelled", gettext_lazy("Cancelled")


# What each course status allows: the one place the services, the pages and the admin read it.
BOOKABLE_COURSE_STATUSES = frozenset({CourseStatus.PLANNED, CourseStatus.ACTIVE})
SUSPENDABLE_COURSE_STATUSES = frozenset({CourseStatus.PLANNED, CourseStatus.ACTIVE})
RESUMABLE_COURSE_STATUSES = frozenset({CourseStatus.SUSPENDED})
CLOSABLE_COURSE_STATUSES = frozenset({CourseStatus.PLANNED, CourseStatus.ACTIVE, CourseStatus.SUSPENDED})
FINISHED_COURSE_STATUSES = frozenset({CourseStatus.COMPLETED, CourseStatus.CANCELLED})


def _status_in(statuses: frozenset) -> property:
    """A predicate of a row's status: whether it is one of `statuses`."""
    return property(lambda row: row.status in statuses)


class Course(models.Model):
    """A prescribed series of sessions of one modality for one diagnosis."""

    patient = models.ForeignKey(
        Patient, verbose_name=gettext_lazy("patient"), on_delete=models.PROTECT, related_name="courses"
    )
    diagnosis = models.ForeignKey(
        Diagnosis, verbose_name=gettext_lazy("diagnosis"), on_delete=models.PROTECT, related_name="courses"
    )
    modality = models.ForeignKey(
        Modality, verbose_name=gettext_lazy("modality"), on_delete=models.PROTECT, related_name="courses"
    )
    prescribed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("prescribed by"), on_delete=models.PROTECT, related_name="+"
    )
    min_sessions = models.PositiveSmallIntegerField(
        gettext_lazy("min sessions"), validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    max_sessions = models.PositiveSmallIntegerField(
        gettext_lazy("max sessions"), validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    session_minutes = models.PositiveSmallIntegerField(
        gettext_lazy("session minutes"), validators=[MinValueValidator(5), MaxValueValidator(240)]
    )
    cadence = models.CharField(gettext_lazy("cadence"), max_length=20, choices=Cadence.choices)
    sessions_per_week = models.PositiveSmallIntegerField(
        gettext_lazy("sessions per week"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(7)],
    )
    starts_on = models.DateField(gettext_lazy("starts on"))
    status = models.CharField(
        gettext_lazy("status"), max_length=10, choices=CourseStatus.choices, default=CourseStatus.ACTIVE
    )
    goals = models.TextField(gettext_lazy("goals"), blank=True, max_length=SHORT_TEXT_MAX_LENGTH)
    home_programme = models.TextField(
        gettext_lazy("home programme"),
        blank=True,
        max_length=SHORT_TEXT_MAX_LENGTH,
        help_text=gettext_lazy("Exercises between sessions; only once the condition is in remission."),
    )
    discharge_summary = models.TextField(
        gettext_lazy("discharge summary"), blank=True, max_length=SHORT_TEXT_MAX_LENGTH
    )
    created_at = models.DateTimeField(gettext_lazy("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(gettext_lazy("updated at"), auto_now=True)
    # The pain before the first session done and after the latest one (done: completed, its note
    # signed), copied from those notes by sessions.course_progress in the transaction that signs
    # a note (and for notes written in bulk: the seeders, migration 0010). A signed note never
    # changes, so the copies stay true. Only a shortcut for the outcomes report, which would
    # otherwise look up two notes per course for thousands of courses; NULL while none is done.
    first_pain = models.PositiveSmallIntegerField(
        gettext_lazy("pain before the first session"), null=True, editable=False
    )
    last_pain = models.PositiveSmallIntegerField(
        gettext_lazy("pain after the latest session"), null=True, editable=False
    )

    # Labels looked up without translating every choice (clinic.choices).
    get_cadence_display = choice_display("cadence")
    get_status_display = choice_display("status")

    class Meta:
        verbose_name = gettext_lazy("course")
        verbose_name_plural = gettext_lazy("courses")
        ordering = ["-starts_on"]
        constraints = [
            *course_plan_constraints("course", "min_sessions", "max_sessions"),
            *(
                text_length_check(name, SHORT_TEXT_MAX_LENGTH, f"course_{name}_length")
                for name in ("goals", "home_programme", "discharge_summary")
            ),
        ]
        indexes = [models.Index(fields=["patient", "status"], name="course_patient_status_idx")]

    def __str__(self) -> str:
        return f"{self.modality} for {self.patient} ({self.session_range})"

    def get_additional_data(self) -> dict:
        """What django-auditlog stores with each change of this row: whose record it is."""
        return {"patient_id": self.patient_id}

    def clean(self) -> None:
        validate_windows(self, starts_on=COURSE_START_WINDOW)

    @property
    def session_range(self) -> str:
        return session_range(self.min_sessions, self.max_sessions)

    # What the course's status allows, for services, templates and the admin alike.
    is_bookable = _status_in(BOOKABLE_COURSE_STATUSES)
    can_suspend = _status_in(SUSPENDABLE_COURSE_STATUSES)
    can_resume = _status_in(RESUMABLE_COURSE_STATUSES)
    can_close = _status_in(CLOSABLE_COURSE_STATUSES)
    is_finished = _status_in(FINISHED_COURSE_STATUSES)


def session_range(min_sessions: int, max_sessions: int) -> str:
    """How many sessions a course prescribes, as people write it: "10", or "12–15"."""
    return str(max_sessions) if min_sessions == max_sessions else f"{min_sessions}–{max_sessions}"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", gettext_lazy("Booked")
    CHECKED_IN = "checked_in", gettext_lazy("Checked in")
    COMPLETED = "completed", gettext_lazy("Completed")
    CANCELLED = "cancelled", gettext_lazy("Cancelled")
    NO_SHOW = "no_show", gettext_lazy("No-show")


# Statuses that use up one of a course's sessions; a cancelled or missed session does not.
COUNTED_STATUSES = [AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN, AppointmentStatus.COMPLETED]
# Statuses of a session still ahead or under way: it can be checked in, moved or cancelled.
OPEN_STATUSES = [AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN]
# A cancelled or missed session gets no note.
NO_NOTE_STATUSES = frozenset({AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW})
# A note is signed for a session that took place: under way (signing completes it) or completed.
SIGNABLE_STATUSES = frozenset({AppointmentStatus.CHECKED_IN, AppointmentStatus.COMPLETED})

SIGNED_ALREADY = gettext_lazy("This note is signed and can no longer change; add an addendum instead.")

# Why a status change is refused at a moment when the status itself would allow it.
CHECK_IN_ON_THE_DAY = gettext_lazy("A patient is checked in on the day of the session only.")
COMPLETE_AFTER_START = gettext_lazy("A session cannot be completed before it starts.")
NO_SHOW_AFTER_START = gettext_lazy("A no-show is recorded only once the session's start time has passed.")
# What Appointment.status_change_refused answers: the rule that refuses, by status or by time.
BY_STATUS, BY_TIME = "status", "time"
_TIME_REFUSALS = {
    AppointmentStatus.CHECKED_IN: CHECK_IN_ON_THE_DAY,
    AppointmentStatus.COMPLETED: COMPLETE_AFTER_START,
    AppointmentStatus.NO_SHOW: NO_SHOW_AFTER_START,
}

# The statuses an appointment may move to from each status; anything else is refused.
TRANSITIONS = {
    AppointmentStatus.BOOKED: frozenset(
        {
            AppointmentStatus.CHECKED_IN,
            AppointmentStatus.COMPLETED,
            AppointmentStatus.CANCELLED,
            AppointmentStatus.NO_SHOW,
        }
    ),
    AppointmentStatus.CHECKED_IN: frozenset({AppointmentStatus.COMPLETED, AppointmentStatus.CANCELLED}),
    AppointmentStatus.COMPLETED: frozenset(),
    AppointmentStatus.CANCELLED: frozenset(),
    AppointmentStatus.NO_SHOW: frozenset(),
}


class AppointmentQuerySet(models.QuerySet):
    def needing_review(self):
        """Needs review: flagged after an acute phase and still open (booked or checked in), so
        reception has to keep, move or cancel it. The one definition every page and the admin use."""
        return self.filter(needs_review=True, status__in=OPEN_STATUSES)


class Appointment(models.Model):
    """One booked session. Create and move it only through sessions.booking.appointment_book
    and appointment_reschedule, which run the contraindication and conflict checks."""

    patient = models.ForeignKey(
        Patient, verbose_name=gettext_lazy("patient"), on_delete=models.PROTECT, related_name="appointments"
    )
    course = models.ForeignKey(
        Course,
        verbose_name=gettext_lazy("course"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
    )
    modality = models.ForeignKey(
        Modality, verbose_name=gettext_lazy("modality"), on_delete=models.PROTECT, related_name="appointments"
    )
    therapist = models.ForeignKey(
        Therapist, verbose_name=gettext_lazy("therapist"), on_delete=models.PROTECT, related_name="appointments"
    )
    room = models.ForeignKey(
        Room, verbose_name=gettext_lazy("room"), on_delete=models.PROTECT, related_name="appointments"
    )
    starts_at = models.DateTimeField(gettext_lazy("starts at"))
    ends_at = models.DateTimeField(gettext_lazy("ends at"))
    status = models.CharField(
        gettext_lazy("status"), max_length=12, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    needs_review = models.BooleanField(gettext_lazy("needs review"), default=False)
    # True once the session's note is signed: set in the transaction that signs it
    # (sessions.notes.session_note_sign) and never unset, as a signed note never changes. Only a
    # shortcut: "given, and no signed note yet" becomes an indexed question (the manager's home)
    # instead of a join of every session ever given with its note. False claims nothing.
    note_signed = models.BooleanField(gettext_lazy("note signed"), default=False, db_default=False, editable=False)
    review_reason = models.CharField(gettext_lazy("review reason"), max_length=300, blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("booked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Booked by the patient in the portal (sessions.self_booking), not by the clinic's staff:
    # the day board's card and the audit log say so. A database default too, for rows written by SQL.
    self_booked = models.BooleanField(gettext_lazy("self booked"), default=False, db_default=False, editable=False)
    cancellation_reason = models.CharField(gettext_lazy("cancellation reason"), max_length=300, blank=True)
    cancelled_at = models.DateTimeField(gettext_lazy("cancelled at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(gettext_lazy("checked in at"), null=True, blank=True)
    # Set when the reminder e-mail is claimed, so a session is never reminded twice.
    reminder_sent_at = models.DateTimeField(gettext_lazy("reminder sent at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(gettext_lazy("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(gettext_lazy("updated at"), auto_now=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("appointment")
        verbose_name_plural = gettext_lazy("appointments")
        ordering = ["starts_at"]
        constraints = [
            ends_after(
                "appointment_ends_after_start",
                gettext_lazy("A session must end after it starts."),
                starts="starts_at",
                ends="ends_at",
            ),
            reason_required(
                "appointment_cancellation_has_reason",
                gettext_lazy("A cancelled session needs the reason it was cancelled."),
                unless=~Q(status=AppointmentStatus.CANCELLED),
                reason="cancellation_reason",
            ),
            reason_required(
                "appointment_review_has_reason",
                gettext_lazy("A session flagged for review needs the reason."),
                unless=Q(needs_review=False),
                reason="review_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["therapist", "starts_at"], name="appointment_therapist_day_idx"),
            models.Index(fields=["room", "starts_at"], name="appointment_room_day_idx"),
            models.Index(fields=["patient", "starts_at"], name="appointment_patient_idx"),
            # A period's sessions by their start, with what the reports and the schedule read of
            # each (who, where, when, the status, the cancellation's time): a year of a large
            # practice is counted from the index alone, without reading the table.
            models.Index(
                fields=["starts_at"],
                include=[
                    "status",
                    "therapist",
                    "room",
                    "patient",
                    "course",
                    "modality",
                    "ends_at",
                    "cancelled_at",
                    "id",
                ],
                name="appointment_period_idx",
            ),
            # A course's sessions of one status in time order, with their ids, whether their note
            # is signed, their room and therapist: the reports ask it for each of thousands of
            # courses (its first and last signed session, the sessions done, whether it had a
            # session at a site or with a therapist) and find the answer in the index without
            # reading the table or the notes.
            models.Index(
                fields=["course", "status", "starts_at", "id"],
                include=["note_signed", "room", "therapist"],
                name="appointment_course_cover_idx",
            ),
            models.Index(fields=["starts_at"], condition=Q(needs_review=True), name="appointment_needs_review_idx"),
            # Sessions given whose note is not signed yet: a few among hundreds of thousands.
            models.Index(
                fields=["starts_at"],
                condition=Q(note_signed=False, status__in=sorted(status.value for status in SIGNABLE_STATUSES)),
                name="appointment_note_unsigned_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient} — {self.modality} at {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("booking:appointment_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def can_become(self, status: str) -> bool:
        return status in TRANSITIONS[AppointmentStatus(self.status)]

    def status_change_refused(self, status: str, now: dt.datetime) -> str | None:
        """Which rule refuses marking this session `status` at `now`, None when none does: the
        status (TRANSITIONS: BY_STATUS), then the time (BY_TIME: checked in on its local day only,
        completed or missed once it has started). status_change_refusal words it; a page that
        only shows or hides a button (the day board, for hundreds of sessions) asks this alone."""
        if not self.can_become(status):
            return BY_STATUS
        if status == AppointmentStatus.CHECKED_IN:
            # timezone.localdate twice, with the zone looked up once (the look-up costs more than
            # the conversion, and the day board asks this of every session booked today).
            zone = timezone.get_current_timezone()
            return BY_TIME if self.starts_at.astimezone(zone).date() != now.astimezone(zone).date() else None
        if status in (AppointmentStatus.COMPLETED, AppointmentStatus.NO_SHOW) and self.starts_at > now:
            return BY_TIME
        return None

    def time_rules_change_after(self, now: dt.datetime) -> dt.datetime | None:
        """The first moment after `now` at which status_change_refused's time rules (BY_TIME) answer
        otherwise for this session: the start of its local day (check-in opens), its start
        (completed or missed from then), the end of its local day (check-in closes); None when
        all are past. What a page kept until then (pages.kept_pages) needs."""
        closes = next_midnight(self.starts_at)
        opens = timezone.make_aware(dt.datetime.combine(timezone.localdate(self.starts_at), dt.time()))
        return min((moment for moment in (opens, self.starts_at, closes) if moment > now), default=None)

    def status_change_refusal(self, status: str, now: dt.datetime | None = None) -> str:
        """Why this session cannot be marked `status` at `now` (default: now), or "" when it can
        (status_change_refused). The treatment gate (the contraindication check) needs queries and
        is added by sessions.appointments.appointment_actions."""
        refused = self.status_change_refused(status, now or timezone.now())
        if refused == BY_STATUS:
            current = self.get_status_display().lower()
            # Translators: both are a session's statuses, in lower case ("booked", "checked in", "no-show"…).
            return gettext("A %(current)s session cannot be marked %(status)s.") % {
                "current": current,
                "status": AppointmentStatus(status).label.lower(),
            }
        if refused == BY_TIME:
            return str(_TIME_REFUSALS[status])
        return ""

    @property
    def can_check_in(self) -> bool:
        """Booked, and today is the session's day (in the clinic's zone)."""
        return not self.status_change_refusal(AppointmentStatus.CHECKED_IN)

    @property
    def can_complete(self) -> bool:
        """Booked or checked in, and started."""
        return not self.status_change_refusal(AppointmentStatus.COMPLETED)

    @property
    def can_no_show(self) -> bool:
        """Booked, and started."""
        return not self.status_change_refusal(AppointmentStatus.NO_SHOW)

    @property
    def can_cancel(self) -> bool:
        return self.can_become(AppointmentStatus.CANCELLED)

    @property
    def can_move(self) -> bool:
        """Only a booked session moves; one under way or over stays where it was."""
        return self.status == AppointmentStatus.BOOKED

    def move_refusal(self) -> str:
        if self.can_move:
            return ""
        return gettext("A %(status)s session cannot be moved.") % {"status": self.get_status_display().lower()}

    @property
    def takes_note(self) -> bool:
        """A draft may be written for any session but a cancelled or missed one."""
        return self.status not in NO_NOTE_STATUSES

    def note_sign_refusal(self, now: dt.datetime | None = None) -> str:
        """Why the note of this session cannot be signed at `now`, or "" when it can: the session
        is checked in or completed, and has started. (The note's own state, its author and the
        treatment gate are judged by sessions.notes.session_note_sign.)"""
        if self.status in NO_NOTE_STATUSES:
            return gettext("The session was %(status)s; its note is not signed.") % {
                "status": self.get_status_display().lower()
            }
        if self.status not in SIGNABLE_STATUSES:
            return gettext("The patient is not checked in yet: a note is signed for a session that took place.")
        if self.starts_at > (now or timezone.now()):
            return gettext("A note is signed once the session has started.")
        return ""

    @property
    def can_sign_note(self) -> bool:
        return not self.note_sign_refusal()


class Area(models.TextChoices):
    """Body areas in the order the technique works them: painful point, sacrum, buttock, leg, heel."""

    LUMBAR = "lumbar", gettext_lazy("Lumbar")
    SACRAL = "sacral", gettext_lazy("Sacral")
    GLUTEAL = "gluteal", gettext_lazy("Gluteal")
    THIGH = "thigh", gettext_lazy("Thigh")
    CALF = "calf", gettext_lazy("Calf")
    FOOT_HEEL = "foot_heel", gettext_lazy("Foot and heel")


AREA_SIDES = (
    ("left", pgettext_lazy("side of the body", "left")),
    ("right", pgettext_lazy("side of the body", "right")),
)
# Every "area:side" a note may record, in the order the technique works them; notes store them so.
AREA_SIDE_CHOICES = [
    (f"{area}:{side}", format_lazy("{}, {}", area.label, label)) for area in Area for side, label in AREA_SIDES
]


class NoteAlreadySigned(ValidationError):
    """Raised on any attempt to change a signed session note: corrections are addenda."""


class SessionNote(models.Model):
    """The therapist's record of one session. Once signed it never changes; see Addendum."""

    appointment = models.OneToOneField(
        Appointment, verbose_name=gettext_lazy("appointment"), on_delete=models.PROTECT, related_name="note"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("author"), on_delete=models.PROTECT, related_name="+"
    )
    pain_before = models.PositiveSmallIntegerField(
        gettext_lazy("pain before"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(10)],
        help_text=gettext_lazy("0 = no pain, 10 = worst imaginable."),
    )
    pain_after = models.PositiveSmallIntegerField(
        gettext_lazy("pain after"), null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    # A list of "area:side" strings such as "gluteal:left", in the order they were worked.
    areas_treated = models.JSONField(gettext_lazy("areas treated"), default=list, blank=True)
    techniques = models.CharField(gettext_lazy("techniques"), max_length=300, blank=True)
    oils_used = models.CharField(gettext_lazy("oils used"), max_length=200, blank=True)
    minutes = models.PositiveSmallIntegerField(
        gettext_lazy("minutes"), null=True, blank=True, validators=[MaxValueValidator(240)]
    )
    stopped_early = models.BooleanField(gettext_lazy("stopped early"), default=False)
    stopped_early_reason = models.CharField(gettext_lazy("stopped early reason"), max_length=300, blank=True)
    subjective = models.TextField(gettext_lazy("subjective"), blank=True, max_length=NOTE_TEXT_MAX_LENGTH)
    objective = models.TextField(gettext_lazy("objective"), blank=True, max_length=NOTE_TEXT_MAX_LENGTH)
    assessment = models.TextField(gettext_lazy("assessment"), blank=True, max_length=NOTE_TEXT_MAX_LENGTH)
    plan = models.TextField(gettext_lazy("plan"), blank=True, max_length=NOTE_TEXT_MAX_LENGTH)
    patient_summary = models.TextField(
        gettext_lazy("patient summary"),
        blank=True,
        max_length=SHORT_TEXT_MAX_LENGTH,
        help_text=gettext_lazy("The part the patient reads in the portal."),
    )
    signed_at = models.DateTimeField(gettext_lazy("signed at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("signed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The seal of the signed content (sessions.note_seal): "2:<key id>:<HMAC-SHA256>", or a bare
    # SHA-256 on notes signed before keyed seals (legacy), so that a change made behind the app's
    # back shows: `manage.py verify_notes` recomputes it and compares it with the audit log's copy.
    content_hash = models.CharField(gettext_lazy("content hash"), max_length=100, blank=True, editable=False)
    created_at = models.DateTimeField(gettext_lazy("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(gettext_lazy("updated at"), auto_now=True)

    class Meta:
        verbose_name = gettext_lazy("session note")
        verbose_name_plural = gettext_lazy("session notes")
        constraints = [
            models.CheckConstraint(
                condition=Q(pain_before__isnull=True) | Q(pain_before__gte=0, pain_before__lte=10),
                name="note_pain_before_0_to_10",
                violation_error_message=gettext_lazy("The pain before the session is a score from 0 to 10."),
            ),
            models.CheckConstraint(
                condition=Q(pain_after__isnull=True) | Q(pain_after__gte=0, pain_after__lte=10),
                name="note_pain_after_0_to_10",
                violation_error_message=gettext_lazy("The pain after the session is a score from 0 to 10."),
            ),
            reason_required(
                "note_stopped_early_has_reason",
                gettext_lazy("A session that stopped early needs the reason why it stopped."),
                unless=Q(stopped_early=False),
                reason="stopped_early_reason",
            ),
            models.CheckConstraint(
                condition=Q(signed_at__isnull=True, signed_by__isnull=True)
                | Q(signed_at__isnull=False, signed_by__isnull=False),
                name="note_signature_complete",
                violation_error_message=gettext_lazy("A signed note names both when it was signed and who signed it."),
            ),
            *(
                text_length_check(name, NOTE_TEXT_MAX_LENGTH, f"note_{name}_length")
                for name in ("subjective", "objective", "assessment", "plan")
            ),
            text_length_check("patient_summary", SHORT_TEXT_MAX_LENGTH, "note_patient_summary_length"),
        ]
        indexes = [
            # Whether a session's note is signed and its pain scores, without reading the note (a
            # wide row): what the reports ask of tens of thousands of sessions.
            models.Index(
                fields=["appointment", "signed_at", "pain_before", "pain_after", "id"], name="note_signed_pain_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"Note for {self.appointment}"

    def save(self, *args, **kwargs):
        # Invariant 5 on every path that saves a model (services, admin, shell, scripts). The
        # database is asked, not this instance, which may be a stale copy loaded before signing;
        # one query. QuerySet.update() and bulk_update() bypass save() and are not used on notes.
        if self.pk is not None and SessionNote.objects.filter(pk=self.pk, signed_at__isnull=False).exists():
            raise NoteAlreadySigned(str(SIGNED_ALREADY))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.pk is not None and SessionNote.objects.filter(pk=self.pk, signed_at__isnull=False).exists():
            raise NoteAlreadySigned(gettext("A signed note is part of the record and cannot be deleted."))
        return super().delete(*args, **kwargs)

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    def get_additional_data(self) -> dict:
        """What django-auditlog stores with each change of this row: whose record it is."""
        return {"patient_id": self.appointment.patient_id}


class Addendum(models.Model):
    """A correction or later remark on a signed note; the note itself stays as signed."""

    note = models.ForeignKey(
        SessionNote, verbose_name=gettext_lazy("note"), on_delete=models.PROTECT, related_name="addenda"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("author"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(gettext_lazy("text"), max_length=NOTE_TEXT_MAX_LENGTH)
    created_at = models.DateTimeField(gettext_lazy("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = gettext_lazy("addendum")
        verbose_name_plural = gettext_lazy("addenda")
        constraints = [
            models.CheckConstraint(
                condition=~Q(text=""),
                name="addendum_not_empty",
                violation_error_message=gettext_lazy("An addendum cannot be empty."),
            ),
            text_length_check("text", NOTE_TEXT_MAX_LENGTH, "addendum_text_length"),
        ]

    def __str__(self) -> str:
        return f"Addendum by {self.author} at {self.created_at:%Y-%m-%d %H:%M}"

    def get_additional_data(self) -> dict:
        """What django-auditlog stores with each change of this row: whose record it is."""
        return {"patient_id": self.note.appointment.patient_id}


class OutcomeOccasion(models.TextChoices):
    START = "start", gettext_lazy("Start of the course")
    DURING = "during", gettext_lazy("During the course")
    END = "end", gettext_lazy("End of the course")


class OutcomeScore(models.Model):
    """One filling-in of an outcome measure for a course: the answers and the score they make
    (outcomes.scoring). The pain score is not stored here: it is read off the session notes."""

    patient = models.ForeignKey(
        Patient, verbose_name=gettext_lazy("patient"), on_delete=models.PROTECT, related_name="outcome_scores"
    )
    course = models.ForeignKey(
        Course, verbose_name=gettext_lazy("course"), on_delete=models.PROTECT, related_name="outcome_scores"
    )
    measure = models.ForeignKey(
        Measure, verbose_name=gettext_lazy("measure"), on_delete=models.PROTECT, related_name="scores"
    )
    occasion = models.CharField(gettext_lazy("occasion"), max_length=10, choices=OutcomeOccasion.choices)
    # The course's sessions done when it was filled in: "every N sessions" counts from it.
    sessions_done = models.PositiveSmallIntegerField(gettext_lazy("sessions done"))
    # Questionnaire: the answers in item order. Patient-specific: [{"activity": ..., "rating": ...}].
    answers = models.JSONField(gettext_lazy("answers"))
    score = models.DecimalField(gettext_lazy("score"), max_digits=7, decimal_places=2)
    recorded_at = models.DateTimeField(gettext_lazy("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = gettext_lazy("outcome score")
        verbose_name_plural = gettext_lazy("outcome scores")
        ordering = ["recorded_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "measure", "occasion", "sessions_done"],
                name="outcome_score_once_per_occasion",
                violation_error_message=gettext_lazy("This measure is already recorded for this point of the course."),
            ),
        ]
        indexes = [
            models.Index(fields=["course", "measure", "recorded_at"], name="outcome_score_course_idx"),
            models.Index(fields=["patient", "recorded_at"], name="outcome_score_patient_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.measure} for {self.patient}: {self.score}"

    def get_additional_data(self) -> dict:
        """What django-auditlog stores with each change of this row: whose record it is."""
        return {"patient_id": self.patient_id}


# The waitlist (sessions.waitlist) --------------------------------------------------------------


class WishStatus(models.TextChoices):
    WAITING = "waiting", gettext_lazy("Waiting")
    BOOKED = "booked", gettext_lazy("Booked from the waitlist")
    WITHDRAWN = "withdrawn", gettext_lazy("Withdrawn")
    EXPIRED = "expired", gettext_lazy("Expired")


class WishSource(models.TextChoices):
    RECEPTION = "reception", gettext_lazy("Reception")
    PORTAL = "portal", gettext_lazy("The patient, in the portal")


class DayPart(models.TextChoices):
    # Translators: keep the hours in brackets after a space; the words before " (" are shown alone.
    MORNING = "morning", gettext_lazy("Mornings (before 12:00)")
    AFTERNOON = "afternoon", gettext_lazy("Afternoons (12:00–17:00)")
    EVENING = "evening", gettext_lazy("Evenings (from 17:00)")


# The local hours each part of the day covers, [from, to): a session belongs to the part it starts in.
DAY_PART_HOURS = {DayPart.MORNING: (0, 12), DayPart.AFTERNOON: (12, 17), DayPart.EVENING: (17, 24)}
# Django's own names of the days (0 = Monday), translated by Django itself.
WEEKDAY_NAMES = tuple(WEEKDAYS[day] for day in range(7))


def day_part_of(moment: dt.datetime) -> str:
    hour = timezone.localtime(moment).hour
    return next(part for part, (start, end) in DAY_PART_HOURS.items() if start <= hour < end)


class WaitlistEntry(models.Model):
    """A patient's wish for a session sooner than the calendar offers: a course's session (or a
    modality's), with a therapist or any, on some weekdays and at some times of day, until a day.
    Freed slots are offered to the waiting wishes, urgent first, then first come
    (sessions.waitlist)."""

    patient = models.ForeignKey(
        Patient, verbose_name=gettext_lazy("patient"), on_delete=models.PROTECT, related_name="waitlist_entries"
    )
    course = models.ForeignKey(
        Course, verbose_name=gettext_lazy("course"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    modality = models.ForeignKey(
        Modality, verbose_name=gettext_lazy("modality"), on_delete=models.PROTECT, related_name="+"
    )
    # Empty: any therapist qualified for the modality.
    therapist = models.ForeignKey(
        Therapist,
        verbose_name=gettext_lazy("therapist"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The weekdays wanted as digits, 0 = Monday ("024": Monday, Wednesday, Friday); empty: any day.
    weekdays = models.CharField(gettext_lazy("weekdays"), max_length=7, blank=True)
    # The parts of the day wanted (DayPart), comma-separated; empty: any time.
    day_parts = models.CharField(gettext_lazy("day parts"), max_length=30, blank=True)
    until = models.DateField(gettext_lazy("until"), help_text=gettext_lazy("The last day a session may fall on."))
    urgent = models.BooleanField(gettext_lazy("urgent"), default=False)
    status = models.CharField(
        gettext_lazy("status"), max_length=10, choices=WishStatus.choices, default=WishStatus.WAITING
    )
    source = models.CharField(gettext_lazy("source"), max_length=10, choices=WishSource.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("created by"), on_delete=models.PROTECT, related_name="+"
    )
    # First come, first served: the order among wishes of equal urgency.
    created_at = models.DateTimeField(gettext_lazy("created at"), default=timezone.now)
    closed_at = models.DateTimeField(gettext_lazy("closed at"), null=True, blank=True)
    appointment = models.ForeignKey(
        Appointment,
        verbose_name=gettext_lazy("appointment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-urgent", "created_at", "pk"]
        verbose_name = gettext_lazy("waitlist entry")
        verbose_name_plural = gettext_lazy("waitlist entries")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=WishStatus.BOOKED) | Q(appointment__isnull=False),
                name="waitlist_entry_booked_has_appointment",
                violation_error_message=gettext_lazy("A wish booked from the waitlist names the session booked."),
            ),
        ]
        indexes = [models.Index(fields=["status", "urgent", "created_at"], name="waitlist_entry_queue_idx")]

    def __str__(self) -> str:
        return f"{self.patient}: {self.course or self.modality}"

    def get_additional_data(self) -> dict:
        """What django-auditlog stores with each change of this row: whose record it is."""
        return {"patient_id": self.patient_id}

    @property
    def weekday_list(self) -> list[int]:
        return [int(char) for char in self.weekdays]

    @property
    def day_part_list(self) -> list[str]:
        return [part for part in self.day_parts.split(",") if part]

    @property
    def weekdays_display(self) -> str:
        return ", ".join(str(WEEKDAYS_ABBR[day]) for day in self.weekday_list) or gettext("Any day")

    @property
    def day_parts_display(self) -> str:
        labels = {part.value: part.label.split(" (")[0].lower() for part in DayPart}
        return ", ".join(labels.get(part, part) for part in self.day_part_list).capitalize() or gettext("Any time")

    def wants(self, starts_at: dt.datetime) -> bool:
        """Whether a session starting at `starts_at` falls on the days and at the times wished for
        (the therapist, the modality and the last day are the queue's filters)."""
        local = timezone.localtime(starts_at)
        if self.weekdays and local.weekday() not in self.weekday_list:
            return False
        return not self.day_parts or day_part_of(starts_at) in self.day_part_list


class FreedCause(models.TextChoices):
    CANCELLED = "cancelled", gettext_lazy("Cancelled")
    MOVED = "moved", gettext_lazy("Moved")
    REVIEW_CANCELLED = "review_cancelled", gettext_lazy("Cancelled after review")


class FreedSlotStatus(models.TextChoices):
    OPEN = "open", gettext_lazy("Open")
    FILLED = "filled", gettext_lazy("Filled from the waitlist")
    TAKEN = "taken", gettext_lazy("Booked otherwise")
    LAPSED = "lapsed", gettext_lazy("Lapsed")
    RELEASED = "released", gettext_lazy("Released by reception")


class FreedSlot(models.Model):
    """A therapist's time that a future session left (cancelled, moved, cancelled after review),
    written in the same transaction as the change (sessions.freed_slots) and offered to the
    waitlist by `send_waitlist_offers` (sessions.waitlist)."""

    appointment = models.ForeignKey(
        Appointment, verbose_name=gettext_lazy("appointment"), on_delete=models.PROTECT, related_name="freed_slots"
    )
    therapist = models.ForeignKey(
        Therapist, verbose_name=gettext_lazy("therapist"), on_delete=models.PROTECT, related_name="+"
    )
    room = models.ForeignKey(Room, verbose_name=gettext_lazy("room"), on_delete=models.PROTECT, related_name="+")
    modality = models.ForeignKey(
        Modality, verbose_name=gettext_lazy("modality"), on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField(gettext_lazy("starts at"))
    ends_at = models.DateTimeField(gettext_lazy("ends at"))
    cause = models.CharField(gettext_lazy("cause"), max_length=20, choices=FreedCause.choices)
    status = models.CharField(
        gettext_lazy("status"), max_length=10, choices=FreedSlotStatus.choices, default=FreedSlotStatus.OPEN
    )
    # Why it closed, in a sentence for reception ("Booked otherwise…", "Too close to its start…").
    outcome = models.CharField(gettext_lazy("outcome"), max_length=300, blank=True)
    created_at = models.DateTimeField(gettext_lazy("created at"), default=timezone.now)
    closed_at = models.DateTimeField(gettext_lazy("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("freed slot")
        verbose_name_plural = gettext_lazy("freed slots")
        ordering = ["starts_at", "pk"]
        constraints = [
            ends_after(
                "freed_slot_ends_after_start",
                gettext_lazy("A freed slot must end after it starts."),
                starts="starts_at",
                ends="ends_at",
            ),
        ]
        indexes = [models.Index(fields=["status", "starts_at"], name="freed_slot_status_idx")]

    def __str__(self) -> str:
        return f"{self.therapist} at {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    def get_additional_data(self) -> dict:
        """The patient whose session left the slot."""
        return {"patient_id": self.appointment.patient_id}


class OfferStatus(models.TextChoices):
    OFFERED = "offered", gettext_lazy("Offered")
    ACCEPTED = "accepted", gettext_lazy("Accepted")
    DECLINED = "declined", gettext_lazy("Declined")
    EXPIRED = "expired", gettext_lazy("Expired")
    TAKEN = "taken", gettext_lazy("Taken by someone else")
    REFUSED = "refused", gettext_lazy("Could not be booked")
    WITHDRAWN = "withdrawn", gettext_lazy("Withdrawn")


class WaitlistOfferQuerySet(models.QuerySet):
    def held(self, now: dt.datetime):
        """Offered and still held at `now` (WaitlistOffer.is_live, for many): the slot is the
        patient's alone until the offer expires."""
        return self.filter(status=OfferStatus.OFFERED, expires_at__gt=now)


class WaitlistOffer(models.Model):
    """A freed slot offered to one waiting wish: the session it would book, held for that patient
    until `expires_at`. The patient accepts or declines by the link in the message
    (sessions.waitlist.offer_token); an offer never accepted expires and the slot passes on."""

    slot = models.ForeignKey(
        FreedSlot, verbose_name=gettext_lazy("slot"), on_delete=models.PROTECT, related_name="offers"
    )
    entry = models.ForeignKey(
        WaitlistEntry, verbose_name=gettext_lazy("entry"), on_delete=models.PROTECT, related_name="offers"
    )
    patient = models.ForeignKey(
        Patient, verbose_name=gettext_lazy("patient"), on_delete=models.PROTECT, related_name="waitlist_offers"
    )
    # The session offered: the slot's therapist and time, a room set up for the wish's modality.
    therapist = models.ForeignKey(
        Therapist, verbose_name=gettext_lazy("therapist"), on_delete=models.PROTECT, related_name="+"
    )
    room = models.ForeignKey(Room, verbose_name=gettext_lazy("room"), on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField(gettext_lazy("starts at"))
    ends_at = models.DateTimeField(gettext_lazy("ends at"))
    status = models.CharField(
        gettext_lazy("status"), max_length=10, choices=OfferStatus.choices, default=OfferStatus.OFFERED
    )
    offered_at = models.DateTimeField(gettext_lazy("offered at"), default=timezone.now)
    expires_at = models.DateTimeField(gettext_lazy("expires at"))
    # When it stopped being held: accepted, declined, expired, taken, refused or withdrawn.
    ended_at = models.DateTimeField(gettext_lazy("ended at"), null=True, blank=True)
    # How the patient was told ("email", "sms"): what patients.notify.notify_patient answered.
    channel = models.CharField(gettext_lazy("channel"), max_length=20, blank=True)
    appointment = models.ForeignKey(
        Appointment,
        verbose_name=gettext_lazy("appointment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Why it was refused or withdrawn, for reception.
    detail = models.CharField(gettext_lazy("detail"), max_length=300, blank=True)

    objects = WaitlistOfferQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("waitlist offer")
        verbose_name_plural = gettext_lazy("waitlist offers")
        ordering = ["offered_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "entry"],
                name="waitlist_offer_once_per_slot",
                violation_error_message=gettext_lazy("This wish was offered this slot already."),
            ),
            # One hold at a time per patient, and one acceptance per slot: whatever runs at once.
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(status=OfferStatus.OFFERED),
                name="waitlist_offer_one_open_per_patient",
                violation_error_message=gettext_lazy("The patient has an open offer already."),
            ),
            models.UniqueConstraint(
                fields=["slot"],
                condition=Q(status=OfferStatus.ACCEPTED),
                name="waitlist_offer_one_accepted_per_slot",
                violation_error_message=gettext_lazy("This slot was accepted already."),
            ),
            models.CheckConstraint(
                condition=~Q(status=OfferStatus.ACCEPTED) | Q(appointment__isnull=False),
                name="waitlist_offer_accepted_has_appointment",
                violation_error_message=gettext_lazy("An accepted offer names the session booked."),
            ),
            ends_after(
                "waitlist_offer_ends_after_start",
                gettext_lazy("An offered session must end after it starts."),
                starts="starts_at",
                ends="ends_at",
            ),
            ends_after(
                "waitlist_offer_expires_after_offered",
                gettext_lazy("An offer is held for some time after it is made."),
                starts="offered_at",
                ends="expires_at",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="waitlist_offer_status_idx"),
            models.Index(fields=["starts_at"], condition=Q(status=OfferStatus.OFFERED), name="waitlist_offer_held_idx"),
        ]

    def __str__(self) -> str:
        return f"Offer to {self.patient} of {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    def get_additional_data(self) -> dict:
        """What django-auditlog stores with each change of this row: whose record it is."""
        return {"patient_id": self.patient_id}

    def is_live(self, now: dt.datetime | None = None) -> bool:
        """Offered and still held."""
        return self.status == OfferStatus.OFFERED and self.expires_at > (now or timezone.now())


class ScheduleChange(models.Model):
    """One write to a session or a held offer starting on `day` (its UTC date), added by a
    database trigger in the writing transaction, whatever writes (sessions/schedule_version.py).
    Rows are only ever added: how many there are for a span of days names what the span holds."""

    day = models.DateField()
    # A random number: a count alone comes back after a rolled-back write, with other data (a test's).
    nonce = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["day", "nonce"], name="schedule_change_day_idx")]

    def __str__(self) -> str:
        return f"{self.day}: {self.nonce}"
