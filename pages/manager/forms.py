"""The manager's forms: the audit-log filter, the reports' filter, the review of an emergency
access, and a new outcome measure."""

import datetime as dt
from decimal import Decimal

from auditlog.models import LogEntry
from django import forms
from django.contrib.auth.models import User
from django.db.models import Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from clinic.audit import ALLOWED, BREAK_GLASS, ERASE, EXPORT, OUTCOMES, REFUSED, VIEW
from clinic.date_windows import CALENDAR_WINDOW
from clinic.models import Location, Modality, Therapist
from outcomes.models import Scoring
from outcomes.services import ItemSpec
from pages.date_inputs import DATE_INPUT_FORMATS, date_widget
from patients.selectors import patients_search

WRITES = {"create": LogEntry.Action.CREATE, "update": LogEntry.Action.UPDATE, "delete": LogEntry.Action.DELETE}
ACTION_CHOICES = [
    ("", gettext_lazy("Any action")),
    (VIEW, pgettext_lazy("audit log action", "Read")),
    (BREAK_GLASS, gettext_lazy("Emergency access")),
    (EXPORT, gettext_lazy("Data export")),
    (ERASE, gettext_lazy("Erasure")),
    ("create", pgettext_lazy("audit log action", "Created")),
    ("update", pgettext_lazy("audit log action", "Changed")),
    ("delete", pgettext_lazy("audit log action", "Deleted")),
]
# The outcomes as the filter offers them (the value capitalised).
OUTCOME_LABELS = {ALLOWED: gettext_lazy("Allowed"), REFUSED: gettext_lazy("Refused")}


# How many names the audit log's suggestions offer, and how many patients a name filter matches.
SUGGESTIONS = 10
PATIENTS_MATCHED = 500


def users_named(text: str):
    """Users whose login or name has every word of `text` ("anna kuhn", "akuhn")."""
    users = User.objects.all()
    for word in text.split():
        users = users.filter(Q(username__icontains=word) | Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return users


def user_label(user) -> str:
    return user.get_full_name() or user.username


class AuditFilterForm(forms.Form):
    """The audit log's filter: a user and a patient by name (with suggestions), the action, the
    outcome and a date range. A patient's number (the table's own links) still works."""

    user = forms.CharField(required=False, max_length=150, label=gettext_lazy("User"))
    patient = forms.CharField(required=False, max_length=100, label=gettext_lazy("Patient"))
    action = forms.ChoiceField(required=False, choices=ACTION_CHOICES, label=gettext_lazy("Action"))
    outcome = forms.ChoiceField(
        required=False,
        choices=[("", gettext_lazy("Any outcome")), *[(o, OUTCOME_LABELS.get(o, o.capitalize())) for o in OUTCOMES]],
        label=gettext_lazy("Outcome"),
    )
    # Windowed (clinic.date_windows) so a day at the calendar's edge is a form error, not an
    # overflow when it becomes a time.
    since = forms.DateField(
        required=False,
        label=gettext_lazy("From"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[CALENDAR_WINDOW],
    )
    until = forms.DateField(
        required=False,
        label=gettext_lazy("To"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[CALENDAR_WINDOW],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", gettext("The end comes before the start: swap the two dates."))
        return data

    def filter(self, entries):
        data = self.cleaned_data
        if data["user"].strip():
            entries = entries.filter(actor__in=users_named(data["user"]))
        patient = data["patient"].strip()
        if patient.isdigit():
            entries = entries.filter(additional_data__patient_id=int(patient))
        elif patient:
            ids = list(patients_search(query=patient).values_list("pk", flat=True)[:PATIENTS_MATCHED])
            entries = entries.filter(additional_data__patient_id__in=ids)
        if data["action"] in WRITES:
            entries = entries.filter(action=WRITES[data["action"]])
        elif data["action"]:
            entries = entries.filter(action=LogEntry.Action.ACCESS, additional_data__action=data["action"])
        if data["outcome"] == REFUSED:
            entries = entries.filter(additional_data__outcome=REFUSED)
        elif data["outcome"]:
            # A change that was written was allowed; only access entries can say "refused".
            entries = entries.filter(~Q(additional_data__outcome=REFUSED) | Q(additional_data__outcome__isnull=True))
        if data["since"]:
            entries = entries.filter(timestamp__gte=_day_start(data["since"]))
        if data["until"]:
            entries = entries.filter(timestamp__lt=_day_start(data["until"] + dt.timedelta(days=1)))
        return entries


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


# --- Reports ------------------------------------------------------------------------------------

# A report's period: inside these years, and a year long at most (the reports count in the
# database, but the working hours are laid out day by day).
REPORT_EARLIEST, REPORT_LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)
REPORT_MAX_DAYS = 366
DEFAULT_REPORT_DAYS = 28


class ReportFilterForm(forms.Form):
    """The reports' period, therapist, modality and, when the clinic has several, site."""

    starts_on = forms.DateField(label=gettext_lazy("From"), input_formats=DATE_INPUT_FORMATS, widget=date_widget())
    ends_on = forms.DateField(label=gettext_lazy("To"), input_formats=DATE_INPUT_FORMATS, widget=date_widget())
    therapist = forms.ModelChoiceField(
        queryset=Therapist.objects.select_related("user"),
        required=False,
        empty_label=gettext_lazy("Every therapist"),
        label=gettext_lazy("Therapist"),
    )
    modality = forms.ModelChoiceField(
        queryset=Modality.objects.all(),
        required=False,
        empty_label=gettext_lazy("Every modality"),
        label=gettext_lazy("Modality"),
    )
    location = forms.ModelChoiceField(
        queryset=Location.objects.order_by("name"),
        required=False,
        empty_label=gettext_lazy("Every site"),
        label=gettext_lazy("Site"),
    )
    # Which report to download as CSV; absent for the page itself.
    csv = forms.ChoiceField(required=False, choices=[], widget=forms.HiddenInput)

    def __init__(self, *args, reports: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        if Location.objects.count() < 2:  # one site: nothing to choose
            del self.fields["location"]
        self.fields["csv"].choices = [("", ""), *[(name, name) for name in reports]]
        self.fields["csv"].error_messages["invalid_choice"] = gettext(
            "There is no report called %(value)s to download."
        )
        for name, field in self.fields.items():
            if name != "csv":
                field.widget.attrs["class"] = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"

    @classmethod
    def default_period(cls) -> dict:
        today = timezone.localdate()
        return {"starts_on": today - dt.timedelta(days=DEFAULT_REPORT_DAYS - 1), "ends_on": today}

    def _clean_day(self, name: str) -> dt.date:
        day = self.cleaned_data[name]
        if not REPORT_EARLIEST <= day <= REPORT_LATEST:
            raise forms.ValidationError(
                gettext(
                    "Choose a day between %(earliest)s and %(latest)s: the clinic has no figures outside those years."
                )
                % {"earliest": REPORT_EARLIEST.year, "latest": REPORT_LATEST.year}
            )
        return day

    def clean_starts_on(self):
        return self._clean_day("starts_on")

    def clean_ends_on(self):
        return self._clean_day("ends_on")

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on:
            if starts_on > ends_on:
                self.add_error("ends_on", gettext("The period ends before it starts: choose a later “to” day."))
            elif (ends_on - starts_on).days + 1 > REPORT_MAX_DAYS:
                self.add_error("ends_on", gettext("Choose a period of a year at most."))
        return data


# --- Emergency access review --------------------------------------------------------------------


class BreakGlassReviewForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Your comment"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        help_text=gettext_lazy("What you checked, whom you asked."),
    )


# --- Outcome measures ---------------------------------------------------------------------------

DIRECTIONS = [("higher", gettext_lazy("A higher score is better")), ("lower", gettext_lazy("A lower score is better"))]


def parse_items(text: str) -> list[ItemSpec]:
    """The questions as the manager types them: one a line; a line that starts with a dash is an
    answer of the question above it, lowest answer first (optional)."""
    items: list[ItemSpec] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith(("-", "–")):
            if not items:
                raise forms.ValidationError(
                    gettext("Line %(number)s is an answer (it starts with a dash), but no question comes before it.")
                    % {"number": number}
                )
            items[-1].answers.append(line.lstrip("-–").strip())
        else:
            items.append(ItemSpec(line, []))
    return items


class MeasureForm(forms.Form):
    """A licensed questionnaire the clinic holds. The form checks what was typed; the service
    (outcomes.services.measure_create) checks the measure as a whole, in sentences."""

    name = forms.CharField(
        max_length=120, label=gettext_lazy("Name"), help_text=gettext_lazy("As the questionnaire names itself.")
    )
    code = forms.SlugField(
        max_length=30,
        label=gettext_lazy("Short name"),
        help_text=gettext_lazy("Letters, numbers and dashes, for reports: odi, rmdq."),
        error_messages={"invalid": gettext_lazy("Use letters, numbers and dashes only, such as odi.")},
    )
    instructions = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=gettext_lazy("Instructions"),
        help_text=gettext_lazy("What the patient reads first."),
    )
    items = forms.CharField(
        label=gettext_lazy("Questions"),
        widget=forms.Textarea(
            attrs={
                "rows": 10,
                "placeholder": gettext_lazy(
                    "Pain intensity\n- I have no pain at the moment\n- The pain is very mild\n…\nPersonal care\n- …"
                ),
            }
        ),
        help_text=gettext_lazy(
            "One question a line. To word the answers, put them on the lines below their question, "
            "each starting with a dash, lowest first: one for each point of the scale."
        ),
    )
    scale_min = forms.IntegerField(label=gettext_lazy("Lowest answer"), min_value=0, max_value=100, initial=0)
    scale_max = forms.IntegerField(label=gettext_lazy("Highest answer"), min_value=1, max_value=100, initial=5)
    min_label = forms.CharField(label=gettext_lazy("The lowest answer means"), max_length=80, required=False)
    max_label = forms.CharField(label=gettext_lazy("The highest answer means"), max_length=80, required=False)
    scoring = forms.ChoiceField(label=gettext_lazy("Score"), choices=Scoring.choices)
    direction = forms.ChoiceField(label=gettext_lazy("Direction"), choices=DIRECTIONS, widget=forms.RadioSelect)
    mcid = forms.DecimalField(
        label=gettext_lazy("Minimal clinically important difference"),
        min_value=Decimal("0.01"),
        max_value=Decimal(1000),
        max_digits=6,
        decimal_places=2,
        help_text=gettext_lazy("The smallest change in the score that matters to patients, in the score's units."),
    )
    mcid_source = forms.CharField(
        label=gettext_lazy("Where that number comes from"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("In your own words: the study or the manual."),
    )
    due_at_start = forms.BooleanField(label=gettext_lazy("At the start of a course"), required=False, initial=True)
    due_every_sessions = forms.IntegerField(
        label=gettext_lazy("Every so many sessions"),
        min_value=1,
        max_value=60,
        required=False,
        help_text=gettext_lazy("Leave empty for never."),
    )
    due_at_end = forms.BooleanField(label=gettext_lazy("At the end of a course"), required=False, initial=True)
    licence = forms.CharField(
        max_length=300,
        required=False,
        label=gettext_lazy("Licence"),
        help_text=gettext_lazy("Who licensed it to the clinic, until when."),
    )

    def clean_items(self):
        return parse_items(self.cleaned_data["items"])

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["higher_is_better"] = data.pop("direction") == "higher"
        return data


ERASE_WORD = "ERASE"


class PatientEraseForm(forms.Form):
    """Erasing a record cannot be undone: the manager ticks that they understand and types the word."""

    understood = forms.BooleanField(
        label=gettext_lazy(
            "I understand that the patient's name, contact details and clinical text are replaced for good."
        ),
        error_messages={"required": gettext_lazy("Tick the box to confirm the erasure.")},
    )
    word = forms.CharField(
        # The word stays as it is in every language: the form compares it with ERASE_WORD.
        label=format_lazy(gettext_lazy("Type {word} to confirm"), word=ERASE_WORD),
        max_length=20,
        error_messages={"required": format_lazy(gettext_lazy("Type {word} to confirm the erasure."), word=ERASE_WORD)},
    )

    def clean_word(self) -> str:
        word = self.cleaned_data["word"].strip()
        if word != ERASE_WORD:
            raise forms.ValidationError(
                gettext("Type %(word)s in capitals to confirm the erasure.") % {"word": ERASE_WORD}
            )
        return word
