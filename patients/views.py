from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from clinic import roles
from clinic.decorators import role_required
from patients.models import Patient


@require_GET
@role_required(roles.RECEPTIONIST, roles.THERAPIST, roles.MANAGER)
def patient_detail(request, pk: int):
    patient = get_object_or_404(Patient, pk=pk)
    return render(request, "patients/patient_detail.html", {"patient": patient})
