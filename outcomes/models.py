"""Outcome measures as data: what a measure asks, on which answer scale, how its answers make a
score, how big a change matters (the MCID), and when in a course it is due.

The clinic's own two measures come with the app (migration 0002); licensed questionnaires the
clinic holds (the Oswestry Disability Index, the Roland–Morris questionnaire…) are added by the
manager (pages.manager, outcomes.services.measure_create). The scores themselves belong to a
course and live with it (sessions.models.OutcomeScore)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

# The built-in measures, by code: the pain score of the session notes, and the functional scale.
PAIN_CODE = "pain-nrs"
FUNCTION_CODE = "psfs"


class MeasureKind(models.TextChoices):
    QUESTIONNAIRE = "questionnaire", _("The same questions for every patient")
    PATIENT_SPECIFIC = "patient_specific", _("Activities the patient names and rates")
    SESSION_PAIN = "session_pain", _("The pain score of each session note")


class Scoring(models.TextChoices):
    SUM = "sum", _("Sum of the answers")
    MEAN = "mean", _("Mean of the answers")
    PERCENT_OF_MAX = "percent", _("Percentage of the highest possible total")


class Measure(models.Model):
    """One outcome measure. Its score rule is outcomes.scoring; when it is due, sessions.outcomes."""

    name = models.CharField(max_length=120, unique=True, verbose_name=_("name"))
    code = models.SlugField(
        max_length=30, unique=True, help_text=_("A short name for reports, e.g. odi."), verbose_name=_("code")
    )
    kind = models.CharField(
        max_length=20, choices=MeasureKind.choices, default=MeasureKind.QUESTIONNAIRE, verbose_name=_("kind")
    )
    instructions = models.TextField(
        blank=True, help_text=_("What the patient reads before answering."), verbose_name=_("instructions")
    )
    # One answer scale for every item: whole numbers from scale_min to scale_max.
    scale_min = models.SmallIntegerField(
        default=0, validators=[MinValueValidator(0), MaxValueValidator(100)], verbose_name=_("scale min")
    )
    scale_max = models.SmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(100)], verbose_name=_("scale max")
    )
    min_label = models.CharField(
        max_length=80, blank=True, help_text=_("What the lowest answer means."), verbose_name=_("min label")
    )
    max_label = models.CharField(
        max_length=80, blank=True, help_text=_("What the highest answer means."), verbose_name=_("max label")
    )
    scoring = models.CharField(max_length=10, choices=Scoring.choices, verbose_name=_("scoring"))
    higher_is_better = models.BooleanField(
        help_text=_("A higher score means the patient is better."), verbose_name=_("higher is better")
    )
    # The minimal clinically important difference, in the units of the score.
    mcid = models.DecimalField(max_digits=6, decimal_places=2, verbose_name=_("mcid"))
    mcid_source = models.TextField(
        blank=True, help_text=_("Where the MCID comes from, in the clinic's words."), verbose_name=_("mcid source")
    )
    # Patient-specific measures: how many activities the patient may name.
    max_items = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(10)], verbose_name=_("max items")
    )
    due_at_start = models.BooleanField(default=True, verbose_name=_("due at start"))
    due_every_sessions = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        verbose_name=_("due every sessions"),
    )
    due_at_end = models.BooleanField(default=True, verbose_name=_("due at end"))
    licence = models.CharField(
        max_length=300,
        blank=True,
        help_text=_("Who holds the licence to use it, if anyone."),
        verbose_name=_("licence"),
    )
    active = models.BooleanField(default=True, verbose_name=_("active"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(scale_max__gt=F("scale_min")), name="measure_scale_max_above_min"),
            models.CheckConstraint(condition=Q(scale_min__gte=0), name="measure_scale_min_not_negative"),
            models.CheckConstraint(condition=Q(mcid__gt=0), name="measure_mcid_positive"),
            models.CheckConstraint(
                condition=Q(due_every_sessions__isnull=True) | Q(due_every_sessions__gte=1),
                name="measure_due_every_at_least_one",
            ),
            models.CheckConstraint(
                condition=~Q(kind=MeasureKind.PATIENT_SPECIFIC) | Q(max_items__gte=1),
                name="measure_patient_specific_has_max_items",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def asks_patient(self) -> bool:
        """Pain is scored from the session notes: the patient is never asked it twice."""
        return self.kind != MeasureKind.SESSION_PAIN

    @property
    def points(self) -> list[int]:
        return list(range(self.scale_min, self.scale_max + 1))


class MeasureItem(models.Model):
    """One question of a questionnaire, in order. `answers` (optional) words each point of the
    scale, lowest first, as questionnaires such as the Oswestry index do; without them the page
    shows the numbers with the measure's end labels."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="items", verbose_name=_("measure"))
    position = models.PositiveSmallIntegerField(verbose_name=_("position"))
    text = models.CharField(max_length=300, verbose_name=_("text"))
    answers = models.JSONField(default=list, blank=True, verbose_name=_("answers"))

    class Meta:
        ordering = ["measure", "position"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "position"], name="measure_item_unique_position"),
            models.CheckConstraint(condition=~Q(text=""), name="measure_item_has_text"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.text}"
