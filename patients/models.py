"""Patients and their clinical record: diagnoses, studies, phases, health flags, and the rules
that turn a health flag into a contraindication."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.choices import choice_display
from clinic.date_windows import BIRTH_WINDOW, RECORD_WINDOW, validate_windows
from clinic.models import (
    NOTE_TEXT_MAX_LENGTH,
    REASON_MAX_LENGTH,
    SHORT_TEXT_MAX_LENGTH,
    Modality,
    Therapist,
    ends_after,
    reason_required,
    text_length_check,
)
from patients.names import name_fields

NAME_FIELDS = ("search_name", "sort_last_name", "sort_first_name")

# ICD-10: a letter (U is reserved), two digits, optionally a dot and up to four more characters.
# \A and \Z, not ^ and $: "$" would accept a trailing newline in Python (and so on SQLite).
ICD10_PATTERN = r"\A[A-TV-Z][0-9]{2}(\.[0-9A-Z]{1,4})?\Z"


class ContactChannel(models.TextChoices):
    """How the clinic reaches a patient with reminders and offers (patients.notify)."""

    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Text message (SMS)")


class Patient(models.Model):
    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=80)
    date_of_birth = models.DateField(_("date of birth"))
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="patient",
        verbose_name=_("user"),
        help_text=_("The patient's own login to the portal."),
    )
    # The secret in the patient's calendar subscription URL; set on first use, renewable.
    calendar_token = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False, verbose_name=_("calendar token")
    )
    consent_on = models.DateField(
        _("consent on"),
        null=True,
        blank=True,
        help_text=_("Day the patient consented to treatment and to the record."),
    )
    # The therapist reception assigned the patient to (on registering or referring them): she
    # treats the patient, and opens the chart, before any session is booked.
    assigned_therapist = models.ForeignKey(
        Therapist,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_patients",
        verbose_name=_("assigned therapist"),
        help_text=_("The therapist who takes this patient on; she may open the chart."),
    )
    # The channel the patient chose for reminders and offers; the other one is the fallback
    # when the chosen one has no address (patients.notify).
    contact_channel = models.CharField(
        _("Messages by"),
        max_length=5,
        choices=ContactChannel.choices,
        default=ContactChannel.EMAIL,
        help_text=_("How the clinic sends reminders and offers."),
    )
    # The language of the clinic's messages to the patient: e-mails, texts, calendar files
    # (patients.notify). A patient who chooses a language in the portal sets it too.
    language = models.CharField(_("Language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)
    # The clinic may turn the portal's self-booking off for one patient (sessions.self_booking).
    self_booking = models.BooleanField(
        _("May book online"),
        default=True,
        help_text=_("Books, moves and cancels the sessions of a prescribed course in the portal."),
    )
    # Derived from the names by Patient.save (patients.names): what the search matches, both
    # folded forms of "first last", and the list's sort key. A bulk insert fills them itself.
    search_name = models.TextField(editable=False, default="", verbose_name=_("search name"))
    sort_last_name = models.CharField(max_length=200, editable=False, default="", verbose_name=_("sort last name"))
    sort_first_name = models.CharField(max_length=200, editable=False, default="", verbose_name=_("sort first name"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["sort_last_name", "sort_first_name", "id"]
        verbose_name = _("patient")
        verbose_name_plural = _("patients")
        indexes = [
            models.Index(fields=["last_name", "first_name"], name="patient_name_idx"),
            models.Index(fields=["date_of_birth"], name="patient_dob_idx"),
            models.Index(fields=["phone"], name="patient_phone_idx"),
            # The patient list's order (patients.selectors.patients_search): a page of 25 out of
            # tens of thousands is read off the index instead of sorting them all. The infix
            # searches by name and phone have trigram indexes on PostgreSQL (patients migrations
            # 0001 and 0003).
            models.Index(fields=["sort_last_name", "sort_first_name", "id"], name="patient_sort_key_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(contact_channel__in=ContactChannel.values),
                name="patient_contact_channel_known",
                violation_error_message=_("Messages go by e-mail or by text message (SMS)."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def save(self, *args, **kwargs):
        for name, value in name_fields(self.first_name, self.last_name).items():
            setattr(self, name, value)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"first_name", "last_name"} & set(update_fields):
            kwargs["update_fields"] = [*update_fields, *NAME_FIELDS]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("reception:patient_overview", args=[self.pk])

    def clean(self) -> None:
        validate_windows(self, date_of_birth=BIRTH_WINDOW, consent_on=RECORD_WINDOW)

    def get_additional_data(self) -> dict:
        """What django-auditlog stores with each change of this row: whose record it is."""
        return {"patient_id": self.pk}


class Cause(models.TextChoices):
    DISC_HERNIATION = "disc_herniation", _("Disc herniation")
    OSTEOCHONDROSIS = "osteochondrosis", _("Osteochondrosis")
    SPINAL_STENOSIS = "spinal_stenosis", _("Lumbar spinal stenosis")
    PIRIFORMIS = "piriformis", _("Piriformis syndrome")
    SPONDYLOLISTHESIS = "spondylolisthesis", _("Spondylolisthesis")
    INJURY = "injury", _("Injury or heavy lifting")
    PREGNANCY = "pregnancy", _("Pregnancy")
    UNKNOWN = "unknown", _("Not established")


class Side(models.TextChoices):
    LEFT = "left", _("Left")
    RIGHT = "right", _("Right")
    BOTH = "both", _("Both sides")
    NOT_APPLICABLE = "n/a", _("Not applicable")


class Diagnosis(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="diagnoses", verbose_name=_("patient"))
    icd10_code = models.CharField(
        _("ICD-10 code"),
        max_length=8,
        validators=[RegexValidator(ICD10_PATTERN, _("Enter an ICD-10 code such as M54.3 or G57.0."))],
    )
    title = models.CharField(_("title"), max_length=200)
    cause = models.CharField(_("cause"), max_length=30, choices=Cause.choices, default=Cause.UNKNOWN)
    side = models.CharField(_("side"), max_length=5, choices=Side.choices, default=Side.NOT_APPLICABLE)
    diagnosed_on = models.DateField(_("diagnosed on"))
    diagnosed_by = models.CharField(
        _("diagnosed by"), max_length=120, help_text=_("The doctor who made the diagnosis.")
    )
    active = models.BooleanField(_("active"), default=True)
    # Who entered it in the record (a therapist who records a diagnosis treats the patient).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    # Labels looked up without translating every choice (clinic.choices).
    get_cause_display = choice_display("cause")
    get_side_display = choice_display("side")

    class Meta:
        ordering = ["-diagnosed_on"]
        verbose_name = _("diagnosis")
        verbose_name_plural = _("diagnoses")
        constraints = [
            models.CheckConstraint(
                condition=Q(icd10_code__regex=ICD10_PATTERN),
                name="diagnosis_icd10_code_format",
                violation_error_message=_(
                    "Write the ICD-10 code as a capital letter and two digits, with more after a dot if needed, "
                    "for example M54.4."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.icd10_code} {self.title}"

    def clean(self) -> None:
        validate_windows(self, diagnosed_on=RECORD_WINDOW)

    def get_additional_data(self) -> dict:
        """What django-auditlog stores with each change of this row: whose record it is."""
        return {"patient_id": self.patient_id}


class StudyKind(models.TextChoices):
    LAB = "lab", _("Laboratory tests")
    XRAY = "xray", _("X-ray")
    MRI = "mri", _("MRI")
    CT = "ct", _("CT")


class Study(models.Model):
    diagnosis = models.ForeignKey(
        Diagnosis, on_delete=models.CASCADE, related_name="studies", verbose_name=_("diagnosis")
    )
    kind = models.CharField(_("kind"), max_length=5, choices=StudyKind.choices)
    performed_on = models.DateField(_("performed on"))
    findings = models.TextField(_("findings"), max_length=NOTE_TEXT_MAX_LENGTH)

    # Labels looked up without translating every choice (clinic.choices).
    get_kind_display = choice_display("kind")

    class Meta:
        ordering = ["-performed_on"]
        verbose_name = _("study")
        verbose_name_plural = _("studies")
        constraints = [text_length_check("findings", NOTE_TEXT_MAX_LENGTH, "study_findings_length")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.performed_on}"

    def clean(self) -> None:
        validate_windows(self, performed_on=RECORD_WINDOW)

    def get_additional_data(self) -> dict:
        """What django-auditlog stores with each change of this row: whose record it is."""
        return {"patient_id": self.diagnosis.patient_id}


class Phase(models.TextChoices):
    ACUTE = "acute", _("Acute")
    SUBACUTE = "subacute", _("Subacute")
    REMISSION = "remission", _("Remission")


class PhaseRecord(models.Model):
    """A clinician's dated statement of the phase of a diagnosis; the latest one in effect wins."""

    diagnosis = models.ForeignKey(
        Diagnosis, on_delete=models.CASCADE, related_name="phase_records", verbose_name=_("diagnosis")
    )
    phase = models.CharField(_("phase"), max_length=10, choices=Phase.choices)
    effective_from = models.DateTimeField(_("effective from"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="phase_records", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True, max_length=SHORT_TEXT_MAX_LENGTH)

    # Labels looked up without translating every choice (clinic.choices).
    get_phase_display = choice_display("phase")

    class Meta:
        ordering = ["-effective_from", "-recorded_at"]
        verbose_name = _("phase record")
        verbose_name_plural = _("phase records")
        get_latest_by = ["effective_from", "recorded_at"]
        indexes = [models.Index(fields=["diagnosis", "-effective_from"], name="phase_current_idx")]
        constraints = [text_length_check("note", SHORT_TEXT_MAX_LENGTH, "phase_record_note_length")]

    def __str__(self) -> str:
        return f"{self.diagnosis.icd10_code}: {self.get_phase_display()} from {self.effective_from:%Y-%m-%d}"

    def clean(self) -> None:
        validate_windows(self, effective_from=RECORD_WINDOW)

    def get_additional_data(self) -> dict:
        """What django-auditlog stores with each change of this row: whose record it is."""
        return {"patient_id": self.diagnosis.patient_id}


class FlagKind(models.TextChoices):
    OIL_ALLERGY = "oil_allergy", _("Allergy to an aromatic oil")
    PREGNANCY = "pregnancy", _("Pregnancy")
    HYPERTENSION = "hypertension", _("High blood pressure")
    SKIN_CONDITION = "skin_condition", _("Skin condition")
    FEVER_INFECTION = "fever_infection", _("Fever or infection")
    RECENT_SURGERY = "recent_surgery", _("Recent surgery")
    OTHER = "other", _("Other")


class HealthFlag(models.Model):
    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="health_flags", verbose_name=_("patient")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=FlagKind.choices)
    substance = models.CharField(
        _("substance"), max_length=80, blank=True, help_text=_("For an oil allergy: which oil.")
    )
    active_from = models.DateField(_("active from"), default=timezone.localdate)
    active_to = models.DateField(
        _("active to"), null=True, blank=True, help_text=_("Leave empty while it still applies.")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    # Labels looked up without translating every choice (clinic.choices).
    get_kind_display = choice_display("kind")

    class Meta:
        ordering = ["-active_from"]
        verbose_name = _("health flag")
        verbose_name_plural = _("health flags")
        constraints = [
            models.CheckConstraint(
                condition=Q(active_to__isnull=True) | Q(active_to__gte=F("active_from")),
                name="health_flag_ends_not_before_start",
                violation_error_message=_("A health flag cannot end before the day it starts."),
            ),
            reason_required(
                "health_flag_oil_allergy_names_substance",
                _("An oil allergy must name the oil."),
                unless=~Q(kind=FlagKind.OIL_ALLERGY),
                reason="substance",
            ),
        ]

    def __str__(self) -> str:
        label = self.get_kind_display()
        return f"{label}: {self.substance}" if self.substance else label

    def clean(self) -> None:
        validate_windows(self, active_from=RECORD_WINDOW, active_to=RECORD_WINDOW)

    def is_active_on(self, day) -> bool:
        return self.active_from <= day and (self.active_to is None or self.active_to >= day)

    def get_additional_data(self) -> dict:
        """What django-auditlog stores with each change of this row: whose record it is."""
        return {"patient_id": self.patient_id}


class RuleEffect(models.TextChoices):
    BLOCK = "block", _("Block the booking")
    WARN = "warn", _("Warn, booking needs confirmation")


class RuleCondition(models.TextChoices):
    """What a contraindication rule looks for: an active health flag of its kind, or a consent
    the modality needs that the patient has not signed in its current version (patients.consent)."""

    HEALTH_FLAG = "health_flag", _("An active health flag")
    NO_CONSENT = "no_consent", _("No current consent")


class ContraindicationRule(models.Model):
    """Turns an active health flag into a refusal or a warning for some modalities.

    The acute-phase block is not a rule: it is built in and cannot be switched off.
    """

    condition = models.CharField(
        _("condition"),
        max_length=12,
        choices=RuleCondition.choices,
        default=RuleCondition.HEALTH_FLAG,
        help_text=_("An active health flag of the kind below, or no current consent for the modality."),
    )
    flag_kind = models.CharField(
        _("flag kind"),
        max_length=20,
        choices=FlagKind.choices,
        blank=True,
        help_text=_("Empty for a rule about consent."),
    )
    modality = models.ForeignKey(
        Modality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="contraindication_rules",
        verbose_name=_("modality"),
        help_text=_("Leave empty to apply to every modality."),
    )
    oil_modalities_only = models.BooleanField(
        _("oil modalities only"), default=False, help_text=_("Apply only to modalities that use massage oil.")
    )
    effect = models.CharField(_("effect"), max_length=5, choices=RuleEffect.choices)
    message = models.CharField(_("message"), max_length=300, help_text=_("What the receptionist reads."))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["condition", "flag_kind", "effect"]
        verbose_name = _("contraindication rule")
        verbose_name_plural = _("contraindication rules")
        constraints = [
            # A flag rule names its flag; a consent rule names none. The unique constraints below
            # then keep one consent rule per scope and effect, as for each flag.
            models.CheckConstraint(
                condition=(Q(condition=RuleCondition.HEALTH_FLAG) & ~Q(flag_kind=""))
                | Q(condition=RuleCondition.NO_CONSENT, flag_kind=""),
                name="contraindication_rule_condition_fits",
                violation_error_message=_(
                    "A rule about a health flag names the flag; a rule about consent names none."
                ),
            ),
            # Two constraints, because NULLs never collide in a plain UNIQUE on either database.
            models.UniqueConstraint(
                fields=["flag_kind", "modality", "effect"],
                condition=Q(modality__isnull=False),
                name="contraindication_rule_unique_per_modality",
                violation_error_message=_(
                    "There is already a rule for this health flag, this modality and this effect."
                ),
            ),
            models.UniqueConstraint(
                fields=["flag_kind", "oil_modalities_only", "effect"],
                condition=Q(modality__isnull=True),
                name="contraindication_rule_unique_for_all",
                violation_error_message=_(
                    "There is already a rule for this health flag and this effect on the same modalities."
                ),
            ),
        ]

    def __str__(self) -> str:
        scope = self.modality or ("modalities with oil" if self.oil_modalities_only else "all modalities")
        return f"{self.condition_label} → {self.effect} ({scope})"

    @property
    def condition_label(self) -> str:
        if self.condition == RuleCondition.NO_CONSENT:
            return RuleCondition.NO_CONSENT.label
        return FlagKind(self.flag_kind).label if self.flag_kind in FlagKind.values else self.flag_kind

    def applies_to(self, modality: Modality) -> bool:
        if self.modality_id is not None and self.modality_id != modality.pk:
            return False
        return not self.oil_modalities_only or modality.uses_oils


class BreakGlassAccess(models.Model):
    """A therapist's emergency access to the chart of a patient they do not treat, with the
    reason they gave. It opens the chart (read and record) until `expires_at`; the manager
    reviews every one. A row is never changed or deleted (on PostgreSQL a trigger refuses)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="break_glass_accesses", verbose_name=_("patient")
    )
    reason = models.TextField(_("reason"), max_length=REASON_MAX_LENGTH)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("break-glass access")
        verbose_name_plural = _("break-glass accesses")
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="break_glass_has_reason",
                violation_error_message=_("Emergency access needs a reason."),
            ),
            ends_after(
                "break_glass_expires_after_start",
                _("Emergency access must end after it starts."),
                starts="created_at",
                ends="expires_at",
            ),
            text_length_check("reason", REASON_MAX_LENGTH, "break_glass_reason_length"),
        ]
        indexes = [models.Index(fields=["patient", "user", "-expires_at"], name="break_glass_active_idx")]

    def __str__(self) -> str:
        return f"{self.user} opened the chart of {self.patient} at {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"

    def get_additional_data(self) -> dict:
        return {"patient_id": self.patient_id}


class BreakGlassReview(models.Model):
    """The manager's review of one emergency access, with their comment. A table of its own:
    the access row is append-only (a PostgreSQL trigger refuses UPDATE on it, patients
    migration 0001), and so it stays exactly as the therapist's request left it. One review per
    access; it is not changed afterwards either."""

    access = models.OneToOneField(
        BreakGlassAccess, on_delete=models.PROTECT, related_name="review", verbose_name=_("access")
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("reviewed by")
    )
    reviewed_at = models.DateTimeField(default=timezone.now, verbose_name=_("reviewed at"))
    comment = models.TextField(verbose_name=_("comment"))

    class Meta:
        ordering = ["-reviewed_at"]
        verbose_name = _("break-glass review")
        verbose_name_plural = _("break-glass reviews")
        constraints = [
            models.CheckConstraint(
                condition=~Q(comment=""),
                name="break_glass_review_has_comment",
                violation_error_message=_("Say what was checked in a comment to mark an emergency access reviewed."),
            )
        ]

    def __str__(self) -> str:
        return f"Review of {self.access} by {self.reviewed_by}"

    def get_additional_data(self) -> dict:
        return {"patient_id": self.access.patient_id}


# The reception tablet ------------------------------------------------------------------------------


class KioskSession(models.Model):
    """The reception tablet handed to one patient: reception starts it (and is logged out of the
    tablet), the patient answers the intake questionnaire and signs consents without logging in,
    and it ends when they finish, when it expires, or when reception starts another for them.

    Only a SHA-256 of the secret is kept; the secret itself lives in the tablet's anonymous
    session (patients.kiosk), so nothing in an address or the database opens it."""

    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="kiosk_sessions", verbose_name=_("patient")
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False, verbose_name=_("token hash"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("started by")
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("kiosk session")
        verbose_name_plural = _("kiosk sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("started_at")),
                name="kiosk_session_expires_after_start",
                violation_error_message=_("A tablet session must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"Tablet for {self.patient} from {timezone.localtime(self.started_at):%Y-%m-%d %H:%M}"

    def is_open_at(self, moment) -> bool:
        return self.ended_at is None and self.started_at <= moment < self.expires_at

    def get_additional_data(self) -> dict:
        return {"patient_id": self.patient_id}


class Via(models.TextChoices):
    """Where a patient answered or signed."""

    PORTAL = "portal", _("Patient portal")
    KIOSK = "kiosk", _("Reception tablet")


# The intake questionnaire ------------------------------------------------------------------------

QUESTION_MAX_LENGTH = 300
DETAIL_LABEL_MAX_LENGTH = 120
ANSWER_DETAIL_MAX_LENGTH = 200


class IntakeVersion(models.Model):
    """One version of the clinic's intake questionnaire: its questions never change once saved;
    editing them saves the next version (patients.intake.intake_version_publish). The highest
    number is the one patients answer; an answer set keeps the version it answered."""

    number = models.PositiveIntegerField(_("number"), unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["-number"]
        verbose_name = _("intake version")
        verbose_name_plural = _("intake versions")

    def __str__(self) -> str:
        return f"Intake questionnaire, version {self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None and IntakeVersion.objects.filter(pk=self.pk).exists():
            raise VersionFrozen("A questionnaire version never changes; save the questions as a new version.")
        super().save(*args, **kwargs)

    def get_additional_data(self) -> dict:
        return {"patient_id": None}


class VersionFrozen(Exception):
    """A saved version of the questionnaire or of a consent text, or a signature, was to change."""


class IntakeQuestion(models.Model):
    """A yes-or-no health question. A yes proposes the health flag `proposes` (when set) for a
    therapist to confirm on the chart; `detail_label` asks for a detail with a yes ("Which oil?")."""

    version = models.ForeignKey(
        IntakeVersion, on_delete=models.CASCADE, related_name="questions", verbose_name=_("version")
    )
    position = models.PositiveSmallIntegerField(verbose_name=_("position"))
    text = models.CharField(max_length=QUESTION_MAX_LENGTH, verbose_name=_("text"))
    proposes = models.CharField(
        max_length=20,
        choices=FlagKind.choices,
        blank=True,
        help_text=_("The health flag a yes proposes."),
        verbose_name=_("proposes"),
    )
    detail_label = models.CharField(
        max_length=DETAIL_LABEL_MAX_LENGTH,
        blank=True,
        help_text=_("Asked with a yes, e.g. “Which oil?”."),
        verbose_name=_("detail label"),
    )

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "position"],
                name="intake_question_unique_position",
                violation_error_message=_("Two questions of a questionnaire cannot share a place."),
            ),
            models.CheckConstraint(
                condition=~Q(text=""),
                name="intake_question_has_text",
                violation_error_message=_("A question needs text."),
            ),
            models.CheckConstraint(
                condition=~Q(proposes=FlagKind.OIL_ALLERGY) | ~Q(detail_label=""),
                name="intake_question_oil_asks_which",
                violation_error_message=_("A question about an oil allergy asks which oil."),
            ),
        ]

    def __str__(self) -> str:
        return self.text

    def save(self, *args, **kwargs):
        if self.pk is not None and IntakeQuestion.objects.filter(pk=self.pk).exists():
            raise VersionFrozen("A question of a saved questionnaire never changes; save a new version.")
        super().save(*args, **kwargs)


class IntakeResponse(models.Model):
    """A patient's answers to one version of the questionnaire, in the portal or on the tablet."""

    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="intake_responses", verbose_name=_("patient")
    )
    version = models.ForeignKey(
        IntakeVersion, on_delete=models.PROTECT, related_name="responses", verbose_name=_("version")
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    channel = models.CharField(_("channel"), max_length=10, choices=Via.choices)
    # The patient's own login in the portal; nobody on the tablet (the kiosk session says who started it).
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    # RESTRICT, not SET_NULL: a signature never changes, and both go when the patient does.
    kiosk = models.ForeignKey(
        KioskSession, on_delete=models.RESTRICT, null=True, blank=True, related_name="+", verbose_name=_("kiosk")
    )

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("intake response")
        verbose_name_plural = _("intake responses")

    def __str__(self) -> str:
        return f"Intake of {self.patient} on {timezone.localtime(self.submitted_at):%Y-%m-%d}"

    def get_additional_data(self) -> dict:
        return {"patient_id": self.patient_id}


class IntakeAnswer(models.Model):
    response = models.ForeignKey(
        IntakeResponse, on_delete=models.CASCADE, related_name="answers", verbose_name=_("response")
    )
    question = models.ForeignKey(IntakeQuestion, on_delete=models.PROTECT, related_name="+", verbose_name=_("question"))
    answer = models.BooleanField(verbose_name=_("answer"))
    detail = models.CharField(max_length=ANSWER_DETAIL_MAX_LENGTH, blank=True, verbose_name=_("detail"))

    class Meta:
        verbose_name = _("intake answer")
        verbose_name_plural = _("intake answers")
        ordering = ["response", "question__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"],
                name="intake_answer_one_per_question",
                violation_error_message=_("A question is answered once in an answer set."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question}: {'yes' if self.answer else 'no'}"


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("To confirm")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")


class FlagProposal(models.Model):
    """A health flag an intake answer proposes. It changes nothing until a therapist confirms it on
    the chart (which records the HealthFlag through patients.services.health_flag_create, with her
    as its author) or dismisses it; either decision is kept with who made it and when."""

    response = models.ForeignKey(
        IntakeResponse, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("response")
    )
    answer = models.OneToOneField(
        IntakeAnswer, on_delete=models.CASCADE, related_name="proposal", verbose_name=_("answer")
    )
    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="flag_proposals", verbose_name=_("patient")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=FlagKind.choices)
    substance = models.CharField(_("substance"), max_length=80, blank=True)
    detail = models.CharField(_("detail"), max_length=ANSWER_DETAIL_MAX_LENGTH, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)
    # RESTRICT: the flag stays while its proposal does; both go when the patient does.
    health_flag = models.OneToOneField(
        HealthFlag,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="proposal",
        verbose_name=_("health flag"),
    )

    class Meta:
        ordering = ["-response__submitted_at", "pk"]
        verbose_name = _("flag proposal")
        verbose_name_plural = _("flag proposals")
        indexes = [models.Index(fields=["patient", "status"], name="flag_proposal_patient_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(status=ProposalStatus.PENDING, decided_by__isnull=True, decided_at__isnull=True)
                    | (~Q(status=ProposalStatus.PENDING) & Q(decided_by__isnull=False, decided_at__isnull=False))
                ),
                name="flag_proposal_decided_by_someone",
                violation_error_message=_("A decided proposal names who decided and when; a pending one neither."),
            ),
            models.CheckConstraint(
                condition=Q(status=ProposalStatus.CONFIRMED, health_flag__isnull=False)
                | (~Q(status=ProposalStatus.CONFIRMED) & Q(health_flag__isnull=True)),
                name="flag_proposal_confirmed_has_flag",
                violation_error_message=_("A confirmed proposal points at the health flag it recorded."),
            ),
        ]

    def __str__(self) -> str:
        label = str(FlagKind(self.kind).label)
        return f"{label}: {self.substance}" if self.substance else label

    def get_additional_data(self) -> dict:
        return {"patient_id": self.patient_id}


# Consent ------------------------------------------------------------------------------------------

CONSENT_TEXT_MAX_LENGTH = 20_000
SHA256_PATTERN = r"\A[0-9a-f]{64}\Z"


class ConsentTopic(models.Model):
    """What a consent is for: some modalities (massage), or every modality that uses oil. The
    clinic edits its text in versions (ConsentVersion); a patient's consent is current when they
    signed the latest version."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    modalities = models.ManyToManyField(
        Modality, blank=True, related_name="consent_topics", verbose_name=_("modalities")
    )
    oil_modalities = models.BooleanField(
        _("oil modalities"), default=False, help_text=_("Also every modality that uses massage oil.")
    )
    active = models.BooleanField(_("active"), default=True, help_text=_("Asked of patients, and checked when booking."))

    class Meta:
        ordering = ["name"]
        verbose_name = _("consent topic")
        verbose_name_plural = _("consent topics")

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict:
        return {"patient_id": None}


class ConsentVersion(models.Model):
    """One version of a consent text, with the SHA-256 of its exact text (UTF-8). A version never
    changes once saved (save refuses; on PostgreSQL a trigger refuses UPDATE): editing the text
    saves the next version, and a new version asks every patient again."""

    topic = models.ForeignKey(ConsentTopic, on_delete=models.PROTECT, related_name="versions", verbose_name=_("topic"))
    number = models.PositiveIntegerField(_("number"))
    text = models.TextField(_("text"), max_length=CONSENT_TEXT_MAX_LENGTH)
    text_sha256 = models.CharField(_("text sha256"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["topic", "-number"]
        verbose_name = _("consent version")
        verbose_name_plural = _("consent versions")
        constraints = [
            models.UniqueConstraint(
                fields=["topic", "number"],
                name="consent_version_unique_number",
                violation_error_message=_("This consent already has a version with this number."),
            ),
            models.CheckConstraint(
                condition=~Q(text=""),
                name="consent_version_has_text",
                violation_error_message=_("A consent needs text."),
            ),
            models.CheckConstraint(
                condition=Q(text_sha256__regex=SHA256_PATTERN),
                name="consent_version_sha256_format",
                violation_error_message=_("The text's fingerprint is a SHA-256 in hexadecimal."),
            ),
            text_length_check("text", CONSENT_TEXT_MAX_LENGTH, "consent_version_text_length"),
        ]

    def __str__(self) -> str:
        return f"{self.topic}, version {self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None and ConsentVersion.objects.filter(pk=self.pk).exists():
            raise VersionFrozen("A consent text never changes once saved; save the new text as a new version.")
        super().save(*args, **kwargs)

    def get_additional_data(self) -> dict:
        return {"patient_id": None}


class ConsentSignature(models.Model):
    """A patient's consent to one version: the full name they typed, that they ticked the box,
    when, where (portal or tablet), and the SHA-256 of the exact text they were shown. Never
    changes (save refuses; on PostgreSQL a trigger refuses UPDATE)."""

    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="consent_signatures", verbose_name=_("patient")
    )
    version = models.ForeignKey(
        ConsentVersion, on_delete=models.PROTECT, related_name="signatures", verbose_name=_("version")
    )
    typed_name = models.CharField(_("typed name"), max_length=200)
    agreed = models.BooleanField(_("agreed"), default=False)
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)
    text_sha256 = models.CharField(_("text sha256"), max_length=64)
    channel = models.CharField(_("channel"), max_length=10, choices=Via.choices)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed by"),
    )
    # RESTRICT, not SET_NULL: a signature never changes, and both go when the patient does.
    kiosk = models.ForeignKey(
        KioskSession, on_delete=models.RESTRICT, null=True, blank=True, related_name="+", verbose_name=_("kiosk")
    )

    class Meta:
        ordering = ["-signed_at", "-pk"]
        verbose_name = _("consent signature")
        verbose_name_plural = _("consent signatures")
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "version"],
                name="consent_signature_once_per_version",
                violation_error_message=_("The patient has already signed this version of the consent."),
            ),
            models.CheckConstraint(
                condition=Q(agreed=True),
                name="consent_signature_agreed",
                violation_error_message=_("A consent is signed only with the box ticked."),
            ),
            models.CheckConstraint(
                condition=~Q(typed_name=""),
                name="consent_signature_has_name",
                violation_error_message=_("A consent is signed with the full name typed."),
            ),
            models.CheckConstraint(
                condition=Q(text_sha256__regex=SHA256_PATTERN),
                name="consent_signature_sha256_format",
                violation_error_message=_("The text's fingerprint is a SHA-256 in hexadecimal."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient} consented to {self.version} on {timezone.localtime(self.signed_at):%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        # One query only for a row that has a primary key: a signature is written once.
        if self.pk is not None and ConsentSignature.objects.filter(pk=self.pk).exists():
            raise VersionFrozen("A signed consent never changes.")
        super().save(*args, **kwargs)

    def get_additional_data(self) -> dict:
        return {"patient_id": self.patient_id}


class RecordVersion(models.Model):
    """A token naming the current state of one patient's record: database triggers give it a new
    random value on every write to a table of the record (patients/record_version.py). No foreign
    key: a trigger may write it while the patient's own row is being deleted."""

    patient_id = models.BigIntegerField(primary_key=True)
    token = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.patient_id}: {self.token}"
