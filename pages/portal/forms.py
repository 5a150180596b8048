from django import forms

from clinic.date_windows import BOOKING_WINDOW
from outcomes.models import Measure, MeasureKind
from pages.booking.forms import SlotField
from pages.text_limits import TextLimitsShown
from patients.models import ContactChannel
from sessions.outcomes import MAX_ACTIVITY_LENGTH


class PortalCancelForm(TextLimitsShown, forms.Form):
    reason = forms.CharField(
        label="Reason (optional)",
        required=False,
        max_length=200,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The clinic reads it; you do not have to give one.",
    )


def _scale_field(measure: Measure, label: str, *, required: bool, words: list[str] | None = None) -> forms.ChoiceField:
    labels = words if words and len(words) == len(measure.points) else [str(p) for p in measure.points]
    return forms.TypedChoiceField(
        label=label,
        required=required,
        coerce=int,
        empty_value=None,
        choices=list(zip(measure.points, labels, strict=True)),
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": "Choose an answer."},
    )


class MeasureAnswersForm(forms.Form):
    """One outcome measure as the patient fills it in. A questionnaire: one answer per question.
    The patient-specific scale: the first time, up to `max_items` activities the patient names,
    each with a rating; afterwards the same activities, rated again."""

    def __init__(self, *args, measure: Measure, activities: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.measure, self.activities = measure, activities
        self.worded = False
        if measure.kind == MeasureKind.PATIENT_SPECIFIC:
            if activities:
                for n, activity in enumerate(activities, 1):
                    self.fields[f"rating_{n}"] = _scale_field(measure, activity, required=True)
            else:
                for n in range(1, (measure.max_items or 1) + 1):
                    self.fields[f"activity_{n}"] = forms.CharField(
                        label=f"Activity {n}", required=n == 1, max_length=MAX_ACTIVITY_LENGTH, strip=True
                    )
                    self.fields[f"activity_{n}"].error_messages["required"] = "Name at least one activity."
                    self.fields[f"rating_{n}"] = _scale_field(measure, f"How well you can do activity {n} today",
                                                              required=False)  # fmt: skip
        else:
            for item in measure.item_list:
                self.fields[f"item_{item.position}"] = _scale_field(
                    measure, item.text, required=True, words=item.answers
                )
                self.worded = self.worded or bool(item.answers)

    def rows(self):
        """(activity field or None, rating field) per line, for the template."""
        if self.measure.kind != MeasureKind.PATIENT_SPECIFIC or self.activities:
            return [(None, field) for field in self]
        return [(self[f"activity_{n}"], self[f"rating_{n}"]) for n in range(1, (self.measure.max_items or 1) + 1)]

    def clean(self):
        data = super().clean()
        if self.measure.kind == MeasureKind.PATIENT_SPECIFIC and not self.activities:
            for n in range(1, (self.measure.max_items or 1) + 1):
                activity, rating = data.get(f"activity_{n}"), data.get(f"rating_{n}")
                if activity and rating is None and f"rating_{n}" not in self.errors:
                    self.add_error(f"rating_{n}", f"Rate “{activity}” from {self.measure.scale_min} to "
                                                  f"{self.measure.scale_max}.")  # fmt: skip
                if rating is not None and not activity and f"activity_{n}" not in self.errors:
                    self.add_error(f"activity_{n}", "Name the activity you rated.")
        return data

    def answers(self) -> tuple[list[int], list[str]]:
        """(answers, activities) as sessions.outcomes.outcome_record takes them."""
        data = self.cleaned_data
        if self.measure.kind != MeasureKind.PATIENT_SPECIFIC:
            return [data[f"item_{item.position}"] for item in self.measure.item_list], []
        if self.activities:
            return [data[f"rating_{n}"] for n in range(1, len(self.activities) + 1)], self.activities
        named = [n for n in range(1, (self.measure.max_items or 1) + 1) if data.get(f"activity_{n}")]
        return [data[f"rating_{n}"] for n in named], [data[f"activity_{n}"] for n in named]


class SelfBookingDayForm(forms.Form):
    """Which day's free times the self-booking page shows (`?day=`); anything else shows the first."""

    day = forms.DateField(required=False, validators=[BOOKING_WINDOW])


class SelfBookingForm(forms.Form):
    """The free time the patient chose; the self-booking services judge it again."""

    slot = SlotField(widget=forms.HiddenInput, error_messages={"required": "Choose one of the free times shown."})


class ContactChannelForm(forms.Form):
    """How the patient wants reminders and offers: by e-mail or by text message."""

    contact_channel = forms.ChoiceField(
        label="Send me reminders and offers by",
        choices=ContactChannel.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose e-mail or text message (SMS)."},
    )
