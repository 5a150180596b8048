"""Emergency ("break-glass") access to a chart: a therapist who does not treat the patient may
open the chart only by giving a reason, which is kept and shown to the manager.

The chart and record views raise BreakGlassRequired instead of a bare PermissionDenied for a
therapist; the project's 403 handler turns it into the page with the form (still a 403).
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults
from django.views.decorators.http import require_POST

from clinic import roles
from clinic.audit import BREAK_GLASS, audit_access, client_address
from clinic.decorators import role_required
from patients import services as patient_services
from patients.models import Patient


class BreakGlassRequired(PermissionDenied):
    """A therapist asked for the record of a patient they do not treat."""

    def __init__(self, patient: Patient):
        super().__init__("Does not treat the patient.")
        self.patient = patient


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label="Emergency access: give the reason",
        min_length=patient_services.BREAK_GLASS_MIN_REASON,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept with your name and shown to the practice manager.",
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


def _page(request, patient: Patient, form: BreakGlassForm):
    context = {"patient": patient, "form": form, "hours": settings.CLINIC_BREAK_GLASS_HOURS}
    return render(request, "sessions/break_glass.html", context, status=403)


def permission_denied(request, exception=None):
    """The project's 403 handler: the break-glass form for a therapist refused a chart, Django's
    own 403 page (templates/403.html) for everything else."""
    if isinstance(exception, BreakGlassRequired):
        return _page(request, exception.patient, BreakGlassForm(initial={"next": request.get_full_path()}))
    return defaults.permission_denied(request, exception)


def _next_url(request, next_url: str, patient: Patient) -> str:
    # A path on this site only: redirect() would take a bare word ("0", "home") for a URL name.
    if next_url.startswith("/") and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return next_url
    return reverse("sessions:patient_chart", args=[patient.pk])


@require_POST
@role_required(roles.THERAPIST)
def break_glass_open(request, pk: int):
    patient = get_object_or_404(Patient, pk=pk)
    form = BreakGlassForm(request.POST)
    if form.is_valid():
        try:
            access = patient_services.break_glass_open(
                user=request.user,
                patient=patient,
                reason=form.cleaned_data["reason"],
                address=client_address(request),
            )
        except ValidationError as error:
            form.add_error("reason" if hasattr(error, "error_dict") else None, error)
        else:
            audit_access(request=request, patient=patient, obj=access, action=BREAK_GLASS, detail=access.reason)
            until = date_format(timezone.localtime(access.expires_at), r"j F \a\t H:i")
            messages.warning(
                request,
                f"Emergency access to the chart of {patient} until {until}. The practice manager reviews it.",
            )
            return redirect(_next_url(request, form.cleaned_data["next"], patient))
    return _page(request, patient, form)
