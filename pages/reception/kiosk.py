"""The reception tablet in kiosk mode: the patient answers the intake questionnaire and signs
consents on it, without logging in, and nobody is left logged in.

1. Reception, logged in on the tablet, opens the patient's overview and presses "Hand the tablet
   to …" (`kiosk_start`, a confirmation page, then a POST). That POST logs reception out of the
   tablet, opens a kiosk session for that one patient (patients.kiosk: a secret of which only a
   hash is stored), and keeps the secret in the tablet's new, anonymous session. No address
   carries it, and reception's session is gone before the patient holds the tablet.
2. The kiosk pages (`kiosk_home`, `kiosk_intake`, `kiosk_consent`) answer only that anonymous
   session, only while the kiosk session is open, and show nothing of the record but the
   patient's first name: the questions, the consent texts, and what is left to do.
3. It ends when the patient presses "I have finished" (`kiosk_finish`), after
   CLINIC_KIOSK_MINUTES, or when reception starts another for the same patient; the session is
   flushed and the tablet shows the thank-you page (`kiosk_done`). Logging in on the tablet
   drops a kiosk secret from the session, and a logged-in user never reaches the kiosk pages.
"""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.audit import audit_access
from clinic.refusals import Refused
from pages.portal.intake_consent import consent_page, intake_page
from pages.refusals import refusal_message
from pages.roles import FRONT_DESK, role_required
from pages.routes import Routes
from patients.kiosk import kiosk_end, kiosk_open
from patients.kiosk import kiosk_start as kiosk_start_service
from patients.models import Patient, Via
from sessions.portal import before_treatment_due

routes = Routes()

KIOSK_SESSION_KEY = "clinic_kiosk"


@receiver(user_logged_in, dispatch_uid="clinic_kiosk_drop_on_login")
def kiosk_drop_on_login(sender, request, user, **kwargs):
    """Logging in on the tablet keeps the session's data (Django cycles its key): drop the secret."""
    if request is not None and hasattr(request, "session"):
        request.session.pop(KIOSK_SESSION_KEY, None)


@routes("reception/patients/<int:pk>/tablet/")
@require_http_methods(["GET", "POST"])
@role_required(*FRONT_DESK)
def kiosk_start(request, pk: int):
    """Hand this device to the patient: a page that says what they will fill in and that it logs
    reception out here; the POST does it."""
    patient = get_object_or_404(Patient, pk=pk)
    before = before_treatment_due(patient=patient)
    if request.method == "GET":
        context = {"patient": patient, "before": before, "kiosk_minutes": settings.CLINIC_KIOSK_MINUTES}
        return render(request, "reception/kiosk_start.html", context)
    if not before.anything:
        messages.info(
            request,
            gettext("%(patient)s has nothing to fill in: the questions are answered and the consents signed.")
            % {"patient": patient},
        )
        return redirect(patient.get_absolute_url())
    try:
        kiosk, token = kiosk_start_service(patient=patient, started_by=request.user)
    except Refused as error:
        refusal_message(request, error)
        return redirect(patient.get_absolute_url())
    audit_access(request=request, patient=patient, obj=kiosk, detail="Handed the reception tablet to the patient.")
    # Reception's session ends here, on this device; the patient gets a new, anonymous one.
    logout(request)
    request.session[KIOSK_SESSION_KEY] = token
    return redirect("reception:kiosk_home")


def kiosk_view(view):
    """Only the tablet's anonymous session with an open kiosk secret; anyone else gets the closed
    page (403). The kiosk session is in `request.kiosk`, its patient in `request.kiosk.patient`."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        kiosk = None
        if not request.user.is_authenticated:
            kiosk = kiosk_open(token=request.session.get(KIOSK_SESSION_KEY))
        if kiosk is None:
            request.session.pop(KIOSK_SESSION_KEY, None)
            context = {"kiosk_minutes": settings.CLINIC_KIOSK_MINUTES}
            return render(request, "kiosk/kiosk_closed.html", context, status=403)
        request.kiosk = kiosk
        return view(request, *args, **kwargs)

    return wrapper


def _home(request):
    return redirect("reception:kiosk_home")


def _on_the_tablet(request) -> dict:
    """What the portal's intake and consent pages need to show themselves on the tablet."""
    kiosk = request.kiosk
    return {
        "patient": kiosk.patient,
        "channel": Via.KIOSK,
        "done": lambda: _home(request),
        "kiosk": kiosk,
        "first_name": kiosk.patient.first_name,
    }


@routes("kiosk/")
@require_GET
@kiosk_view
def kiosk_home(request):
    before = before_treatment_due(patient=request.kiosk.patient)
    context = {"first_name": request.kiosk.patient.first_name, "before": before, "kiosk": request.kiosk}
    return render(request, "kiosk/kiosk_home.html", context)


@routes("kiosk/health-questions/")
@require_http_methods(["GET", "POST"])
@kiosk_view
def kiosk_intake(request):
    return intake_page(request, template="kiosk/kiosk_intake.html", **_on_the_tablet(request))


@routes("kiosk/consents/<int:pk>/")
@require_http_methods(["GET", "POST"])
@kiosk_view
def kiosk_consent(request, pk: int):
    return consent_page(request, topic_pk=pk, template="kiosk/kiosk_consent.html", **_on_the_tablet(request))


@routes("kiosk/finish/")
@require_POST
@kiosk_view
def kiosk_finish(request):
    """The patient is done: the kiosk session ends and the tablet's session is emptied."""
    kiosk_end(kiosk=request.kiosk)
    request.session.flush()
    return redirect("reception:kiosk_done")


@routes("kiosk/done/")
@require_GET
def kiosk_done(request):
    """The thank-you page: nothing of anyone, and a way back to the log-in for reception."""
    return render(request, "kiosk/kiosk_done.html", {"login_url": reverse("login")})
