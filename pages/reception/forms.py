"""Reception's patient forms: they validate what was typed, the services in patients.services write."""

import datetime as dt
import re

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, ngettext

from clinic.date_windows import BIRTH_WINDOW, BOOKING_WINDOW, CLINICAL_WINDOW
from clinic.models import Therapist
from pages.date_inputs import DATE_INPUT_FORMATS, date_widget
from patients.models import ContactChannel, Patient
from patients.notify import contact_channel_problem
from patients.selectors import patients_with_same_identity

MIN_PHONE_DIGITS = 6
PHONE_CHARACTERS = re.compile(r"[0-9 +\-()]+")
NO_CONTACT_MESSAGE = gettext_lazy("Give a phone number or an e-mail address so the clinic can reach the patient.")
IDENTITY_FIELDS = ("first_name", "last_name", "date_of_birth")


def _max_length(field_name: str) -> int:
    return Patient._meta.get_field(field_name).max_length


class PatientSearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Find a patient"), max_length=100, required=False)


class BookingIntentForm(forms.Form):
    """ "Book for": the therapist, day and time a free cell of the day board chose, carried through
    the patient search to the booking page. Anything wrong in it is dropped, never an error."""

    therapist = forms.ModelChoiceField(queryset=Therapist.objects.filter(active=True).select_related("user"))
    day = forms.DateField(validators=[BOOKING_WINDOW])
    time = forms.TimeField(required=False)

    def intent(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        intent = {"therapist": data["therapist"].pk, "day": data["day"].isoformat()}
        if data["time"] is not None:
            intent["time"] = data["time"].strftime("%H:%M")
        return {**intent, "therapist_name": str(data["therapist"])}


class PatientForm(forms.Form):
    """Demographics and contact details. Pass `patient` when editing an existing record.

    A patient with the same name and date of birth is most often the same person registered twice,
    so the form holds the save back until reception confirms it is someone else.
    """

    # How the page groups the fields: a legend, a line under it (or none), the fields side by side.
    FIELDSETS = (
        (gettext_lazy("Name and date of birth"), "", ("first_name", "last_name", "date_of_birth")),
        (gettext_lazy("Contact"), gettext_lazy("A phone number, an e-mail address, or both."), ("phone", "email")),
        (gettext_lazy("Messages and the portal"), "", ("contact_channel", "language", "self_booking")),
        (gettext_lazy("Therapist"), "", ("assigned_therapist",)),
        (gettext_lazy("Consent"), "", ("consent_on",)),
    )

    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=_max_length("first_name"))
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=_max_length("last_name"))
    date_of_birth = forms.DateField(
        label=gettext_lazy("Date of birth"),
        input_formats=DATE_INPUT_FORMATS,
        widget=date_widget(min="1900-01-01"),
        validators=[BIRTH_WINDOW],
    )
    phone = forms.CharField(
        label=gettext_lazy("Phone"),
        max_length=_max_length("phone"),
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        help_text=gettext_lazy("Digits, spaces, +, - and brackets, for example +49 30 1234 5678."),
    )
    email = forms.EmailField(label=gettext_lazy("E-mail"), max_length=_max_length("email"), required=False)
    consent_on = forms.DateField(
        label=gettext_lazy("Consent given on"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=date_widget(),
        help_text=gettext_lazy("The day the patient signed consent to treatment and to the record."),
    )
    assigned_therapist = forms.ModelChoiceField(
        label=gettext_lazy("Assigned therapist"),
        queryset=Therapist.objects.none(),
        required=False,
        empty_label=gettext_lazy("Not assigned yet"),
        help_text=gettext_lazy(
            "The therapist who takes the patient on (or the one they are referred to); she can open the chart."
        ),
    )
    contact_channel = forms.ChoiceField(
        label=gettext_lazy("Messages by"),
        choices=[("", gettext_lazy("E-mail if there is an address, else SMS")), *ContactChannel.choices],
        required=False,
        help_text=gettext_lazy("Reminders and offers go this way (the other way when this one has no address)."),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        choices=settings.LANGUAGES,
        required=False,
        initial=settings.LANGUAGE_CODE,
        help_text=gettext_lazy("Of the clinic's e-mails, texts and calendar entries to the patient."),
    )
    self_booking = forms.BooleanField(
        label=gettext_lazy("May book online"),
        required=False,
        initial=True,
        help_text=gettext_lazy("Books, moves and cancels the sessions of a prescribed course in the portal."),
    )
    different_person = forms.BooleanField(label=gettext_lazy("This is a different person"), required=False)

    def fieldsets(self) -> list[tuple[str, str, list]]:
        return [(legend, lead, [self[name] for name in names]) for legend, lead, names in self.FIELDSETS]

    def __init__(self, *args, patient: Patient | None = None, **kwargs):
        self.patient = patient
        if patient is not None:
            kwargs.setdefault("initial", {name: getattr(patient, name) for name in self.patient_fields()})
        super().__init__(*args, **kwargs)
        # The clinic's therapists; one who has left since stays selectable where she is assigned.
        working = Q(active=True)
        if patient is not None and patient.assigned_therapist_id is not None:
            working |= Q(pk=patient.assigned_therapist_id)
        self.fields["assigned_therapist"].queryset = Therapist.objects.filter(working).select_related("user")
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

    def clean_language(self) -> str:
        """Not sent (an older form, the API): the patient's language as it is, or the clinic's."""
        default = self.patient.language if self.patient is not None else settings.LANGUAGE_CODE
        return self.cleaned_data["language"] or default

    def clean_first_name(self) -> str:
        return " ".join(self.cleaned_data["first_name"].split())

    def clean_last_name(self) -> str:
        return " ".join(self.cleaned_data["last_name"].split())

    def clean_phone(self) -> str:
        phone = " ".join(self.cleaned_data["phone"].split())
        if not phone:
            return ""
        if not PHONE_CHARACTERS.fullmatch(phone):
            raise forms.ValidationError(gettext("A phone number may only contain digits, spaces, +, - and brackets."))
        if sum(char.isdigit() for char in phone) < MIN_PHONE_DIGITS:
            raise forms.ValidationError(
                ngettext(
                    "A phone number needs at least %(count)d digit.",
                    "A phone number needs at least %(count)d digits.",
                    MIN_PHONE_DIGITS,
                )
                % {"count": MIN_PHONE_DIGITS}
            )
        return phone

    def clean_consent_on(self) -> dt.date | None:
        consent_on = self.cleaned_data["consent_on"]
        if consent_on and consent_on > timezone.localdate():
            raise forms.ValidationError(gettext("Consent cannot be dated in the future."))
        CLINICAL_WINDOW(consent_on)
        return consent_on

    def clean(self) -> dict:
        cleaned = super().clean()
        contact_fields_valid = "phone" not in self.errors and "email" not in self.errors
        if contact_fields_valid and not cleaned.get("phone") and not cleaned.get("email"):
            self.add_error("phone", NO_CONTACT_MESSAGE)
            self.add_error("email", NO_CONTACT_MESSAGE)
        elif contact_fields_valid and not cleaned.get("contact_channel"):
            cleaned["contact_channel"] = ContactChannel.EMAIL if cleaned.get("email") else ContactChannel.SMS
        elif contact_fields_valid:
            problem = contact_channel_problem(
                channel=cleaned["contact_channel"], phone=cleaned.get("phone", ""), email=cleaned.get("email", "")
            )
            if problem:
                self.add_error("contact_channel", problem)
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
                # The warning above the box names the records; the box's error says only what to do.
                gettext("Open that record instead, or tick this box if this is someone else."),
            )

    def _identity_changed(self, cleaned: dict) -> bool:
        patient = self.patient
        return (
            cleaned["first_name"].casefold() != patient.first_name.casefold()
            or cleaned["last_name"].casefold() != patient.last_name.casefold()
            or cleaned["date_of_birth"] != patient.date_of_birth
        )
