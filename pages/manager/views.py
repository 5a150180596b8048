"""The manager's pages: the manager's home (today at a glance, and what needs action), the
reports with their CSV downloads, the outcome measures, and the review of the audit log and of
the emergency (break-glass) accesses. Nothing here changes or deletes an audit entry; a review is
a row of its own (patients.services.break_glass_review)."""

from auditlog.models import LogEntry
from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, pgettext, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic import roles
from clinic.audit import BREAK_GLASS, ERASE, EXPORT
from clinic.refusals import Refused
from clinic.replica import view_reads_may_lag
from outcomes.models import Measure
from outcomes.services import measure_create as measure_create_service
from pages.manager.forms import (
    SUGGESTIONS,
    AuditFilterForm,
    BreakGlassReviewForm,
    MeasureForm,
    ReportFilterForm,
    user_label,
    users_named,
)
from pages.manager.report_tables import REPORTS, csv_response, report_tables
from pages.paging import CappedPaginator
from pages.refusals import refusal_message, saved_or_refused
from pages.roles import role_required
from pages.routes import Routes
from patients.models import BreakGlassAccess, Patient
from patients.selectors import break_glass_unreviewed, patients_search
from patients.services import break_glass_review as break_glass_review_service
from sessions.models import Appointment
from sessions.notes import notes_overdue
from sessions.reports import ReportFilter, custom_plans, day_at_a_glance
from sessions.waitlist import offers_expiring

routes = Routes()

PAGE_SIZE = 50
# The home lists the first few of each kind; the count says how many there are in all.
HOME_LIST = 8


@routes("manager/")
@require_GET
@role_required(roles.MANAGER)
def manager_home(request):
    now = timezone.now()
    unreviewed = break_glass_unreviewed()
    overdue = notes_overdue(now=now)
    flagged = Appointment.objects.needing_review().select_related("patient", "therapist__user").order_by("starts_at")
    held = offers_expiring(now=now)
    context = {
        "today": day_at_a_glance(day=timezone.localdate()),
        "unreviewed": list(unreviewed[:HOME_LIST]),
        "unreviewed_count": unreviewed.count(),
        "overdue": list(overdue[:HOME_LIST]),
        "overdue_count": overdue.count(),
        "flagged": list(flagged[:HOME_LIST]),
        "flagged_count": flagged.count(),
        "held": list(held[:HOME_LIST]),
        "held_count": held.count(),
        "review_form": BreakGlassReviewForm(),
        "now": now,
    }
    return render(request, "manager/manager_home.html", {"page_title": gettext("Manager"), **context})


@routes("manager/break-glass/<int:pk>/review/")
@require_POST
@role_required(roles.MANAGER)
def break_glass_review(request, pk: int):
    access = get_object_or_404(BreakGlassAccess.objects.select_related("user", "patient"), pk=pk)
    form = BreakGlassReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Write a comment to mark the emergency access reviewed: what you checked."))
        return redirect("manager:manager_home")
    try:
        break_glass_review_service(access=access, reviewed_by=request.user, comment=form.cleaned_data["comment"])
    except Refused as error:
        refusal_message(request, error)
    else:
        messages.success(
            request,
            gettext("Marked reviewed: %(user)s opening the chart of %(patient)s.")
            % {"user": access.user.get_full_name() or access.user, "patient": access.patient},
        )
    return redirect("manager:manager_home")


@routes("manager/reports/")
@require_GET
@role_required(roles.MANAGER)
@view_reads_may_lag
def reports(request):
    """The figures for a period (the last four weeks unless chosen); with `csv=<report>`, that
    report's table as a CSV file. A bad filter shows the form with its errors and no figures."""
    params = request.GET.copy()
    for name, day in ReportFilterForm.default_period().items():
        params.setdefault(name, day.isoformat())
    form = ReportFilterForm(params, reports=list(REPORTS))
    if not form.is_valid():
        return render(request, "manager/reports.html", {"page_title": gettext("Reports"), "form": form, "tables": []})
    data = form.cleaned_data
    scope = ReportFilter(
        data["starts_on"],
        data["ends_on"],
        therapist_id=data["therapist"].pk if data["therapist"] else None,
        modality_id=data["modality"].pk if data["modality"] else None,
        location_id=data["location"].pk if data.get("location") else None,
    )
    if data["csv"]:
        with custom_plans():
            return csv_response(REPORTS[data["csv"]](scope), scope)
    tables = report_tables(scope)
    context = {"page_title": gettext("Reports"), "form": form, "tables": tables, "scope": scope}
    return render(request, "manager/reports.html", context)


@routes("manager/measures/")
@require_GET
@role_required(roles.MANAGER)
def measure_list(request):
    measures = Measure.objects.annotate(item_count=Count("items")).order_by("-active", "name")
    return render(
        request, "manager/measure_list.html", {"page_title": gettext("Outcome measures"), "measures": measures}
    )


@routes("manager/measures/new/")
@require_http_methods(["GET", "POST"])
@role_required(roles.MANAGER)
def measure_create(request):
    form = MeasureForm(request.POST if request.method == "POST" else None)
    save = lambda: measure_create_service(created_by=request.user, **form.service_arguments())  # noqa: E731
    if saved_or_refused(
        request,
        form,
        save,
        lambda m: gettext("Added %(name)s; the portal asks patients for it when it is due.") % {"name": m.name},
    ):
        return redirect("manager:measure_list")
    return render(request, "manager/measure_create.html", {"form": form})


ACCESS_WHAT = {
    BREAK_GLASS: gettext_lazy("Emergency access"),
    EXPORT: gettext_lazy("Data export"),
    ERASE: gettext_lazy("Erasure"),
}
# An entry that read a record (the audit log's "Action" column).
READ = pgettext_lazy("audit log action", "Read")


def _describe(entry: LogEntry, patients: dict[int, Patient]) -> None:
    data = entry.additional_data or {}
    entry.patient = patients.get(data.get("patient_id"))
    entry.patient_id = data.get("patient_id")
    entry.outcome = data.get("outcome", "allowed")
    if entry.action == LogEntry.Action.ACCESS:
        entry.what = ACCESS_WHAT.get(data.get("action"), READ)
        entry.detail = data.get("detail") or f"{data.get('method', '')} {data.get('path', '')}".strip()
    else:
        entry.what = {
            0: pgettext("audit log action", "Created"),
            1: pgettext("audit log action", "Changed"),
            2: pgettext("audit log action", "Deleted"),
        }.get(entry.action, "")
        # A change a service described in words (a patient's own booking: sessions.self_booking).
        entry.detail = data.get("detail") or ", ".join(_field_labels(entry))


def _field_labels(entry: LogEntry) -> list[str]:
    """The fields a change touched, by their labels in the reader's language (the entry keeps names)."""
    model = entry.content_type.model_class() if entry.content_type_id else None
    labels = []
    for name in sorted((entry.changes_dict or {}).keys()):
        try:
            labels.append(str(model._meta.get_field(name).verbose_name))
        except (AttributeError, FieldDoesNotExist):  # no model, or a field removed since
            labels.append(name)
    return labels


@routes("manager/audit/")
@require_GET
@role_required(roles.MANAGER)
def audit_log(request):
    form = AuditFilterForm(request.GET or None)
    entries = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-pk")
    if form.is_bound and form.is_valid():
        entries = form.filter(entries)
    elif form.is_bound:
        entries = entries.none()
    # Counted up to a cap: every request a user makes adds entries, for as long as the clinic runs.
    page = CappedPaginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    ids = {(e.additional_data or {}).get("patient_id") for e in page.object_list} - {None}
    patients = Patient.objects.in_bulk([i for i in ids if isinstance(i, int)])
    for entry in page.object_list:
        _describe(entry, patients)
    return render(request, "manager/audit_log.html", {"form": form, "page": page})


@routes("manager/audit/suggest/")
@require_GET
@role_required(roles.MANAGER)
def audit_suggest(request):
    """Names for the audit log's filter, as <option>s for its datalist: `?user=` or `?patient=`."""
    names: list[str] = []
    if text := request.GET.get("user", "").strip()[:150]:
        names = [user_label(user) for user in users_named(text).order_by("last_name", "first_name")[:SUGGESTIONS]]
    elif text := request.GET.get("patient", "").strip()[:100]:
        names = [f"{p.last_name}, {p.first_name}" for p in patients_search(query=text)[:SUGGESTIONS]]
    return render(request, "manager/_audit_suggestions.html", {"names": names})


@routes("manager/break-glass/")
@require_GET
@role_required(roles.MANAGER)
def break_glass_list(request):
    accesses = BreakGlassAccess.objects.select_related("user", "patient", "review__reviewed_by").order_by(
        "-created_at", "-pk"
    )
    page = Paginator(accesses, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "manager/break_glass_list.html", {"page": page, "now": timezone.now()})
