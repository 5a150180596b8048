"""Emergency ("break-glass") access to a chart: a therapist who does not treat the patient may
open the chart only by giving a reason, which is kept and shown to the manager.

The chart and record views raise BreakGlassRequired instead of a bare PermissionDenied for a
therapist; the project's 403 handler (permission_denied, named in clinic.urls) turns it into the
page with the form (still a 403).
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.views import defaults
from django.views.decorators.http import require_POST

from clinic import roles
from clinic.audit import BREAK_GLASS, audit_access, client_address
from pages.chart.forms import BreakGlassForm
from pages.http import safe_next_url
from pages.roles import role_required
from pages.routes import Routes
from patients import services as patient_services
from patients.models import Patient

routes = Routes()


class BreakGlassRequired(PermissionDenied):
    """A therapist asked for the record of a patient they do not treat."""

    def __init__(self, patient: Patient):
        super().__init__("Does not treat the patient.")
        self.patient = patient


def _page(request, patient: Patient, form: BreakGlassForm):
    context = {"patient": patient, "form": form, "hours": settings.CLINIC_BREAK_GLASS_HOURS}
    return render(request, "chart/break_glass.html", context, status=403)


def permission_denied(request, exception=None):
    """The project's 403 handler: the break-glass form for a therapist refused a chart, Django's
    own 403 page (templates/403.html) for everything else."""
    if isinstance(exception, BreakGlassRequired):
        return _page(request, exception.patient, BreakGlassForm(initial={"next": request.get_full_path()}))
    return defaults.permission_denied(request, exception)


@routes("therapist/patients/<int:pk>/emergency-access/")
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
            until = timezone.localtime(access.expires_at)
            messages.warning(
                request,
                gettext(
                    "Emergency access to the chart of %(patient)s until %(day)s at %(time)s. "
                    "The practice manager reviews it."
                )
                % {"patient": patient, "day": date_format(until, gettext("j F")), "time": date_format(until, "H:i")},
            )
            chart_url = reverse("chart:patient_chart", args=[patient.pk])
            return redirect(safe_next_url(request, form.cleaned_data["next"], chart_url))
    return _page(request, patient, form)
