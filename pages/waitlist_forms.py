"""The waitlist's wish, as reception and as the patient in the portal record it
(sessions.waitlist.waitlist_entry_add judges it). Reception may choose a course or a treatment
outside any course, and mark it urgent; the portal books only inside a prescribed course, so the
patient chooses one of their courses."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from clinic.date_windows import WAITLIST_WINDOW
from clinic.models import Modality, Therapist
from pages.date_inputs import DATE_INPUT_FORMATS, date_widget
from patients.models import Patient
from sessions.models import WEEKDAY_NAMES, DayPart
from sessions.waitlist import patient_courses_for_waitlist

# A wish lasts four weeks unless said otherwise.
DEFAULT_WEEKS = 4


class CourseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, course) -> str:
        return gettext("%(modality)s (from %(day)s)") % {
            "modality": course.modality,
            "day": f"{course.starts_on:%d.%m.%Y}",
        }


class WishForm(forms.Form):
    """Pass `patient`: the courses offered are theirs."""

    course = CourseChoiceField(
        queryset=None, required=False, empty_label=gettext_lazy("No course"), label=gettext_lazy("Course")
    )
    therapist = forms.ModelChoiceField(
        queryset=Therapist.objects.none(),
        required=False,
        empty_label=gettext_lazy("Any therapist"),
        label=gettext_lazy("Therapist"),
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Days"),
        choices=list(enumerate(WEEKDAY_NAMES)),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: any day."),
    )
    day_parts = forms.MultipleChoiceField(
        label=gettext_lazy("Times of day"),
        choices=DayPart.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: any time."),
    )
    until = forms.DateField(
        label=gettext_lazy("Until"),
        input_formats=DATE_INPUT_FORMATS,
        widget=date_widget(),
        validators=[WAITLIST_WINDOW],
        help_text=gettext_lazy("The last day a session may fall on."),
    )

    def __init__(self, *args, patient: Patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient = patient
        self.fields["course"].queryset = patient_courses_for_waitlist(patient=patient)
        self.fields["therapist"].queryset = (
            Therapist.objects.filter(active=True).select_related("user").order_by("user__last_name", "pk")
        )
        today = timezone.localdate()
        low, high = WAITLIST_WINDOW.bounds(today)
        self.fields["until"].widget.attrs.update(min=low.isoformat(), max=high.isoformat())
        self.fields["until"].initial = today + dt.timedelta(weeks=DEFAULT_WEEKS)

    def entry_data(self) -> dict:
        """The cleaned values, named as waitlist_entry_add takes them."""
        data = self.cleaned_data
        return {
            "course": data.get("course"),
            "modality": data.get("modality"),
            "therapist": data.get("therapist"),
            "weekdays": data.get("weekdays") or [],
            "day_parts": data.get("day_parts") or [],
            "until": data["until"],
            "urgent": bool(data.get("urgent")),
        }


class ReceptionWishForm(WishForm):
    modality = forms.ModelChoiceField(
        queryset=Modality.objects.filter(active=True).order_by("name"),
        required=False,
        empty_label="—",
        label=gettext_lazy("Or a treatment outside any course"),
    )
    urgent = forms.BooleanField(
        required=False, label=gettext_lazy("Urgent"), help_text=gettext_lazy("Offered freed slots before the others.")
    )

    field_order = ["course", "modality", "therapist", "weekdays", "day_parts", "until", "urgent"]

    def clean(self):
        data = super().clean()
        course, modality = data.get("course"), data.get("modality")
        if "course" not in self.errors and "modality" not in self.errors:
            if course is None and modality is None:
                self.add_error("course", gettext("Choose a course, or a treatment outside any course."))
            elif course is not None and modality is not None and modality.pk != course.modality_id:
                self.add_error("modality", gettext("Choose a course or a treatment, not both."))
        return data


class PortalWishForm(WishForm):
    """The patient's own: a session of one of their courses, never urgent."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        course = self.fields["course"]
        course.required, course.empty_label, course.label = True, None, gettext("Your course")
        course.error_messages["required"] = gettext("Choose your course.")
