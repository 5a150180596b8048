from django import forms
from django.utils.translation import gettext, gettext_lazy

from clinic.date_windows import BOOKING_WINDOW
from outcomes.models import Measure, MeasureKind
from pages.booking.forms import SlotField
from pages.text_limits import TextLimitsShown
from patients.consent import TYPED_NAME_MAX_LENGTH
from patients.intake import Answer
from patients.models import ANSWER_DETAIL_MAX_LENGTH, ContactChannel, FlagKind
from sessions.outcomes import MAX_ACTIVITY_LENGTH


class PortalCancelForm(TextLimitsShown, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason (optional)"),
        required=False,
        max_length=200,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("The clinic reads it; you do not have to give one."),
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
        error_messages={"required": gettext("Choose an answer.")},
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
                        label=gettext("Activity %(number)d") % {"number": n},
                        required=n == 1,
                        max_length=MAX_ACTIVITY_LENGTH,
                        strip=True,
                    )
                    self.fields[f"activity_{n}"].error_messages["required"] = gettext("Name at least one activity.")
                    rating_label = gettext("How well you can do activity %(number)d today") % {"number": n}
                    self.fields[f"rating_{n}"] = _scale_field(measure, rating_label, required=False)
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
                    self.add_error(
                        f"rating_{n}",
                        gettext("Rate “%(activity)s” from %(lowest)s to %(highest)s.")
                        % {"activity": activity, "lowest": self.measure.scale_min, "highest": self.measure.scale_max},
                    )
                if rating is not None and not activity and f"activity_{n}" not in self.errors:
                    self.add_error(f"activity_{n}", gettext("Name the activity you rated."))
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

    slot = SlotField(
        widget=forms.HiddenInput, error_messages={"required": gettext_lazy("Choose one of the free times shown.")}
    )


class ContactChannelForm(forms.Form):
    """How the patient wants reminders and offers: by e-mail or by text message."""

    contact_channel = forms.ChoiceField(
        label=gettext_lazy("Send me reminders and offers by"),
        choices=ContactChannel.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": gettext_lazy("Choose e-mail or text message (SMS).")},
    )


# Intake and consent, in the portal and on the reception tablet (pages/portal/intake_consent.py,
# pages/reception/kiosk.py) --------------------------------------------------------------------------

YES_NO = [("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]


class IntakeForm(forms.Form):
    """The intake questionnaire as the patient fills it in: yes or no to each question, and the
    detail a question asks for with a yes. `version` is the version shown, so that answers to
    questions changed meanwhile are refused (patients.intake.intake_submit)."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.intake_version = version
        self.initial.setdefault("version", version.pk)
        for question in version.question_list:
            self.fields[f"answer_{question.pk}"] = forms.ChoiceField(
                label=question.text,
                choices=YES_NO,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                error_messages={"required": gettext("Answer yes or no.")},
            )
            if question.detail_label:
                self.fields[f"detail_{question.pk}"] = forms.CharField(
                    label=question.detail_label,
                    required=False,
                    max_length=ANSWER_DETAIL_MAX_LENGTH,
                    help_text=gettext("Only if you answered yes."),
                    widget=forms.TextInput(attrs={"class": "form-control"}),
                )

    def rows(self):
        """(answer field, detail field or None) per question, for the template."""
        return [
            (self[f"answer_{q.pk}"], self[f"detail_{q.pk}"] if f"detail_{q.pk}" in self.fields else None)
            for q in self.intake_version.question_list
        ]

    def clean(self):
        data = super().clean()
        for question in self.intake_version.question_list:
            detail_name = f"detail_{question.pk}"
            if (
                question.proposes == FlagKind.OIL_ALLERGY
                and data.get(f"answer_{question.pk}") == "yes"
                and not (data.get(detail_name) or "").strip()
                and detail_name not in self.errors
            ):
                self.add_error(detail_name, gettext("You answered yes: %(detail)s") % {"detail": question.detail_label})
        return data

    def answers(self) -> dict[int, Answer]:
        data = self.cleaned_data
        return {
            q.pk: Answer(yes=data[f"answer_{q.pk}"] == "yes", detail=data.get(f"detail_{q.pk}") or "")
            for q in self.intake_version.question_list
        }


class ConsentSignForm(forms.Form):
    """Signing a consent: the full name typed and a tick. `version` is the version shown."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    typed_name = forms.CharField(
        label=gettext_lazy("Your full name"),
        max_length=TYPED_NAME_MAX_LENGTH,
        help_text=gettext_lazy("Your first and last name, as the clinic has them."),
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "name"}),
    )
    agreed = forms.BooleanField(
        label=gettext_lazy("I have read this text and I agree to it."),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        error_messages={"required": gettext_lazy("Tick the box to say you have read the text and agree to it.")},
    )
