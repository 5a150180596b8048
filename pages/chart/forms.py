"""The chart's forms: recording a diagnosis, a study, a phase and a health flag, prescribing and
closing a course, and the reason for emergency access. They validate what was typed; the services
in patients.services and sessions.courses write (a course number left empty takes the modality's
course default there)."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy

from clinic.date_windows import CLINICAL_WINDOW, COURSE_START_WINDOW, RECORD_WINDOW, WindowedDateTimeField
from clinic.models import Cadence, Modality
from pages.date_inputs import DATE_INPUT_FORMATS, date_widget
from pages.text_limits import TextLimitsShown
from patients import services as patient_services
from patients.models import Diagnosis, FlagKind, HealthFlag, Patient, Phase, PhaseRecord, Study
from sessions.models import Course

# Codes a back-pain clinic meets most; the field takes any valid ICD-10 code.
COMMON_ICD10_CODES = [
    ("M54.3", gettext_lazy("Sciatica")),
    ("M54.4", gettext_lazy("Lumbago with sciatica")),
    ("M51.1", gettext_lazy("Lumbar disc disorder with radiculopathy")),
    ("M48.06", gettext_lazy("Spinal stenosis, lumbar region")),
    ("M43.1", gettext_lazy("Spondylolisthesis")),
    ("G57.0", gettext_lazy("Lesion of the sciatic nerve")),
]
# The browser's datetime-local picker sends "2026-03-02T14:30".
DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"]


def _not_after_today(day: dt.date | None, message: str) -> dt.date | None:
    if day is not None and day > timezone.localdate():
        raise forms.ValidationError(message)
    return day


class _ClinicalRecordForm(forms.ModelForm):
    """Date fields take the picker's ISO value or a typed local date, and may not lie ahead."""

    past_dates: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate().isoformat()
        for name, field in self.fields.items():
            if isinstance(field, forms.DateField):
                field.input_formats = DATE_INPUT_FORMATS
                field.widget = date_widget(**({"max": today} if name in self.past_dates else {}))
                field.widget.is_required = field.required


class DiagnosisForm(_ClinicalRecordForm):
    past_dates = ("diagnosed_on",)

    class Meta:
        model = Diagnosis
        fields = ["icd10_code", "title", "cause", "side", "diagnosed_on", "diagnosed_by"]
        widgets = {
            "icd10_code": forms.TextInput(attrs={"list": "icd10-codes", "autocomplete": "off", "placeholder": "M54.3"})
        }
        help_texts = {
            "icd10_code": gettext_lazy(
                "As on the doctor's report, for example M54.3 (sciatica) or M51.1 (disc disorder)."
            ),
            "cause": gettext_lazy("What the doctor found behind the pain, when known."),
            "side": gettext_lazy("The leg the pain runs down."),
            "diagnosed_by": gettext_lazy("Name of the doctor who made the diagnosis."),
        }

    def clean_icd10_code(self) -> str:
        return self.cleaned_data["icd10_code"].strip().upper()

    def clean_diagnosed_on(self) -> dt.date:
        return _not_after_today(
            self.cleaned_data["diagnosed_on"], gettext("A diagnosis cannot be dated in the future.")
        )


class StudyForm(TextLimitsShown, _ClinicalRecordForm):
    past_dates = ("performed_on",)

    class Meta:
        model = Study
        fields = ["kind", "performed_on", "findings"]
        widgets = {"findings": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"findings": gettext_lazy("The radiologist's or the laboratory's conclusion, in short.")}

    def clean_performed_on(self) -> dt.date:
        return _not_after_today(self.cleaned_data["performed_on"], gettext("A study cannot be dated in the future."))


class PhaseRecordForm(TextLimitsShown, forms.ModelForm):
    class Meta:
        model = PhaseRecord
        fields = ["phase", "effective_from", "note"]
        field_classes = {"effective_from": WindowedDateTimeField}
        widgets = {
            "phase": forms.RadioSelect,
            "effective_from": forms.DateTimeInput(format="%Y-%m-%dT%H:%M", attrs={"type": "datetime-local"}),
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"effective_from": gettext_lazy("In effect from")}
        help_texts = {
            "phase": gettext_lazy(
                "Acute: an exacerbation treated with medication; massage is refused and the patient's "
                "booked sessions are flagged for review. Subacute: the pain is settling. Remission: massage, "
                "exercise therapy and the home programme can go ahead."
            ),
            "note": gettext_lazy("What the phase is based on, for example the doctor's letter or today's examination."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phase"].choices = Phase.choices  # a radio list needs no empty choice
        self.fields["effective_from"].input_formats = DATETIME_INPUT_FORMATS
        now = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["effective_from"].initial = now
        self.fields["effective_from"].widget.attrs["max"] = now.strftime("%Y-%m-%dT%H:%M")

    def clean_effective_from(self) -> dt.datetime:
        effective_from = self.cleaned_data["effective_from"]
        if effective_from > timezone.now():
            raise forms.ValidationError(
                gettext("A phase cannot be recorded ahead of time; use the current time or earlier.")
            )
        return effective_from


class HealthFlagForm(_ClinicalRecordForm):
    class Meta:
        model = HealthFlag
        fields = ["kind", "substance", "active_from", "active_to", "note"]
        labels = {
            "substance": gettext_lazy("Oil or substance"),
            "active_from": gettext_lazy("Applies from"),
            "active_to": gettext_lazy("Applies until"),
        }
        help_texts = {
            "substance": gettext_lazy(
                "Required for an allergy to an aromatic oil: the therapist must know it before a session."
            ),
            "active_to": gettext_lazy("Leave empty while it still applies."),
        }

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("kind") == FlagKind.OIL_ALLERGY and not cleaned.get("substance", "").strip():
            self.add_error(
                "substance", gettext("Name the oil the patient is allergic to, so the therapist can avoid it.")
            )
        active_from, active_to = cleaned.get("active_from"), cleaned.get("active_to")
        if active_from and active_to and active_to < active_from:
            self.add_error("active_to", gettext("The flag cannot end before it starts."))
        return cleaned


class HealthFlagEndForm(forms.Form):
    on = forms.DateField(
        label=gettext_lazy("Ended on"),
        input_formats=DATE_INPUT_FORMATS,
        widget=date_widget(),
        initial=timezone.localdate,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_on(self) -> dt.date:
        on = _not_after_today(self.cleaned_data["on"], gettext("A flag cannot be ended ahead of time."))
        CLINICAL_WINDOW(on)
        return on


# The numbers a modality fills in when it is chosen.
NUMBER_FIELDS = ("min_sessions", "max_sessions", "session_minutes", "cadence", "sessions_per_week")


def _number(label: str, lowest: int, highest: int, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=lowest,
        max_value=highest,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"min": lowest, "max": highest}),
    )


def modality_defaults(modality: Modality) -> dict:
    """The course a modality suggests, as the form's initial values."""
    return {
        "min_sessions": modality.course_min_sessions,
        "max_sessions": modality.course_max_sessions,
        "session_minutes": modality.session_minutes,
        "cadence": modality.cadence,
        "sessions_per_week": modality.sessions_per_week,
    }


class CoursePrescribeForm(TextLimitsShown, forms.Form):
    diagnosis = forms.ModelChoiceField(
        label=gettext_lazy("Diagnosis"), queryset=Diagnosis.objects.none(), empty_label=None
    )
    modality = forms.ModelChoiceField(
        label=gettext_lazy("Modality"),
        queryset=Modality.objects.filter(active=True),
        empty_label=gettext_lazy("Choose a modality"),
    )
    starts_on = forms.DateField(
        label=gettext_lazy("Starts on"),
        input_formats=DATE_INPUT_FORMATS,
        widget=date_widget(),
        initial=timezone.localdate,
        validators=[COURSE_START_WINDOW],
    )
    min_sessions = _number(gettext_lazy("Sessions, at least"), 1, 60)
    max_sessions = _number(gettext_lazy("Sessions, at most"), 1, 60)
    session_minutes = _number(gettext_lazy("Minutes per session"), 5, 240)
    cadence = forms.ChoiceField(
        label=gettext_lazy("Cadence"),
        choices=[("", gettext_lazy("As the modality suggests")), *Cadence.choices],
        required=False,
    )
    sessions_per_week = _number(
        gettext_lazy("Sessions per week"), 1, 7, gettext_lazy("Only with the 'sessions per week' cadence.")
    )
    goals = forms.CharField(
        label=gettext_lazy("Goals"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "What the course should achieve, for example: sit through a working day without leg pain."
        ),
    )
    home_programme = forms.CharField(
        label=gettext_lazy("Home programme"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=format_lazy(
            "{} {}",
            Course._meta.get_field("home_programme").help_text,
            gettext_lazy("For example massage with a tennis ball under the buttock, or the seated spine twist."),
        ),
    )

    def __init__(self, *args, patient: Patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient = patient
        diagnoses = patient.diagnoses.filter(active=True).order_by("-diagnosed_on", "-pk")
        self.fields["diagnosis"].queryset = diagnoses
        self.fields["diagnosis"].label_from_instance = lambda d: f"{d.icd10_code} {d.title} ({d.get_side_display()})"

    def clean(self) -> dict:
        cleaned = super().clean()
        lowest, highest = cleaned.get("min_sessions"), cleaned.get("max_sessions")
        if lowest is not None and highest is not None and lowest > highest:
            self.add_error("max_sessions", gettext("The most sessions cannot be fewer than the least."))
        return cleaned

    @property
    def course_data(self) -> dict:
        """The cleaned values as course_prescribe() takes them; empty numbers stay None."""
        data = dict(self.cleaned_data)
        data["cadence"] = data["cadence"] or None
        return data


class CourseCloseForm(TextLimitsShown, forms.Form):
    remarks = forms.CharField(
        label=gettext_lazy("Your remarks"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "How the patient left the course, and what to do next (home programme, a check-up, a referral)."
        ),
    )


class BreakGlassForm(TextLimitsShown, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Emergency access: give the reason"),
        min_length=patient_services.BREAK_GLASS_MIN_REASON,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Kept with your name and shown to the practice manager."),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class FlagProposalConfirmForm(forms.Form):
    """Confirming a health flag the intake questionnaire proposed: the oil (for an allergy), from
    when it applies, and the note; each starts from what the patient answered."""

    substance = forms.CharField(label=gettext_lazy("Oil or substance"), required=False, max_length=80)
    active_from = forms.DateField(
        label=gettext_lazy("Applies from"),
        input_formats=DATE_INPUT_FORMATS,
        widget=date_widget(),
        validators=[RECORD_WINDOW],
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control form-control-sm"


class FlagProposalDismissForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Why (optional)"), required=False, max_length=300)
