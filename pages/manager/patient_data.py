"""A patient's data (GDPR articles 15, 17 and 20), the manager's only: the page that offers the
copy of everything held on them, as JSON to download and as a readable document to print, and
their erasure once the retention period is over. Every copy handed out is logged (who, which
patient, which format); what is in it, and what erasure does, is the domain's
(sessions.patient_export, sessions.patient_erasure)."""

import json

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from clinic import roles
from clinic.audit import EXPORT, audit_access
from clinic.refusals import Refused
from clinic.replica import view_reads_may_lag
from pages.manager.forms import ERASE_WORD, PatientEraseForm
from pages.refusals import refusal_on_form
from pages.roles import role_required
from pages.routes import Routes
from patients.models import Patient
from sessions.patient_erasure import (
    patient_erase as patient_erase_service,
)
from sessions.patient_erasure import (
    patient_erased_entry,
    patient_erasure_problems,
    patient_retention,
    retention_years,
)
from sessions.patient_export import patient_document, patient_export

routes = Routes()

JSON = "json"
HTML = "html"


def _attachment(response: HttpResponse, patient: Patient, extension: str) -> HttpResponse:
    filename = f"patient-{patient.pk}-data-{timezone.localdate():%Y-%m-%d}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _handed_out(request, pk: int, kind: str) -> Patient:
    """The patient whose copy is asked for, and the audit entry that says who took it in which format."""
    patient = get_object_or_404(Patient, pk=pk)
    audit_access(request=request, patient=patient, action=EXPORT, detail=kind)
    return patient


def _page(request, patient: Patient, form: PatientEraseForm, status: int = 200):
    context = {
        "page_title": gettext("Data of %(patient)s") % {"patient": patient},
        "patient": patient,
        "form": form,
        "erase_word": ERASE_WORD,
        "erased": patient_erased_entry(patient),
        "problems": patient_erasure_problems(patient),
        "retention": patient_retention(patient),
        "retention_years": retention_years(),
    }
    return render(request, "manager/patient_data.html", context, status=status)


@routes("manager/patients/<int:pk>/data/")
@require_GET
@role_required(roles.MANAGER)
def patient_data(request, pk: int):
    patient = get_object_or_404(Patient, pk=pk)
    return _page(request, patient, PatientEraseForm())


@routes("manager/patients/<int:pk>/data/export.json")
@require_GET
@role_required(roles.MANAGER)
@view_reads_may_lag
def patient_data_json(request, pk: int):
    patient = _handed_out(request, pk, JSON)
    body = json.dumps(patient_export(patient=patient), cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
    return _attachment(HttpResponse(body, content_type="application/json; charset=utf-8"), patient, JSON)


@routes("manager/patients/<int:pk>/data/document/")
@require_GET
@role_required(roles.MANAGER)
@view_reads_may_lag
def patient_data_document(request, pk: int):
    """The readable copy; ?download=1 saves it as a file instead of showing it."""
    patient = _handed_out(request, pk, HTML)
    context = {**patient_document(patient=patient), "exported_at": timezone.now()}
    response = render(request, "manager/patient_document.html", context)
    return _attachment(response, patient, HTML) if request.GET.get("download") else response


@routes("manager/patients/<int:pk>/erase/")
@require_POST
@role_required(roles.MANAGER)
def patient_erase(request, pk: int):
    form = PatientEraseForm(request.POST)
    patient = get_object_or_404(Patient, pk=pk)
    try:
        if form.is_valid():
            patient_erase_service(patient=patient, by=request.user)
    except Refused as error:
        refusal_on_form(form, error)
    if form.errors:
        return _page(request, patient, form)
    messages.success(
        request,
        gettext("The record of patient %(number)s is erased; the audit log keeps the trail.") % {"number": patient.pk},
    )
    return redirect("manager:patient_data", pk=patient.pk)
