"""The intake questionnaire and consent in the patient portal, and the two forms as the reception
tablet shows them too (pages.reception.kiosk calls `intake_page` and `consent_page` with its own
patient, channel and templates).

The patient answers the questionnaire once, before the first session, and signs the current
version of each consent their treatment needs; the portal's home lists what is due. Nothing here
changes a health flag: a yes proposes one for the therapist to confirm on the chart.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from clinic.audit import audit_access
from clinic.refusals import Refused
from pages.portal.forms import ConsentSignForm, IntakeForm
from pages.portal.views import portal_view
from pages.refusals import refusal_on_form
from pages.routes import Routes
from patients.consent import consent_sign, consent_states
from patients.intake import intake_response_latest, intake_submit, intake_version_current
from patients.models import ConsentTopic, KioskSession, Patient, Via
from sessions.portal import before_treatment_due

routes = Routes()


def _by_whom(request, channel: str, kiosk: KioskSession | None, *, user_field: str) -> dict:
    """Who answered or signed, and where: the patient's own login in the portal; on the tablet,
    nobody logged in (the kiosk session says who started it)."""
    return {"channel": channel, user_field: request.user if channel == Via.PORTAL else None, "kiosk": kiosk}


def intake_page(
    request, *, patient: Patient, channel: str, template: str, done, kiosk: KioskSession | None = None, **context
):
    """The questionnaire's page for `patient`: the form, or (once answered) when it was answered.
    A valid answer set goes through patients.intake.intake_submit; `done()` is the response after."""
    version = intake_version_current()
    answered = intake_response_latest(patient=patient)
    form = None
    if version is not None and answered is None:
        form = IntakeForm(request.POST if request.method == "POST" else None, version=version)
        if request.method == "POST" and form.is_valid():
            if form.cleaned_data["version"] != version.pk:
                form.add_error(
                    None, gettext("The questions changed while you were answering them: please answer the new ones.")
                )
            else:
                try:
                    intake_submit(
                        patient=patient,
                        version=version,
                        answers=form.answers(),
                        **_by_whom(request, channel, kiosk, user_field="submitted_by"),
                    )
                except Refused as error:
                    refusal_on_form(form, error)
                else:
                    messages.success(request, gettext("Thank you: your answers are kept for your therapist."))
                    return done()
    elif request.method == "POST":
        messages.info(request, gettext("The health questions were answered already; nothing was changed."))
        return done()
    return render(request, template, {"form": form, "answered": answered, "version": version, **context})


def consent_page(
    request,
    *,
    patient: Patient,
    topic_pk: int,
    channel: str,
    template: str,
    done,
    kiosk: KioskSession | None = None,
    **context,
):
    """One consent's page for `patient`: its current text and the signing form, or when they
    signed it. A signature goes through patients.consent.consent_sign."""
    get_object_or_404(ConsentTopic, pk=topic_pk, active=True)
    state = next((s for s in consent_states(patient=patient) if s.topic.pk == topic_pk), None)
    if state is None:  # an active topic without a text yet
        messages.info(request, gettext("There is nothing to sign for this yet."))
        return done()
    form = ConsentSignForm(request.POST if request.method == "POST" else None, initial={"version": state.current.pk})
    if request.method == "POST" and form.is_valid():
        version = state.current
        if form.cleaned_data["version"] != version.pk:
            form.add_error(
                None,
                gettext(
                    "The text of the consent for %(topic)s has changed while you were reading it: "
                    "please read version %(version)s and sign that."
                )
                % {"topic": state.topic, "version": version.number},
            )
        else:
            try:
                consent_sign(
                    patient=patient,
                    version=version,
                    typed_name=form.cleaned_data["typed_name"],
                    agreed=form.cleaned_data["agreed"],
                    **_by_whom(request, channel, kiosk, user_field="signed_by"),
                )
            except Refused as error:
                refusal_on_form(form, error)
            else:
                messages.success(
                    request, gettext("Thank you: your consent for %(topic)s is signed.") % {"topic": state.topic}
                )
                return done()
    return render(request, template, {"form": form, "state": state, **context})


@routes("portal/health-questions/")
@require_http_methods(["GET", "POST"])
@portal_view
def portal_intake(request):
    if request.method == "GET":
        audit_access(request=request, patient=request.patient, detail="Patient portal: intake questionnaire.")
    return intake_page(
        request,
        patient=request.patient,
        channel=Via.PORTAL,
        template="portal/portal_intake.html",
        done=lambda: redirect("portal:portal_home"),
    )


@routes("portal/consents/")
@require_GET
@portal_view
def portal_consents(request):
    audit_access(request=request, patient=request.patient, detail="Patient portal: consents.")
    before = before_treatment_due(patient=request.patient)
    due = {state.topic.pk for state in before.consents_due}
    states = before.consents
    for state in states:
        state.is_due = state.topic.pk in due
    return render(request, "portal/portal_consents.html", {"states": states})


@routes("portal/consents/<int:pk>/")
@require_http_methods(["GET", "POST"])
@portal_view
def portal_consent_sign(request, pk: int):
    return consent_page(
        request,
        patient=request.patient,
        topic_pk=pk,
        channel=Via.PORTAL,
        template="portal/portal_consent_sign.html",
        done=lambda: redirect("portal:portal_consents"),
    )
