"""The clinic itself: its service catalogue, therapists, rooms, working hours and closures."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import CheckConstraint, F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clinic.date_windows import CLOSURE_WINDOW, validate_windows
from clinic.public_holidays import public_holidays

# Free text has a limit that fits its use. max_length on a TextField limits only the forms; the
# database gets a CheckConstraint from text_length_check, so no path (a script, raw SQL, the bulk
# seeders) stores more.
NOTE_TEXT_MAX_LENGTH = 4000  # a note's SOAP fields, an addendum, a study's findings
SHORT_TEXT_MAX_LENGTH = 2000  # summaries, goals, plans for home, a phase's note, descriptions
REASON_MAX_LENGTH = 1000  # the reason given for emergency access


# The columns text_length_check limits, as its message names them (each app's, so that the name is
# translated too; a column not listed here is named by its field name).
TEXT_FIELD_NAMES = {
    "assessment": _("assessment"),
    "description": _("description"),
    "discharge_summary": _("discharge summary"),
    "error": _("error"),
    "findings": _("findings"),
    "goals": _("goals"),
    "home_programme": _("home programme"),
    "last_error": _("last error"),
    "note": _("note"),
    "objective": _("objective"),
    "patient_summary": _("patient summary"),
    "plan": _("plan"),
    "reason": _("reason"),
    "subjective": _("subjective"),
    "text": _("text"),
}


def text_length_check(field: str, limit: int, name: str) -> models.CheckConstraint:
    """The database's own limit on a text column (full_clean checks it too, with this message)."""
    return models.CheckConstraint(
        condition=LessThanOrEqual(Length(field), limit),
        name=name,
        violation_error_message=format_lazy(
            _("The {field} takes up to {limit} characters."),
            field=TEXT_FIELD_NAMES.get(field, field.replace("_", " ")),
            limit=f"{limit:,}",
        ),
    )


def ends_after(name: str, message: str, *, starts: str, ends: str, same_allowed: bool = False) -> CheckConstraint:
    """A span's end comes after its start (or on it, for days with `same_allowed`)."""
    lookup = f"{ends}__gte" if same_allowed else f"{ends}__gt"
    return models.CheckConstraint(condition=Q(**{lookup: F(starts)}), name=name, violation_error_message=message)


def reason_required(name: str, message: str, *, unless: Q, reason: str) -> CheckConstraint:
    """A row needs a written reason unless `unless` holds (a cancelled session, a flag for review...)."""
    return models.CheckConstraint(condition=unless | ~Q(**{reason: ""}), name=name, violation_error_message=message)


class Cadence(models.TextChoices):
    CONSECUTIVE_DAYS = "consecutive_days", _("Consecutive days")
    PER_WEEK = "per_week", _("A number of sessions per week")
    FREE = "free", _("Free (as agreed)")


def cadence_constraint(name: str) -> models.CheckConstraint:
    """Sessions per week go with the 'per week' cadence, and only with it (a modality's default
    plan and a course's plan alike)."""
    return models.CheckConstraint(
        condition=(
            Q(
                cadence=Cadence.PER_WEEK,
                sessions_per_week__isnull=False,
                sessions_per_week__gte=1,
                sessions_per_week__lte=7,
            )
            | (~Q(cadence=Cadence.PER_WEEK) & Q(sessions_per_week__isnull=True))
        ),
        name=name,
        violation_error_message=_(
            "Give the sessions per week, from 1 to 7, with the cadence “A number of sessions per "
            "week”, and leave them empty with any other cadence."
        ),
    )


def course_plan_constraints(prefix: str, min_field: str, max_field: str) -> list[models.CheckConstraint]:
    """The rules of a course's plan, a modality's default plan and a prescribed course's alike:
    sessions of at least 5 minutes, at least one session, the minimum not above the maximum, and
    sessions per week with the 'per week' cadence only. Constraint names start with `prefix`."""
    return [
        models.CheckConstraint(
            condition=Q(session_minutes__gte=5),
            name=f"{prefix}_session_minutes_positive",
            violation_error_message=_("A session lasts at least 5 minutes."),
        ),
        models.CheckConstraint(
            condition=Q(**{f"{min_field}__gte": 1}),
            name=f"{prefix}_min_sessions_at_least_one",
            violation_error_message=_("A course has at least one session."),
        ),
        models.CheckConstraint(
            condition=Q(**{f"{min_field}__lte": F(max_field)}),
            name=f"{prefix}_min_not_above_max",
            violation_error_message=_("A course's minimum number of sessions cannot be more than its maximum."),
        ),
        cadence_constraint(f"{prefix}_sessions_per_week_with_cadence"),
    ]


class Modality(models.Model):
    """A kind of session the clinic offers, with the course defaults a therapist starts from."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    session_minutes = models.PositiveSmallIntegerField(
        _("session minutes"), validators=[MinValueValidator(5), MaxValueValidator(240)]
    )
    course_min_sessions = models.PositiveSmallIntegerField(
        _("course min sessions"), default=1, validators=[MinValueValidator(1)]
    )
    course_max_sessions = models.PositiveSmallIntegerField(
        _("course max sessions"), default=1, validators=[MinValueValidator(1)]
    )
    cadence = models.CharField(_("cadence"), max_length=20, choices=Cadence.choices, default=Cadence.FREE)
    sessions_per_week = models.PositiveSmallIntegerField(
        _("sessions per week"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(7)],
        help_text=_("Only for the 'sessions per week' cadence."),
    )
    uses_oils = models.BooleanField(
        _("uses oils"), default=False, help_text=_("Massage oil or cream touches the skin.")
    )
    description = models.TextField(_("description"), blank=True, max_length=SHORT_TEXT_MAX_LENGTH)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("modality")
        verbose_name_plural = _("modalities")
        constraints = [
            *course_plan_constraints("modality", "course_min_sessions", "course_max_sessions"),
            text_length_check("description", SHORT_TEXT_MAX_LENGTH, "modality_description_length"),
        ]

    def __str__(self) -> str:
        return self.name


class Therapist(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="therapist", verbose_name=_("user")
    )
    modalities = models.ManyToManyField(Modality, related_name="therapists", blank=True, verbose_name=_("modalities"))
    calendar_colour = models.CharField(
        _("calendar colour"),
        max_length=7,
        default="#4c8bf5",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour like #4c8bf5."))],
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        verbose_name = _("therapist")
        verbose_name_plural = _("therapists")

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class Location(models.Model):
    """A site of the clinic: its rooms are there, and a therapist's working hours name where."""

    name = models.CharField(max_length=80, unique=True, verbose_name=_("name"))
    address = models.CharField(max_length=300, blank=True, verbose_name=_("address"))

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


MAIN_SITE = "Main site"


def location_default() -> int:
    """The clinic's first site (created as "Main site" when it has none): where a room or a block
    of working hours is unless someone says otherwise, so a clinic with one site never names it.
    Filled in by `save()` (not a field default, which a migration would have to import)."""
    first = Location.objects.order_by("pk").values_list("pk", flat=True).first()
    return first if first is not None else Location.objects.create(name=MAIN_SITE).pk


class Room(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)
    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        related_name="rooms",
        blank=True,
        verbose_name=_("location"),
        help_text=_("Empty: the first site."),
    )
    modalities = models.ManyToManyField(Modality, related_name="rooms", blank=True, verbose_name=_("modalities"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.location_id is None:
            self.location_id = location_default()
        super().save(*args, **kwargs)


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class WorkingHours(models.Model):
    """One block of a therapist's week in the clinic's local time; two blocks on a day make a break."""

    therapist = models.ForeignKey(
        Therapist, on_delete=models.CASCADE, related_name="working_hours", verbose_name=_("therapist")
    )
    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        related_name="working_hours",
        blank=True,
        verbose_name=_("location"),
        help_text=_("Where the therapist works then (empty: the first site)."),
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts = models.TimeField(_("starts"))
    ends = models.TimeField(_("ends"))

    class Meta:
        ordering = ["therapist", "weekday", "starts"]
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        constraints = [
            ends_after(
                "working_hours_end_after_start",
                _("Working hours must end after they start."),
                starts="starts",
                ends="ends",
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6),
                name="working_hours_valid_weekday",
                violation_error_message=_("The weekday must be one from Monday to Sunday."),
            ),
            models.UniqueConstraint(
                fields=["therapist", "weekday", "starts"],
                name="working_hours_unique_block",
                violation_error_message=_(
                    "This therapist already has working hours that start at this time on this day."
                ),
            ),
        ]

    def __str__(self) -> str:
        # The times may still be the strings a form or a fixture gave (the audit log names the
        # row before it is read back).
        starts, ends = (t.strftime("%H:%M") if isinstance(t, dt.time) else str(t)[:5] for t in (self.starts, self.ends))
        return f"{self.therapist} {self.get_weekday_display()} {starts}–{ends}"

    def save(self, *args, **kwargs):
        if self.location_id is None:
            self.location_id = location_default()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.starts and self.ends and self.ends <= self.starts:
            raise ValidationError({"ends": gettext("The block must end after it starts.")})
        if not self.therapist_id or not self.starts or not self.ends:
            return
        overlapping = WorkingHours.objects.filter(
            therapist_id=self.therapist_id, weekday=self.weekday, starts__lt=self.ends, ends__gt=self.starts
        ).exclude(pk=self.pk)
        if overlapping.exists():
            raise ValidationError(gettext("This block overlaps another block of the same therapist on that day."))


class ClosureKind(models.TextChoices):
    CLOSED = "closed", _("Closed")
    HOLIDAY_OPEN = "holiday_open", _("Open on a public holiday")


class Closure(models.Model):
    """Days nobody (or one therapist) works: training, sick leave, a day between holidays. The
    public holidays close the clinic without a row (clinic.public_holidays); a row of kind
    "open on a public holiday" opens the whole clinic on the holidays it covers."""

    kind = models.CharField(
        _("kind"),
        max_length=12,
        choices=ClosureKind.choices,
        default=ClosureKind.CLOSED,
        help_text=_("“Open on a public holiday” takes the public holidays in these days off the calendar."),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    reason = models.CharField(_("reason"), max_length=200)
    therapist = models.ForeignKey(
        Therapist,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="closures",
        verbose_name=_("therapist"),
        help_text=_("Leave empty when the whole clinic is closed."),
    )

    class Meta:
        ordering = ["starts_on"]
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        constraints = [
            ends_after(
                "closure_ends_not_before_start",
                _("A closure cannot end before the day it starts."),
                starts="starts_on",
                ends="ends_on",
                same_allowed=True,
            ),
            models.CheckConstraint(
                condition=~Q(kind=ClosureKind.HOLIDAY_OPEN) | Q(therapist__isnull=True),
                name="closure_holiday_open_whole_clinic",
                violation_error_message=_("Opening on a public holiday is for the whole clinic, not one therapist."),
            ),
        ]

    def __str__(self) -> str:
        who = self.therapist or "whole clinic"
        if self.kind == ClosureKind.HOLIDAY_OPEN:
            return f"{self.starts_on}–{self.ends_on}: open on the public holiday ({self.reason})"
        return f"{self.starts_on}–{self.ends_on}: {self.reason} ({who})"

    @property
    def opens_on_holiday(self) -> bool:
        return self.kind == ClosureKind.HOLIDAY_OPEN

    def clean(self) -> None:
        validate_windows(self, starts_on=CLOSURE_WINDOW, ends_on=CLOSURE_WINDOW)
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": gettext("The closure cannot end before it starts.")})
        if self.kind != ClosureKind.HOLIDAY_OPEN or not self.starts_on or not self.ends_on:
            return
        if self.therapist_id is not None:
            raise ValidationError({"therapist": gettext("Only the whole clinic opens on a public holiday.")})
        if not public_holidays(self.starts_on, self.ends_on):
            raise ValidationError({"starts_on": gettext("No public holiday falls on these days.")})


class PasswordResetRequest(models.Model):
    """One accepted request for a password-reset e-mail, kept for an hour or so: the rate limit
    (clinic.password_reset) counts them per address asked for and per client address. The
    address asked for is kept as a keyed hash, never in clear."""

    email_hash = models.CharField(max_length=64)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["email_hash", "created_at"], name="reset_request_email_idx"),
            models.Index(fields=["client_address", "created_at"], name="reset_request_client_idx"),
        ]

    def __str__(self) -> str:
        return f"password reset requested at {self.created_at:%Y-%m-%d %H:%M}"


class Profile(models.Model):
    """What a user chose for themselves, whatever their role: for now the interface's language
    (empty: the browser's). clinic.languages keeps it in the session at log-in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile", verbose_name=_("user")
    )
    language = models.CharField(
        _("language"), max_length=8, blank=True, choices=settings.LANGUAGES, help_text=_("Empty: the browser's.")
    )

    def __str__(self) -> str:
        return f"profile of {self.user}"


class SetupVersion(models.Model):
    """The one row whose token names the current state of the clinic's set-up: database triggers
    give it a new random token on every write to a set-up table (clinic/setup_cache.py)."""

    token = models.CharField(max_length=64)

    def __str__(self) -> str:
        return self.token


class KeptDrawing(models.Model):
    """A page's drawing from one patient's record, shared by every app process so that each state
    of the record is drawn once for each reader rather than once in each process
    (clinic/kept_drawings.py). A cache: on PostgreSQL its table is unlogged (no write-ahead log, so
    never on the replica or in a base backup, and emptied after a crash)."""

    # What the drawing is for: an HMAC of the page, the patient, the reader, their language, time
    # zone and CSRF secret (pages.kept_pages), so the table names no secret.
    slot = models.CharField(max_length=64, primary_key=True)
    # The patient whose record it shows, for erasure; a number, not a key: the clinic app sits
    # below the patients app.
    patient_id = models.BigIntegerField(db_index=True)
    versions = models.TextField()
    drawn_at = models.DateTimeField()
    until = models.DateTimeField(db_index=True)
    html = models.TextField()

    def __str__(self) -> str:
        return self.slot
