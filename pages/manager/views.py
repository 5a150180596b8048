"""The manager's pages: the manager's home, and the review of the audit log: who read or changed
which patient's record, who was refused, and every emergency (break-glass) access to a chart.
Read-only: nothing here, nor anywhere else in the app, changes or deletes an entry."""

from auditlog.models import LogEntry
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from clinic import roles
from clinic.audit import BREAK_GLASS
from pages.manager.forms import AuditFilterForm
from pages.roles import role_required
from patients.models import BreakGlassAccess, Patient

PAGE_SIZE = 50


@require_GET
@role_required(roles.MANAGER)
def manager_home(request):
    return render(request, "manager/manager_home.html")


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
    return render(request, "manager/audit_log.html", {"form": form, "page": page})


@require_GET
@role_required(roles.MANAGER)
def break_glass_list(request):
    accesses = BreakGlassAccess.objects.select_related("user", "patient").order_by("-created_at", "-pk")
    page = Paginator(accesses, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "manager/break_glass_list.html", {"page": page, "now": timezone.now()})
