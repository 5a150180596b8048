"""The manager's audit-log filter."""

import datetime as dt

from auditlog.models import LogEntry
from django import forms
from django.db.models import Q
from django.utils import timezone

from clinic.audit import BREAK_GLASS, OUTCOMES, REFUSED, VIEW
from clinic.date_windows import CALENDAR_WINDOW

WRITES = {"create": LogEntry.Action.CREATE, "update": LogEntry.Action.UPDATE, "delete": LogEntry.Action.DELETE}
ACTION_CHOICES = [
    ("", "Any action"),
    (VIEW, "Read"),
    (BREAK_GLASS, "Emergency access"),
    ("create", "Created"),
    ("update", "Changed"),
    ("delete", "Deleted"),
]


class AuditFilterForm(forms.Form):
    user = forms.CharField(required=False, label="User name")
    patient = forms.IntegerField(required=False, min_value=1, label="Patient number")
    action = forms.ChoiceField(required=False, choices=ACTION_CHOICES)
    outcome = forms.ChoiceField(required=False, choices=[("", "Any outcome"), *[(o, o.capitalize()) for o in OUTCOMES]])
    # Windowed (clinic.date_windows) so a day at the calendar's edge is a form error, not an
    # overflow when it becomes a time.
    since = forms.DateField(
        required=False,
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[CALENDAR_WINDOW],
    )
    until = forms.DateField(
        required=False,
        label="To",
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[CALENDAR_WINDOW],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"

    def filter(self, entries):
        data = self.cleaned_data
        if data["user"]:
            entries = entries.filter(actor__username__icontains=data["user"].strip())
        if data["patient"]:
            entries = entries.filter(additional_data__patient_id=data["patient"])
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
