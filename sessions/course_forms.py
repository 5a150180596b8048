"""The therapist's course forms: prescribing a course and closing it. The services in
sessions.courses writes; a number left empty takes the modality's course default there."""

from django import forms
from django.utils import timezone

from clinic.models import Cadence, Modality
from patients.models import Diagnosis, Patient
from sessions.models import Course

ISO_DATE = "%Y-%m-%d"
DATE_INPUT_FORMATS = [ISO_DATE, "%d.%m.%Y"]
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


class CoursePrescribeForm(forms.Form):
    diagnosis = forms.ModelChoiceField(queryset=Diagnosis.objects.none(), empty_label=None)
    modality = forms.ModelChoiceField(queryset=Modality.objects.filter(active=True), empty_label="Choose a modality")
    starts_on = forms.DateField(
        label="Starts on",
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(format=ISO_DATE, attrs={"type": "date"}),
        initial=timezone.localdate,
    )
    min_sessions = _number("Sessions, at least", 1, 60)
    max_sessions = _number("Sessions, at most", 1, 60)
    session_minutes = _number("Minutes per session", 5, 240)
    cadence = forms.ChoiceField(choices=[("", "As the modality suggests"), *Cadence.choices], required=False)
    sessions_per_week = _number("Sessions per week", 1, 7, "Only with the 'sessions per week' cadence.")
    goals = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the course should achieve, for example: sit through a working day without leg pain.",
    )
    home_programme = forms.CharField(
        label="Home programme",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=Course._meta.get_field("home_programme").help_text
        + " For example massage with a tennis ball under the buttock, or the seated spine twist.",
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
            self.add_error("max_sessions", "The most sessions cannot be fewer than the least.")
        return cleaned

    @property
    def course_data(self) -> dict:
        """The cleaned values as course_prescribe() takes them; empty numbers stay None."""
        data = dict(self.cleaned_data)
        data["cadence"] = data["cadence"] or None
        return data


class CourseCloseForm(forms.Form):
    remarks = forms.CharField(
        label="Your remarks",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="How the patient left the course, and what to do next (home programme, a check-up, a referral).",
    )
