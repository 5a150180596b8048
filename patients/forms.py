"""Reception's patient forms: they validate what was typed, the services in patients.services write."""

import datetime as dt
import re

from django import forms
from django.utils import timezone

from patients.models import Diagnosis, FlagKind, HealthFlag, Patient, Phase, PhaseRecord, Study
from patients.selectors import patients_with_same_identity

EARLIEST_DATE_OF_BIRTH = dt.date(1900, 1, 1)
MIN_PHONE_DIGITS = 6
PHONE_CHARACTERS = re.compile(r"[0-9 +\-()]+")
# The date picker sends ISO dates; a browser without one lets people type the local way.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]
NO_CONTACT_MESSAGE = "Give a phone number or an e-mail address so the clinic can reach the patient."
IDENTITY_FIELDS = ("first_name", "last_name", "date_of_birth")


def _date_widget(**attrs) -> forms.DateInput:
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", **attrs})


def _max_length(field_name: str) -> int:
    return Patient._meta.get_field(field_name).max_length


class PatientSearchForm(forms.Form):
    q = forms.CharField(label="Find a patient", max_length=100, required=False)


class PatientForm(forms.Form):
    """Demographics and contact details. Pass `patient` when editing an existing record.

    A patient with the same name and date of birth is most often the same person registered twice,
    so the form holds the save back until reception confirms it is someone else.
    """

    first_name = forms.CharField(max_length=_max_length("first_name"))
    last_name = forms.CharField(max_length=_max_length("last_name"))
    date_of_birth = forms.DateField(input_formats=DATE_INPUT_FORMATS, widget=_date_widget(min="1900-01-01"))
    phone = forms.CharField(
        max_length=_max_length("phone"),
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        help_text="Digits, spaces, +, - and brackets, for example +49 30 1234 5678.",
    )
    email = forms.EmailField(label="E-mail", max_length=_max_length("email"), required=False)
    consent_on = forms.DateField(
        label="Consent given on",
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=_date_widget(),
        help_text="The day the patient signed consent to treatment and to the record.",
    )
    different_person = forms.BooleanField(label="This is a different person", required=False)

    def __init__(self, *args, patient: Patient | None = None, **kwargs):
        self.patient = patient
        if patient is not None:
            kwargs.setdefault("initial", {name: getattr(patient, name) for name in self.patient_fields()})
        super().__init__(*args, **kwargs)
        today = timezone.localdate().isoformat()
        self.fields["date_of_birth"].widget.attrs["max"] = today
        self.fields["consent_on"].widget.attrs["max"] = today
        # Filled in by clean(): the records that look like the same person.
        self.same_identity: list[Patient] = []

    @classmethod
    def patient_fields(cls) -> list[str]:
        return [name for name in cls.base_fields if name != "different_person"]

    @property
    def needs_correction(self) -> bool:
        """Errors other than the unconfirmed namesake, which has its own warning."""
        return any(name != "different_person" for name in self.errors)

    @property
    def patient_data(self) -> dict:
        """The cleaned values, named as the patient services take them."""
        return {name: self.cleaned_data[name] for name in self.patient_fields()}

    def clean_first_name(self) -> str:
        return " ".join(self.cleaned_data["first_name"].split())

    def clean_last_name(self) -> str:
        return " ".join(self.cleaned_data["last_name"].split())

    def clean_date_of_birth(self) -> dt.date:
        born = self.cleaned_data["date_of_birth"]
        if born > timezone.localdate():
            raise forms.ValidationError("The date of birth cannot be in the future.")
        if born < EARLIEST_DATE_OF_BIRTH:
            raise forms.ValidationError("The date of birth cannot be before 1900. Check the year.")
        return born

    def clean_phone(self) -> str:
        phone = " ".join(self.cleaned_data["phone"].split())
        if not phone:
            return ""
        if not PHONE_CHARACTERS.fullmatch(phone):
            raise forms.ValidationError("A phone number may only contain digits, spaces, +, - and brackets.")
        if sum(char.isdigit() for char in phone) < MIN_PHONE_DIGITS:
            raise forms.ValidationError(f"A phone number needs at least {MIN_PHONE_DIGITS} digits.")
        return phone

    def clean_consent_on(self) -> dt.date | None:
        consent_on = self.cleaned_data["consent_on"]
        if consent_on and consent_on > timezone.localdate():
            raise forms.ValidationError("Consent cannot be dated in the future.")
        return consent_on

    def clean(self) -> dict:
        cleaned = super().clean()
        contact_fields_valid = "phone" not in self.errors and "email" not in self.errors
        if contact_fields_valid and not cleaned.get("phone") and not cleaned.get("email"):
            self.add_error("phone", NO_CONTACT_MESSAGE)
            self.add_error("email", NO_CONTACT_MESSAGE)
        self._check_same_identity(cleaned)
        return cleaned

    def _check_same_identity(self, cleaned: dict) -> None:
        if not all(cleaned.get(name) for name in IDENTITY_FIELDS):
            return
        if self.patient is not None and not self._identity_changed(cleaned):
            return
        others = patients_with_same_identity(
            first_name=cleaned["first_name"], last_name=cleaned["last_name"], date_of_birth=cleaned["date_of_birth"]
        )
        if self.patient is not None:
            others = others.exclude(pk=self.patient.pk)
        self.same_identity = list(others[:5])
        if self.same_identity and not cleaned.get("different_person"):
            self.add_error(
                "different_person",
                "A patient with this name and date of birth is already registered. "
                "Open that record, or tick this box if this is someone else.",
            )

    def _identity_changed(self, cleaned: dict) -> bool:
        patient = self.patient
        return (
            cleaned["first_name"].casefold() != patient.first_name.casefold()
            or cleaned["last_name"].casefold() != patient.last_name.casefold()
            or cleaned["date_of_birth"] != patient.date_of_birth
        )


# Codes a back-pain clinic meets most; the field takes any valid ICD-10 code.
COMMON_ICD10_CODES = [
    ("M54.3", "Sciatica"),
    ("M54.4", "Lumbago with sciatica"),
    ("M51.1", "Lumbar disc disorder with radiculopathy"),
    ("M48.06", "Spinal stenosis, lumbar region"),
    ("M43.1", "Spondylolisthesis"),
    ("G57.0", "Lesion of the sciatic nerve"),
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
                field.widget = _date_widget(**({"max": today} if name in self.past_dates else {}))
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
            "icd10_code": "As on the doctor's report, for example M54.3 (sciatica) or M51.1 (disc disorder).",
            "cause": "What the doctor found behind the pain, when known.",
            "side": "The leg the pain runs down.",
            "diagnosed_by": "Name of the doctor who made the diagnosis.",
        }

    def clean_icd10_code(self) -> str:
        return self.cleaned_data["icd10_code"].strip().upper()

    def clean_diagnosed_on(self) -> dt.date:
        return _not_after_today(self.cleaned_data["diagnosed_on"], "A diagnosis cannot be dated in the future.")


class StudyForm(_ClinicalRecordForm):
    past_dates = ("performed_on",)

    class Meta:
        model = Study
        fields = ["kind", "performed_on", "findings"]
        widgets = {"findings": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"findings": "The radiologist's or the laboratory's conclusion, in short."}

    def clean_performed_on(self) -> dt.date:
        return _not_after_today(self.cleaned_data["performed_on"], "A study cannot be dated in the future.")


class PhaseRecordForm(forms.ModelForm):
    class Meta:
        model = PhaseRecord
        fields = ["phase", "effective_from", "note"]
        widgets = {
            "phase": forms.RadioSelect,
            "effective_from": forms.DateTimeInput(format="%Y-%m-%dT%H:%M", attrs={"type": "datetime-local"}),
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"effective_from": "In effect from"}
        help_texts = {
            "phase": "Acute: an exacerbation treated with medication; massage is refused and the patient's "
            "booked sessions are flagged for review. Subacute: the pain is settling. Remission: massage, "
            "exercise therapy and the home programme can go ahead.",
            "note": "What the phase is based on, for example the doctor's letter or today's examination.",
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
            raise forms.ValidationError("A phase cannot be recorded ahead of time; use the current time or earlier.")
        return effective_from


class HealthFlagForm(_ClinicalRecordForm):
    class Meta:
        model = HealthFlag
        fields = ["kind", "substance", "active_from", "active_to", "note"]
        labels = {"substance": "Oil or substance", "active_from": "Applies from", "active_to": "Applies until"}
        help_texts = {
            "substance": "Required for an allergy to an aromatic oil: the therapist must know it before a session.",
            "active_to": "Leave empty while it still applies.",
        }

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("kind") == FlagKind.OIL_ALLERGY and not cleaned.get("substance", "").strip():
            self.add_error("substance", "Name the oil the patient is allergic to, so the therapist can avoid it.")
        active_from, active_to = cleaned.get("active_from"), cleaned.get("active_to")
        if active_from and active_to and active_to < active_from:
            self.add_error("active_to", "The flag cannot end before it starts.")
        return cleaned


class HealthFlagEndForm(forms.Form):
    on = forms.DateField(
        label="Ended on", input_formats=DATE_INPUT_FORMATS, widget=_date_widget(), initial=timezone.localdate
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_on(self) -> dt.date:
        return _not_after_today(self.cleaned_data["on"], "A flag cannot be ended ahead of time.")
