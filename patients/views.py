from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods

from clinic import roles
from clinic.decorators import role_required
from patients import services
from patients.forms import PatientForm, PatientSearchForm
from patients.models import Patient
from patients.selectors import patients_search

PATIENTS_PER_PAGE = 25
RESULTS_TARGET = "patient-results"


@require_GET
@role_required(roles.RECEPTIONIST, roles.MANAGER)
def patient_list(request):
    search = PatientSearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    page = Paginator(patients_search(query=query), PATIENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"search": search, "query": query, "page_obj": page}
    # The search box and the page links swap only the results; a history restore needs the whole page.
    partial = request.htmx and request.htmx.target == RESULTS_TARGET and not request.htmx.history_restore_request
    template = "patients/_patient_results.html" if partial else "patients/patient_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


@require_http_methods(["GET", "POST"])
@role_required(roles.RECEPTIONIST, roles.MANAGER)
def patient_create(request):
    form = PatientForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        patient = services.patient_create(**form.patient_data)
        messages.success(request, f"{patient} is registered.")
        return redirect(patient.get_absolute_url())
    return render(request, "patients/patient_create.html", {"form": form})


@require_http_methods(["GET", "POST"])
@role_required(roles.RECEPTIONIST, roles.MANAGER)
def patient_edit(request, pk: int):
    patient = get_object_or_404(Patient, pk=pk)
    form = PatientForm(request.POST if request.method == "POST" else None, patient=patient)
    if request.method == "POST" and form.is_valid():
        services.patient_update(patient=patient, **form.patient_data)
        messages.success(request, f"{patient}'s details are saved.")
        return redirect(patient.get_absolute_url())
    return render(request, "patients/patient_edit.html", {"form": form, "patient": patient})


@require_GET
@role_required(roles.RECEPTIONIST, roles.THERAPIST, roles.MANAGER)
def patient_detail(request, pk: int):
    """The patient's old address: the reception overview in the sessions app replaced the page."""
    return redirect("sessions:patient_overview", pk=pk)
