"""The forms of the clinic's editors: they read what was typed into types; whether it makes
sense (and whether it strands a booked session) is the services' to say (clinic.services,
patients.services), so the admin, a command and these pages refuse alike."""

from django import forms
from django.utils.translation import gettext, gettext_lazy

from clinic.date_windows import CLOSURE_WINDOW
from clinic.models import Cadence, ClosureKind, Location, Modality, Therapist, Weekday
from clinic.services import ClosureSpec, CourseDefaults, HoursBlock
from pages.date_inputs import DATE_INPUT_FORMATS, date_widget
from patients.models import FlagKind, RuleCondition, RuleEffect

# Bounds that only keep absurd numbers out of the arithmetic; the services say the real limits.
SMALL_NUMBER = {"min_value": 0, "max_value": 10_000}


class EditorForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.CheckboxSelectMultiple):
                continue
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select"
            else:
                widget.attrs["class"] = "form-control"


BIGGEST_ID = 2**63 - 1


class ModelsChoiceField(forms.ModelMultipleChoiceField):
    """Several rows by id; an id no database column holds (beyond 64 bits) is "not one of the
    available choices" like any other wrong id, not a query SQLite cannot run."""

    def _check_values(self, value):
        for pk in value if isinstance(value, (list, tuple)) else []:
            text = str(pk).strip()
            if text.lstrip("-").isdigit() and abs(int(text)) > BIGGEST_ID:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                )
        return super()._check_values(value)


def _modalities_field(**kwargs) -> forms.ModelMultipleChoiceField:
    return ModelsChoiceField(
        queryset=Modality.objects.order_by("name"), required=False, widget=forms.CheckboxSelectMultiple, **kwargs
    )


class LocationForm(EditorForm):
    name = forms.CharField(max_length=200, label=gettext_lazy("Name"))
    address = forms.CharField(
        max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}), label=gettext_lazy("Address")
    )

    @staticmethod
    def initial_of(location: Location) -> dict:
        return {"name": location.name, "address": location.address}


class TherapistForm(EditorForm):
    modalities = _modalities_field(
        label=gettext_lazy("Qualifications"), help_text=gettext_lazy("The modalities she or he gives.")
    )
    calendar_colour = forms.CharField(
        max_length=20, widget=forms.TextInput(attrs={"type": "color"}), label=gettext_lazy("Calendar colour")
    )
    active = forms.BooleanField(
        required=False, label=gettext_lazy("Active"), help_text=gettext_lazy("Works here: bookable, on the day board.")
    )

    @staticmethod
    def initial_of(therapist: Therapist) -> dict:
        return {
            "modalities": list(therapist.modalities.all()),
            "calendar_colour": therapist.calendar_colour,
            "active": therapist.active,
        }


class RoomForm(EditorForm):
    name = forms.CharField(max_length=200, label=gettext_lazy("Name"))
    location = forms.ModelChoiceField(
        queryset=Location.objects.order_by("name"), label=gettext_lazy("Site"), required=False
    )
    modalities = _modalities_field(
        label=gettext_lazy("Modalities"), help_text=gettext_lazy("What the room is set up for.")
    )
    active = forms.BooleanField(
        required=False,
        initial=True,
        label=gettext_lazy("Active"),
        help_text=gettext_lazy("In use: bookable, on the day board."),
    )

    @staticmethod
    def initial_of(room) -> dict:
        return {
            "name": room.name,
            "location": room.location,
            "modalities": list(room.modalities.all()),
            "active": room.active,
        }


class ModalityForm(EditorForm):
    name = forms.CharField(max_length=200, label=gettext_lazy("Name"))
    session_minutes = forms.IntegerField(label=gettext_lazy("Minutes a session"), **SMALL_NUMBER)
    course_min_sessions = forms.IntegerField(label=gettext_lazy("Sessions in a course, at least"), **SMALL_NUMBER)
    course_max_sessions = forms.IntegerField(label=gettext_lazy("Sessions in a course, at most"), **SMALL_NUMBER)
    cadence = forms.ChoiceField(choices=Cadence.choices, label=gettext_lazy("How sessions are spread"))
    sessions_per_week = forms.IntegerField(
        required=False,
        label=gettext_lazy("Sessions per week"),
        help_text=gettext_lazy("Only for “a number of sessions per week”."),
        **SMALL_NUMBER,
    )
    uses_oils = forms.BooleanField(required=False, label=gettext_lazy("Uses massage oil or cream"))
    description = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=gettext_lazy("Description"),
    )
    active = forms.BooleanField(
        required=False,
        initial=True,
        label=gettext_lazy("Active"),
        help_text=gettext_lazy("Offered for new courses and bookings."),
    )

    DEFAULTS = ("session_minutes", "course_min_sessions", "course_max_sessions", "cadence", "sessions_per_week")

    @classmethod
    def initial_of(cls, modality: Modality) -> dict:
        names = ("name", *cls.DEFAULTS, "uses_oils", "description", "active")
        return {name: getattr(modality, name) for name in names}

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "defaults": CourseDefaults(**{name: data[name] for name in self.DEFAULTS}),
            "uses_oils": data["uses_oils"],
            "description": data["description"],
            "active": data["active"],
        }


class ClosureForm(EditorForm):
    kind = forms.ChoiceField(choices=ClosureKind.choices, label=gettext_lazy("Kind"))
    starts_on = forms.DateField(
        label=gettext_lazy("From"), input_formats=DATE_INPUT_FORMATS, widget=date_widget(), validators=[CLOSURE_WINDOW]
    )
    ends_on = forms.DateField(
        label=gettext_lazy("To"), input_formats=DATE_INPUT_FORMATS, widget=date_widget(), validators=[CLOSURE_WINDOW]
    )
    reason = forms.CharField(max_length=1000, label=gettext_lazy("Reason"))
    therapist = forms.ModelChoiceField(
        queryset=Therapist.objects.select_related("user"),
        required=False,
        empty_label=gettext_lazy("The whole clinic"),
        label=gettext_lazy("Therapist"),
        help_text=gettext_lazy("One therapist's leave; empty when the whole clinic closes (or opens on a holiday)."),
    )

    @staticmethod
    def initial_of(closure) -> dict:
        names = ("kind", "starts_on", "ends_on", "reason", "therapist")
        return {name: getattr(closure, name) for name in names}

    def spec(self) -> ClosureSpec:
        return ClosureSpec(**self.cleaned_data)


class RuleForm(EditorForm):
    condition = forms.ChoiceField(
        choices=RuleCondition.choices,
        label=gettext_lazy("The rule looks for"),
        initial=RuleCondition.HEALTH_FLAG,
        required=False,
        help_text=gettext_lazy(
            "“No current consent”: the patient has not signed the current version of a consent the "
            "modality needs (Consents)."
        ),
    )
    flag_kind = forms.ChoiceField(
        choices=[("", gettext_lazy("– (a rule about consent)"))] + list(FlagKind.choices),
        label=gettext_lazy("The health flag"),
        required=False,
    )
    modality = forms.ModelChoiceField(
        queryset=Modality.objects.order_by("name"),
        required=False,
        empty_label=gettext_lazy("Every modality"),
        label=gettext_lazy("Modality"),
    )
    oil_modalities_only = forms.BooleanField(required=False, label=gettext_lazy("Only modalities that use oil"))
    effect = forms.ChoiceField(choices=RuleEffect.choices, label=gettext_lazy("Effect"))
    message = forms.CharField(
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=gettext_lazy("Message"),
        help_text=gettext_lazy("What staff read."),
    )
    active = forms.BooleanField(required=False, initial=True, label=gettext_lazy("Active"))

    def clean_condition(self) -> str:
        return self.cleaned_data["condition"] or RuleCondition.HEALTH_FLAG

    @staticmethod
    def initial_of(rule) -> dict:
        names = ("condition", "flag_kind", "modality", "oil_modalities_only", "effect", "message", "active")
        return {name: getattr(rule, name) for name in names}


# The weekly grid --------------------------------------------------------------------------------

BLOCKS_A_DAY = 3  # two breaks a day; a day with more blocks shows one empty slot beyond them


class WeekForm(forms.Form):
    """A therapist's week: for each weekday a few blocks (from, to, site). Two blocks on a day
    leave a break between them; an empty block is none."""

    def __init__(self, *args, blocks_a_day: int = BLOCKS_A_DAY, locations: list[Location], **kwargs):
        super().__init__(*args, **kwargs)
        self.blocks_a_day = blocks_a_day
        self.locations = locations
        for weekday in Weekday:
            for i in range(blocks_a_day):
                block = {"day": weekday.label, "number": i + 1}
                attrs = {"type": "time", "class": "form-control form-control-sm", "step": 300}
                self.fields[f"d{weekday}_{i}_starts"] = forms.TimeField(
                    required=False,
                    label=gettext("%(day)s, block %(number)s: from") % block,
                    widget=forms.TimeInput(attrs=attrs, format="%H:%M"),
                )
                self.fields[f"d{weekday}_{i}_ends"] = forms.TimeField(
                    required=False,
                    label=gettext("%(day)s, block %(number)s: to") % block,
                    widget=forms.TimeInput(attrs=attrs, format="%H:%M"),
                )
                self.fields[f"d{weekday}_{i}_location"] = forms.ModelChoiceField(
                    queryset=Location.objects.order_by("name"),
                    required=False,
                    empty_label=None,
                    label=gettext("%(day)s, block %(number)s: site") % block,
                    widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
                )

    @staticmethod
    def initial_of(rows) -> tuple[dict, int]:
        """The form's initial values from a therapist's WorkingHours rows, and how many blocks a
        day it needs to show them (and one empty block more than the busiest day)."""
        by_day: dict[int, list] = {}
        for row in sorted(rows, key=lambda r: (r.weekday, r.starts)):
            by_day.setdefault(row.weekday, []).append(row)
        initial = {}
        for weekday, day in by_day.items():
            for i, row in enumerate(day):
                initial[f"d{weekday}_{i}_starts"] = row.starts
                initial[f"d{weekday}_{i}_ends"] = row.ends
                initial[f"d{weekday}_{i}_location"] = row.location_id
        busiest = max((len(day) for day in by_day.values()), default=0)
        return initial, max(BLOCKS_A_DAY, busiest + 1)

    def days(self):
        """For the template: each weekday with its blocks' (from, to, site) bound fields."""
        for weekday in Weekday:
            blocks = [
                (self[f"d{weekday}_{i}_starts"], self[f"d{weekday}_{i}_ends"], self[f"d{weekday}_{i}_location"])
                for i in range(self.blocks_a_day)
            ]
            yield weekday, blocks

    def clean(self):
        data = super().clean()
        for weekday in Weekday:
            for i in range(self.blocks_a_day):
                starts, ends = data.get(f"d{weekday}_{i}_starts"), data.get(f"d{weekday}_{i}_ends")
                if (starts is None) != (ends is None) and not self.has_error(f"d{weekday}_{i}_starts"):
                    self.add_error(
                        None,
                        gettext("%(day)s, block %(number)s: give both the start and the end.")
                        % {"day": weekday.label, "number": i + 1},
                    )
        return data

    def blocks(self) -> list[HoursBlock]:
        data, default = self.cleaned_data, self.locations[0] if self.locations else None
        blocks = []
        for weekday in Weekday:
            for i in range(self.blocks_a_day):
                starts, ends = data.get(f"d{weekday}_{i}_starts"), data.get(f"d{weekday}_{i}_ends")
                if starts is not None and ends is not None:
                    location = data.get(f"d{weekday}_{i}_location") or default
                    blocks.append(HoursBlock(int(weekday), starts, ends, location))
        return blocks
