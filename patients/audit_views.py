"""The manager's review of the audit log: who read or changed which patient's record, who was
refused, and every emergency (break-glass) access to a chart. Read-only: nothing here, nor
anywhere else in the app, changes or deletes an entry."""

import datetime as dt

from auditlog.models import LogEntry
from django import forms
from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from clinic import roles
from clinic.audit import BREAK_GLASS, OUTCOMES, REFUSED, VIEW
from clinic.decorators import role_required
from patients.models import BreakGlassAccess, Patient

PAGE_SIZE = 50
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
    # Bounded so a day at the calendar's edge is a form error, not an overflow when it becomes a time.
    since = forms.DateField(
        required=False,
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[MinValueValidator(dt.date(1900, 1, 1)), MaxValueValidator(dt.date(9000, 12, 31))],
    )
    until = forms.DateField(
        required=False,
        label="To",
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[MinValueValidator(dt.date(1900, 1, 1)), MaxValueValidator(dt.date(9000, 12, 31))],
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


def _describe(entry: LogEntry, patients: dict[int, Patient]) -> None:
    data = entry.additional_data or {}
    entry.patient = patients.get(data.get("patient_id"))
    entry.patient_id = data.get("patient_id")
    entry.outcome = data.get("outcome", "allowed")
    if entry.action == LogEntry.Action.ACCESS:
        entry.what = "Emergency access" if data.get("action") == BREAK_GLASS else "Read"
        entry.detail = data.get("detail") or f"{data.get('method', '')} {data.get('path', '')}".strip()
    else:
        entry.what = {0: "Created", 1: "Changed", 2: "Deleted"}.get(entry.action, "")
        entry.detail = ", ".join(sorted((entry.changes_dict or {}).keys()))


@require_GET
@role_required(roles.MANAGER)
def audit_log(request):
    form = AuditFilterForm(request.GET or None)
    entries = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-pk")
    if form.is_bound and form.is_valid():
        entries = form.filter(entries)
    elif form.is_bound:
        entries = entries.none()
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    ids = {(e.additional_data or {}).get("patient_id") for e in page.object_list} - {None}
    patients = Patient.objects.in_bulk([i for i in ids if isinstance(i, int)])
    for entry in page.object_list:
        _describe(entry, patients)
    return render(request, "patients/audit_log.html", {"form": form, "page": page})


@require_GET
@role_required(roles.MANAGER)
def break_glass_list(request):
    accesses = BreakGlassAccess.objects.select_related("user", "patient").order_by("-created_at", "-pk")
    page = Paginator(accesses, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "patients/break_glass_list.html", {"page": page, "now": timezone.now()})
