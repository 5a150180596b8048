"""Patients and their clinical record: diagnoses, studies, phases, health flags, and the rules
that turn a health flag into a contraindication."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

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

    EMAIL = "email", "E-mail"
    SMS = "sms", "Text message (SMS)"


class Patient(models.Model):
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    date_of_birth = models.DateField()
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="patient",
        help_text="The patient's own login to the portal.",
    )
    # The secret in the patient's calendar subscription URL; set on first use, renewable.
    calendar_token = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    consent_on = models.DateField(
        null=True,
        blank=True,
        help_text="Day the patient consented to treatment and to the record.",
    )
    # The therapist reception assigned the patient to (on registering or referring them): she
    # treats the patient, and opens the chart, before any session is booked.
    assigned_therapist = models.ForeignKey(
        Therapist,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_patients",
        help_text="The therapist who takes this patient on; she may open the chart.",
    )
    # The channel the patient chose for reminders and offers; the other one is the fallback
    # when the chosen one has no address (patients.notify).
    contact_channel = models.CharField(
        "Messages by",
        max_length=5,
        choices=ContactChannel.choices,
        default=ContactChannel.EMAIL,
        help_text="How the clinic sends reminders and offers.",
    )
    # The language of the clinic's messages to the patient: e-mails, texts, calendar files
    # (patients.notify). A patient who chooses a language in the portal sets it too.
    language = models.CharField("Language", max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)
    # The clinic may turn the portal's self-booking off for one patient (sessions.self_booking).
    self_booking = models.BooleanField(
        "May book online",
        default=True,
        help_text="Books, moves and cancels the sessions of a prescribed course in the portal.",
    )
    # Derived from the names by Patient.save (patients.names): what the search matches, both
    # folded forms of "first last", and the list's sort key. A bulk insert fills them itself.
    search_name = models.TextField(editable=False, default="")
    sort_last_name = models.CharField(max_length=200, editable=False, default="")
    sort_first_name = models.CharField(max_length=200, editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sort_last_name", "sort_first_name", "id"]
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
                violation_error_message="Messages go by e-mail or by text message (SMS).",
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
    DISC_HERNIATION = "disc_herniation", "Disc herniation"
    OSTEOCHONDROSIS = "osteochondrosis", "Osteochondrosis"
    SPINAL_STENOSIS = "spinal_stenosis", "Lumbar spinal stenosis"
    PIRIFORMIS = "piriformis", "Piriformis syndrome"
    SPONDYLOLISTHESIS = "spondylolisthesis", "Spondylolisthesis"
    INJURY = "injury", "Injury or heavy lifting"
    PREGNANCY = "pregnancy", "Pregnancy"
    UNKNOWN = "unknown", "Not established"


class Side(models.TextChoices):
    LEFT = "left", "Left"
    RIGHT = "right", "Right"
    BOTH = "both", "Both sides"
    NOT_APPLICABLE = "n/a", "Not applicable"


class Diagnosis(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="diagnoses")
    icd10_code = models.CharField(
        "ICD-10 code",
        max_length=8,
        validators=[RegexValidator(ICD10_PATTERN, "Enter an ICD-10 code such as M54.3 or G57.0.")],
    )
    title = models.CharField(max_length=200)
    cause = models.CharField(max_length=30, choices=Cause.choices, default=Cause.UNKNOWN)
    side = models.CharField(max_length=5, choices=Side.choices, default=Side.NOT_APPLICABLE)
    diagnosed_on = models.DateField()
    diagnosed_by = models.CharField(max_length=120, help_text="The doctor who made the diagnosis.")
    active = models.BooleanField(default=True)
    # Who entered it in the record (a therapist who records a diagnosis treats the patient).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-diagnosed_on"]
        verbose_name_plural = "diagnoses"
        constraints = [
            models.CheckConstraint(
                condition=Q(icd10_code__regex=ICD10_PATTERN),
                name="diagnosis_icd10_code_format",
                violation_error_message=(
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
    LAB = "lab", "Laboratory tests"
    XRAY = "xray", "X-ray"
    MRI = "mri", "MRI"
    CT = "ct", "CT"


class Study(models.Model):
    diagnosis = models.ForeignKey(Diagnosis, on_delete=models.CASCADE, related_name="studies")
    kind = models.CharField(max_length=5, choices=StudyKind.choices)
    performed_on = models.DateField()
    findings = models.TextField(max_length=NOTE_TEXT_MAX_LENGTH)

    class Meta:
        ordering = ["-performed_on"]
        verbose_name_plural = "studies"
        constraints = [text_length_check("findings", NOTE_TEXT_MAX_LENGTH, "study_findings_length")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.performed_on}"

    def clean(self) -> None:
        validate_windows(self, performed_on=RECORD_WINDOW)

    def get_additional_data(self) -> dict:
        """What django-auditlog stores with each change of this row: whose record it is."""
        return {"patient_id": self.diagnosis.patient_id}


class Phase(models.TextChoices):
    ACUTE = "acute", "Acute"
    SUBACUTE = "subacute", "Subacute"
    REMISSION = "remission", "Remission"


class PhaseRecord(models.Model):
    """A clinician's dated statement of the phase of a diagnosis; the latest one in effect wins."""

    diagnosis = models.ForeignKey(Diagnosis, on_delete=models.CASCADE, related_name="phase_records")
    phase = models.CharField(max_length=10, choices=Phase.choices)
    effective_from = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="phase_records")
    recorded_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True, max_length=SHORT_TEXT_MAX_LENGTH)

    class Meta:
        ordering = ["-effective_from", "-recorded_at"]
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
    OIL_ALLERGY = "oil_allergy", "Allergy to an aromatic oil"
    PREGNANCY = "pregnancy", "Pregnancy"
    HYPERTENSION = "hypertension", "High blood pressure"
    SKIN_CONDITION = "skin_condition", "Skin condition"
    FEVER_INFECTION = "fever_infection", "Fever or infection"
    RECENT_SURGERY = "recent_surgery", "Recent surgery"
    OTHER = "other", "Other"


class HealthFlag(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="health_flags")
    kind = models.CharField(max_length=20, choices=FlagKind.choices)
    substance = models.CharField(max_length=80, blank=True, help_text="For an oil allergy: which oil.")
    active_from = models.DateField(default=timezone.localdate)
    active_to = models.DateField(null=True, blank=True, help_text="Leave empty while it still applies.")
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-active_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(active_to__isnull=True) | Q(active_to__gte=F("active_from")),
                name="health_flag_ends_not_before_start",
                violation_error_message="A health flag cannot end before the day it starts.",
            ),
            reason_required(
                "health_flag_oil_allergy_names_substance",
                "An oil allergy must name the oil.",
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
    BLOCK = "block", "Block the booking"
    WARN = "warn", "Warn, booking needs confirmation"


class RuleCondition(models.TextChoices):
    """What a contraindication rule looks for: an active health flag of its kind, or a consent
    the modality needs that the patient has not signed in its current version (patients.consent)."""

    HEALTH_FLAG = "health_flag", "An active health flag"
    NO_CONSENT = "no_consent", "No current consent"


class ContraindicationRule(models.Model):
    """Turns an active health flag into a refusal or a warning for some modalities.

    The acute-phase block is not a rule: it is built in and cannot be switched off.
    """

    condition = models.CharField(
        max_length=12,
        choices=RuleCondition.choices,
        default=RuleCondition.HEALTH_FLAG,
        help_text="An active health flag of the kind below, or no current consent for the modality.",
    )
    flag_kind = models.CharField(
        max_length=20, choices=FlagKind.choices, blank=True, help_text="Empty for a rule about consent."
    )
    modality = models.ForeignKey(
        Modality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="contraindication_rules",
        help_text="Leave empty to apply to every modality.",
    )
    oil_modalities_only = models.BooleanField(default=False, help_text="Apply only to modalities that use massage oil.")
    effect = models.CharField(max_length=5, choices=RuleEffect.choices)
    message = models.CharField(max_length=300, help_text="What the receptionist reads.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["condition", "flag_kind", "effect"]
        constraints = [
            # A flag rule names its flag; a consent rule names none. The unique constraints below
            # then keep one consent rule per scope and effect, as for each flag.
            models.CheckConstraint(
                condition=(Q(condition=RuleCondition.HEALTH_FLAG) & ~Q(flag_kind=""))
                | Q(condition=RuleCondition.NO_CONSENT, flag_kind=""),
                name="contraindication_rule_condition_fits",
                violation_error_message="A rule about a health flag names the flag; a rule about consent names none.",
            ),
            # Two constraints, because NULLs never collide in a plain UNIQUE on either database.
            models.UniqueConstraint(
                fields=["flag_kind", "modality", "effect"],
                condition=Q(modality__isnull=False),
                name="contraindication_rule_unique_per_modality",
                violation_error_message="There is already a rule for this health flag, this modality and this effect.",
            ),
            models.UniqueConstraint(
                fields=["flag_kind", "oil_modalities_only", "effect"],
                condition=Q(modality__isnull=True),
                name="contraindication_rule_unique_for_all",
                violation_error_message=(
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

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="break_glass_accesses")
    reason = models.TextField(max_length=REASON_MAX_LENGTH)
    address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "break-glass access"
        verbose_name_plural = "break-glass accesses"
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="break_glass_has_reason",
                violation_error_message="Emergency access needs a reason.",
            ),
            ends_after(
                "break_glass_expires_after_start",
                "Emergency access must end after it starts.",
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

    access = models.OneToOneField(BreakGlassAccess, on_delete=models.PROTECT, related_name="review")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(default=timezone.now)
    comment = models.TextField()

    class Meta:
        ordering = ["-reviewed_at"]
        verbose_name = "break-glass review"
        constraints = [
            models.CheckConstraint(
                condition=~Q(comment=""),
                name="break_glass_review_has_comment",
                violation_error_message="Say what was checked in a comment to mark an emergency access reviewed.",
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

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="kiosk_sessions")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("started_at")),
                name="kiosk_session_expires_after_start",
                violation_error_message="A tablet session must end after it starts.",
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

    PORTAL = "portal", "Patient portal"
    KIOSK = "kiosk", "Reception tablet"


# The intake questionnaire ------------------------------------------------------------------------

QUESTION_MAX_LENGTH = 300
DETAIL_LABEL_MAX_LENGTH = 120
ANSWER_DETAIL_MAX_LENGTH = 200


class IntakeVersion(models.Model):
    """One version of the clinic's intake questionnaire: its questions never change once saved;
    editing them saves the next version (patients.intake.intake_version_publish). The highest
    number is the one patients answer; an answer set keeps the version it answered."""

    number = models.PositiveIntegerField(unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-number"]

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

    version = models.ForeignKey(IntakeVersion, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=QUESTION_MAX_LENGTH)
    proposes = models.CharField(
        max_length=20, choices=FlagKind.choices, blank=True, help_text="The health flag a yes proposes."
    )
    detail_label = models.CharField(
        max_length=DETAIL_LABEL_MAX_LENGTH, blank=True, help_text="Asked with a yes, e.g. “Which oil?”."
    )

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "position"],
                name="intake_question_unique_position",
                violation_error_message="Two questions of a questionnaire cannot share a place.",
            ),
            models.CheckConstraint(
                condition=~Q(text=""), name="intake_question_has_text", violation_error_message="A question needs text."
            ),
            models.CheckConstraint(
                condition=~Q(proposes=FlagKind.OIL_ALLERGY) | ~Q(detail_label=""),
                name="intake_question_oil_asks_which",
                violation_error_message="A question about an oil allergy asks which oil.",
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

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="intake_responses")
    version = models.ForeignKey(IntakeVersion, on_delete=models.PROTECT, related_name="responses")
    submitted_at = models.DateTimeField(default=timezone.now)
    channel = models.CharField(max_length=10, choices=Via.choices)
    # The patient's own login in the portal; nobody on the tablet (the kiosk session says who started it).
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # RESTRICT, not SET_NULL: a signature never changes, and both go when the patient does.
    kiosk = models.ForeignKey(KioskSession, on_delete=models.RESTRICT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-submitted_at", "-pk"]

    def __str__(self) -> str:
        return f"Intake of {self.patient} on {timezone.localtime(self.submitted_at):%Y-%m-%d}"

    def get_additional_data(self) -> dict:
        return {"patient_id": self.patient_id}


class IntakeAnswer(models.Model):
    response = models.ForeignKey(IntakeResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(IntakeQuestion, on_delete=models.PROTECT, related_name="+")
    answer = models.BooleanField()
    detail = models.CharField(max_length=ANSWER_DETAIL_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ["response", "question__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"],
                name="intake_answer_one_per_question",
                violation_error_message="A question is answered once in an answer set.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question}: {'yes' if self.answer else 'no'}"


class ProposalStatus(models.TextChoices):
    PENDING = "pending", "To confirm"
    CONFIRMED = "confirmed", "Confirmed"
    DISMISSED = "dismissed", "Dismissed"


class FlagProposal(models.Model):
    """A health flag an intake answer proposes. It changes nothing until a therapist confirms it on
    the chart (which records the HealthFlag through patients.services.health_flag_create, with her
    as its author) or dismisses it; either decision is kept with who made it and when."""

    response = models.ForeignKey(IntakeResponse, on_delete=models.CASCADE, related_name="proposals")
    answer = models.OneToOneField(IntakeAnswer, on_delete=models.CASCADE, related_name="proposal")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="flag_proposals")
    kind = models.CharField(max_length=20, choices=FlagKind.choices)
    substance = models.CharField(max_length=80, blank=True)
    detail = models.CharField(max_length=ANSWER_DETAIL_MAX_LENGTH, blank=True)
    status = models.CharField(max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)
    # RESTRICT: the flag stays while its proposal does; both go when the patient does.
    health_flag = models.OneToOneField(
        HealthFlag, on_delete=models.RESTRICT, null=True, blank=True, related_name="proposal"
    )

    class Meta:
        ordering = ["-response__submitted_at", "pk"]
        indexes = [models.Index(fields=["patient", "status"], name="flag_proposal_patient_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(status=ProposalStatus.PENDING, decided_by__isnull=True, decided_at__isnull=True)
                    | (~Q(status=ProposalStatus.PENDING) & Q(decided_by__isnull=False, decided_at__isnull=False))
                ),
                name="flag_proposal_decided_by_someone",
                violation_error_message="A decided proposal names who decided and when; a pending one neither.",
            ),
            models.CheckConstraint(
                condition=Q(status=ProposalStatus.CONFIRMED, health_flag__isnull=False)
                | (~Q(status=ProposalStatus.CONFIRMED) & Q(health_flag__isnull=True)),
                name="flag_proposal_confirmed_has_flag",
                violation_error_message="A confirmed proposal points at the health flag it recorded.",
            ),
        ]

    def __str__(self) -> str:
        label = FlagKind(self.kind).label
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

    name = models.CharField(max_length=80, unique=True)
    modalities = models.ManyToManyField(Modality, blank=True, related_name="consent_topics")
    oil_modalities = models.BooleanField(default=False, help_text="Also every modality that uses massage oil.")
    active = models.BooleanField(default=True, help_text="Asked of patients, and checked when booking.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict:
        return {"patient_id": None}


class ConsentVersion(models.Model):
    """One version of a consent text, with the SHA-256 of its exact text (UTF-8). A version never
    changes once saved (save refuses; on PostgreSQL a trigger refuses UPDATE): editing the text
    saves the next version, and a new version asks every patient again."""

    topic = models.ForeignKey(ConsentTopic, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField(max_length=CONSENT_TEXT_MAX_LENGTH)
    text_sha256 = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["topic", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["topic", "number"],
                name="consent_version_unique_number",
                violation_error_message="This consent already has a version with this number.",
            ),
            models.CheckConstraint(
                condition=~Q(text=""), name="consent_version_has_text", violation_error_message="A consent needs text."
            ),
            models.CheckConstraint(
                condition=Q(text_sha256__regex=SHA256_PATTERN),
                name="consent_version_sha256_format",
                violation_error_message="The text's fingerprint is a SHA-256 in hexadecimal.",
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

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="consent_signatures")
    version = models.ForeignKey(ConsentVersion, on_delete=models.PROTECT, related_name="signatures")
    typed_name = models.CharField(max_length=200)
    agreed = models.BooleanField(default=False)
    signed_at = models.DateTimeField(default=timezone.now)
    text_sha256 = models.CharField(max_length=64)
    channel = models.CharField(max_length=10, choices=Via.choices)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # RESTRICT, not SET_NULL: a signature never changes, and both go when the patient does.
    kiosk = models.ForeignKey(KioskSession, on_delete=models.RESTRICT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-signed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "version"],
                name="consent_signature_once_per_version",
                violation_error_message="The patient has already signed this version of the consent.",
            ),
            models.CheckConstraint(
                condition=Q(agreed=True),
                name="consent_signature_agreed",
                violation_error_message="A consent is signed only with the box ticked.",
            ),
            models.CheckConstraint(
                condition=~Q(typed_name=""),
                name="consent_signature_has_name",
                violation_error_message="A consent is signed with the full name typed.",
            ),
            models.CheckConstraint(
                condition=Q(text_sha256__regex=SHA256_PATTERN),
                name="consent_signature_sha256_format",
                violation_error_message="The text's fingerprint is a SHA-256 in hexadecimal.",
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
