"""Booking's forms: a session, a course series, a move, a cancellation, and the free-slot search.
They validate what was typed; the booking services in sessions decide."""

import datetime as dt

from django import forms
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_lazy

from clinic.date_windows import BOOKING_WINDOW, CALENDAR_WINDOW, aware_or_invalid
from clinic.models import Location, Modality, Room, Therapist
from clinic.setup_lists import active_modalities, active_therapist_names, sites, therapist_and_room, therapist_names
from pages.date_inputs import date_widget
from pages.text_limits import TextLimitsShown
from patients.models import Patient
from sessions.availability import on_slot_grid, qualified_therapists, suited_rooms
from sessions.models import Course, CourseStatus


class Select(forms.Select):
    """Django's select, written in Python instead of through a template per option: the same
    HTML as django/forms/widgets/select.html, select_option.html and attrs.html, byte for byte
    (tests/pages/booking/test_booking_select.py compares them). Sixty therapists' options took
    each an include of two templates, a fifth of the booking page's time (docs/PERFORMANCE.md).
    The name stays "Select": crispy-forms gives a widget its class name as a CSS class."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        html = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                html.append(f'\n  <optgroup label="{_text(group_name)}">')
            for option in options:
                html.append(
                    f'\n  <option value="{conditional_escape(str(option["value"]))}"{_attrs(option["attrs"])}>'
                    f"{_text(option['label'])}</option>\n"
                )
            if group_name:
                html.append("\n  </optgroup>")
        html.append("\n</select>")
        return mark_safe("".join(html))


def _text(value) -> str:
    """What {{ value }} writes: localized unless a string, then escaped."""
    if not isinstance(value, str | Promise):
        value = formats.localize(value)
    return conditional_escape(value)


def _attrs(attrs: dict) -> str:
    """What django/forms/widgets/attrs.html writes."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class ListedChoices(forms.models.ModelChoiceIterator):
    """The options from the rows the field lists (ListChoiceField.listed): Django's own iterator
    opens a server-side cursor on PostgreSQL (DECLARE, FETCH, CLOSE) each time, which costs more
    than the few dozen rows of these lists, and keeps nothing."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.field.listed():
            yield self.choice(obj)

    def __len__(self):
        return len(self.field.listed()) + (self.field.empty_label is not None)

    def __bool__(self):
        return len(self) > 0


class TherapistChoices(ListedChoices):
    """The therapists' options from their names alone (clinic.setup_lists.therapist_names;
    tests/pages/booking/test_booking_select.py holds the labels to Therapist.__str__)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.field.listed()


class ListChoiceField(forms.ModelChoiceField):
    """A choice from a short list (rooms, modalities, sites, a patient's courses), shown as a
    select written in Python, its rows read once per form: the choice sent is looked up among
    the rows the select lists, not with a query of its own.

    `kept`: where the rows come from instead of the queryset, a list kept by the set-up cache
    (clinic.setup_lists); setting another queryset (a form narrowing the list) drops it."""

    widget = Select
    iterator = ListedChoices

    def __init__(self, *args, kept=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kept = kept

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)  # sets the queryset again, which drops `kept`
        result.kept, result._listed = self.kept, None
        return result

    def _set_queryset(self, queryset):
        self.kept = self._listed = None
        super()._set_queryset(queryset)

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)

    def listed(self):
        """The rows offered, read once per form."""
        if self._listed is None:
            self._listed = self._rows()
        return self._listed

    def _rows(self):
        return self.kept() if self.kept else list(self.queryset)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        for row in self.listed():  # the select lists the same rows
            if str(row.pk) == str(value):
                return row
        raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")


class TherapistChoiceField(ListChoiceField):
    """The therapists' select lists (pk, name) pairs (TherapistChoices); the one chosen is read by
    itself, as Django does, rather than sixty with their users."""

    iterator = TherapistChoices
    to_python = forms.ModelChoiceField.to_python

    def _rows(self):
        return self.kept() if self.kept else therapist_names(self.queryset)


class SlotField(forms.CharField):
    """A free slot chosen on the booking page, sent as "<ISO start>|<therapist id>|<room id>"."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            starts, therapist_id, room_id = value.split("|")
            starts_at = dt.datetime.fromisoformat(starts)
            if timezone.is_naive(starts_at):
                starts_at = timezone.make_aware(starts_at)
            therapist, room = therapist_and_room(int(therapist_id), int(room_id))
        except (ValueError, OverflowError) as error:
            raise forms.ValidationError(gettext("Choose one of the free slots shown.")) from error
        # An unknown therapist or room, or a slot at the calendar's edge, is no slot shown; a past
        # one the booking rules refuse.
        if therapist is None or room is None or not CALENDAR_WINDOW.contains(starts_at):
            raise forms.ValidationError(gettext("Choose one of the free slots shown."))
        return starts_at, therapist, room


def slot_value(starts_at: dt.datetime, therapist: Therapist, room: Room) -> str:
    return f"{starts_at.isoformat(timespec='minutes')}|{therapist.pk}|{room.pk}"


def slot_values(slots) -> list[tuple]:
    """Each free slot with its slot_value, for a day of sixty therapists' slots: each start
    written once however many therapists share it (the same text as slot_value)."""
    starts: dict[dt.datetime, str] = {}
    valued = []
    for slot in slots:
        start = starts.get(slot.starts_at)
        if start is None:
            start = starts[slot.starts_at] = slot.starts_at.isoformat(timespec="minutes")
        valued.append((slot, f"{start}|{slot.therapist.id}|{slot.room.id}"))
    return valued


class PatientShownField(forms.Field):
    """The patient the page was opened for, sent back in a hidden input: the page has read them
    already, by the same value, so it is compared rather than read again."""

    widget = forms.HiddenInput

    def __init__(self, patient: Patient, **kwargs):
        super().__init__(**kwargs)
        self.patient = patient

    def to_python(self, value):
        try:
            if int(value) == self.patient.pk:
                return self.patient
        except (TypeError, ValueError):
            pass
        raise forms.ValidationError(
            forms.ModelChoiceField.default_error_messages["invalid_choice"], code="invalid_choice"
        )


class BookingForm(forms.Form):
    """Who, what and with whom; the slot is chosen from the free slots for the day."""

    patient = forms.ModelChoiceField(queryset=Patient.objects.all(), widget=forms.HiddenInput)
    course = ListChoiceField(
        label=gettext_lazy("Course"),
        queryset=Course.objects.none(),
        required=False,
        empty_label=gettext_lazy("No course"),
    )
    modality = ListChoiceField(
        label=gettext_lazy("Modality"),
        queryset=Modality.objects.filter(active=True),
        kept=active_modalities,
        required=False,
        help_text=gettext_lazy("For a session outside a course."),
    )
    therapist = TherapistChoiceField(
        label=gettext_lazy("Therapist"),
        queryset=Therapist.objects.filter(active=True).select_related("user"),
        kept=active_therapist_names,
        required=False,
        empty_label=gettext_lazy("Any qualified therapist"),
    )
    location = ListChoiceField(
        queryset=Location.objects.order_by("name"),
        kept=sites,
        required=False,
        empty_label=gettext_lazy("Any site"),
        label=gettext_lazy("Site"),
    )
    # Left empty, the first day with a free slot (sessions.availability.slots_next_free).
    day = forms.DateField(
        label=gettext_lazy("Day"),
        widget=date_widget(),
        required=False,
        validators=[BOOKING_WINDOW],
        help_text=gettext_lazy("Empty: the next free day."),
    )
    slot = SlotField(required=False, widget=forms.HiddenInput)
    confirm_warnings = forms.BooleanField(
        required=False, label=gettext_lazy("I have read the warnings and the booking should go ahead.")
    )

    def __init__(self, *args, patient: Patient | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if patient is not None:
            self.fields["patient"] = PatientShownField(patient)
            self.fields["course"].queryset = patient.courses.filter(
                status__in=[CourseStatus.PLANNED, CourseStatus.ACTIVE]
            ).select_related("modality")
        # One site: nothing to choose. Otherwise the rows counted are the select's options.
        if len(self.fields["location"].listed()) < 2:
            del self.fields["location"]

    def clean(self):
        data = super().clean()
        course, modality = data.get("course"), data.get("modality")
        if course is None and modality is None:
            self.add_error("modality", gettext("Choose a course or a modality."))
        elif course is not None:
            data["modality"] = course.modality
        return data

    def require_slot(self):
        if not self.cleaned_data.get("slot"):
            self.add_error("slot", gettext("Choose one of the free slots shown."))
            return False
        return True


class CancelForm(TextLimitsShown, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=300,
        error_messages={"required": gettext_lazy("Give a reason for the cancellation.")},
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Kept with the appointment, for example: patient called in sick."),
    )


class StartsAt:
    """A form with a `day` and a `time`: the moment they make in the clinic's zone."""

    def clean(self):
        data = super().clean()
        if data.get("day") and data.get("time"):
            try:
                data["starts_at"] = aware_or_invalid(data["day"], data["time"])
            except forms.ValidationError as error:
                self.add_error("day", error)
        return data

    def starts_at(self) -> dt.datetime:
        return self.cleaned_data["starts_at"]


class RescheduleForm(StartsAt, forms.Form):
    """A new time for a session: a slot from the picker, or a day, time, therapist and room typed
    in. Only therapists qualified and rooms suited for the session's modality are offered, and a
    typed time lies on the clinic's quarter-hour grid (sessions.availability.SLOT_STEP)."""

    slot = SlotField(required=False, widget=forms.HiddenInput)
    day = forms.DateField(label=gettext_lazy("Day"), widget=date_widget(), validators=[BOOKING_WINDOW], required=False)
    time = forms.TimeField(
        label=gettext_lazy("Time"), widget=forms.TimeInput(attrs={"type": "time", "step": 900}), required=False
    )
    therapist = TherapistChoiceField(
        label=gettext_lazy("Therapist"),
        queryset=Therapist.objects.none(),
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choose one of the therapists qualified for this modality.")},
    )
    room = ListChoiceField(
        label=gettext_lazy("Room"),
        queryset=Room.objects.none(),
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choose one of the rooms suited to this modality.")},
    )
    confirm_warnings = forms.BooleanField(
        required=False, label=gettext_lazy("I have read the warnings and the booking should go ahead.")
    )

    def __init__(self, *args, modality: Modality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["therapist"].queryset = Therapist.objects.filter(
            pk__in=[t.pk for t in qualified_therapists(modality=modality)]
        ).select_related("user")
        self.fields["room"].queryset = Room.objects.filter(pk__in=[r.pk for r in suited_rooms(modality=modality)])

    def clean(self):
        data = super().clean()
        if data.get("slot"):
            data["starts_at"], data["therapist"], data["room"] = data["slot"]
            return data
        for name in ("day", "time", "therapist", "room"):
            if data.get(name) is None and name not in self.errors:
                self.add_error(name, gettext("Choose a free slot above, or fill this in."))
        if data.get("starts_at") and not on_slot_grid(data["starts_at"]):
            self.add_error("time", gettext("Choose a time on the quarter hour (:00, :15, :30 or :45)."))
        return data


class RescheduleSearchForm(forms.Form):
    """Which free slots the reschedule page's picker shows: a qualified therapist or any, a day
    (or the next free one)."""

    therapist = TherapistChoiceField(
        label=gettext_lazy("Therapist"),
        queryset=Therapist.objects.none(),
        required=False,
        empty_label=gettext_lazy("Any qualified therapist"),
    )
    day = forms.DateField(label=gettext_lazy("Day"), widget=date_widget(), validators=[BOOKING_WINDOW], required=False)
    next_free = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, modality: Modality, **kwargs):
        super().__init__(*args, **kwargs)
        ids = [t.pk for t in qualified_therapists(modality=modality)]
        self.fields["therapist"].queryset = Therapist.objects.filter(pk__in=ids).select_related("user")


class SeriesStartForm(StartsAt, forms.Form):
    """The first slot of a course series; the cadence decides the rest."""

    day = forms.DateField(widget=date_widget(), label=gettext_lazy("First day"), validators=[BOOKING_WINDOW])
    time = forms.TimeField(label=gettext_lazy("Time"), widget=forms.TimeInput(attrs={"type": "time", "step": 900}))
    therapist = TherapistChoiceField(label=gettext_lazy("Therapist"), queryset=Therapist.objects.none())
    room = ListChoiceField(label=gettext_lazy("Room"), queryset=Room.objects.none())

    def __init__(self, *args, course: Course, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["therapist"].queryset = Therapist.objects.filter(
            active=True, modalities=course.modality
        ).select_related("user")
        self.fields["room"].queryset = Room.objects.filter(active=True, modalities=course.modality)


class SlotsField(forms.MultipleChoiceField):
    """Ticked slots of a series plan. Any well-formed slot is accepted: the plan may have moved
    on since the page was drawn, and booking checks every slot again anyway."""

    def valid_value(self, value):
        return True

    def clean(self, value):
        values = super().clean(value)
        return [SlotField().clean(item) for item in values]


class SeriesConfirmForm(forms.Form):
    """The dates the receptionist keeps from the proposed plan."""

    slots = SlotsField(
        label=gettext_lazy("Slots"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Keep at least one date.")},
    )
    confirm_warnings = forms.BooleanField(
        required=False, label=gettext_lazy("I have read the warnings and the booking should go ahead.")
    )


class AvailabilityForm(forms.Form):
    """The free slots of one modality over a span of days (booking:availability)."""

    MAX_DAYS = 31

    modality = forms.ModelChoiceField(queryset=Modality.objects.filter(active=True))
    therapist = forms.ModelChoiceField(queryset=Therapist.objects.filter(active=True), required=False)
    start = forms.DateField(required=False, help_text="The first day; today when left out.")
    days = forms.IntegerField(required=False, min_value=1, max_value=MAX_DAYS, help_text="28 when left out.")

    def clean_start(self):
        start = self.cleaned_data["start"] or timezone.localdate()
        BOOKING_WINDOW(start)
        return start

    def clean_days(self):
        return self.cleaned_data["days"] or 28
