"""The chart's part of intake and consent: the patient's answers to the intake questionnaire with
the health flags they propose, which the therapist confirms (recording the flag, with her as its
author) or dismisses; and what the patient signed, when, and the exact text.

The same access as the rest of the chart (pages.chart.views._check_treats): a therapist who
treats the patient, or opened the chart in an emergency, and managers.
"""

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from clinic.refusals import Refused
from pages.chart.forms import FlagProposalConfirmForm, FlagProposalDismissForm
from pages.refusals import done_or_refused, refusal_message
from pages.roles import CLINICIANS, role_required
from pages.routes import Routes
from patients.consent import ConsentState, consent_signature_intact, consent_states
from patients.intake import flag_proposal_confirm as confirm_service
from patients.intake import flag_proposal_dismiss as dismiss_service
from patients.intake import intake_response_latest, proposal_note
from patients.models import ConsentSignature, FlagKind, FlagProposal, Patient, ProposalStatus

routes = Routes()


def chart_intake_context(patient: Patient, consents: list[ConsentState] | None = None) -> dict:
    """For the chart: the latest answers with their proposals (each pending one with its confirm
    form, its oil and note filled in from the answer), and the consents' states (`consents`, when
    the chart has read them already for the booking check)."""
    response = intake_response_latest(patient=patient)
    if response is not None:
        answered = date_format(timezone.localtime(response.submitted_at), gettext("j F Y"))
        for proposal in response.proposal_list:
            if proposal.status == ProposalStatus.PENDING:
                proposal.confirm_form = FlagProposalConfirmForm(
                    initial={
                        "substance": proposal.substance,
                        "active_from": timezone.localdate(),
                        "note": proposal_note(proposal, answered),
                    },
                    auto_id=f"proposal-{proposal.pk}-%s",
                )
    return {
        "intake": response,
        "pending_proposals": [p for p in response.proposal_list if p.status == ProposalStatus.PENDING]
        if response
        else [],
        "consents": consent_states(patient=patient) if consents is None else consents,
        "oil_allergy": FlagKind.OIL_ALLERGY,
    }


def _check_treats(request, patient: Patient, obj) -> None:
    # The chart's one access rule; imported here, as pages.chart.views imports this module.
    from pages.chart.views import _check_treats as check

    check(request, patient, obj)


def _proposal(request, pk: int) -> FlagProposal:
    proposal = get_object_or_404(FlagProposal.objects.select_related("patient"), pk=pk)
    _check_treats(request, proposal.patient, proposal)
    return proposal


def _to_chart(proposal: FlagProposal):
    return redirect(reverse("chart:patient_chart", args=[proposal.patient_id]) + "#intake")


@routes("therapist/flag-proposals/<int:pk>/confirm/")
@require_POST
@role_required(*CLINICIANS)
def flag_proposal_confirm(request, pk: int):
    proposal = _proposal(request, pk)
    form = FlagProposalConfirmForm(request.POST)
    if not form.is_valid():
        problems = [f"{form.fields[name].label}: {' '.join(errors)}" for name, errors in form.errors.items()]
        messages.error(
            request,
            gettext("“%(proposal)s” was not confirmed: %(problems)s")
            % {"proposal": proposal, "problems": " ".join(problems)},
        )
        return _to_chart(proposal)
    try:
        flag = confirm_service(proposal=proposal, confirmed_by=request.user, **form.cleaned_data)
    except Refused as error:
        refusal_message(request, error)
    except ValidationError as error:
        messages.error(
            request,
            gettext("“%(proposal)s” was not confirmed: %(problems)s")
            % {"proposal": proposal, "problems": " ".join(error.messages)},
        )
    else:
        messages.success(
            request, gettext("Recorded the health flag “%(flag)s” from the intake questionnaire.") % {"flag": flag}
        )
    return _to_chart(proposal)


@routes("therapist/flag-proposals/<int:pk>/dismiss/")
@require_POST
@role_required(*CLINICIANS)
def flag_proposal_dismiss(request, pk: int):
    form = FlagProposalDismissForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    proposal = _proposal(request, pk)
    dismiss = partial(dismiss_service, proposal=proposal, dismissed_by=request.user, note=note)
    done_or_refused(
        request, dismiss, gettext("Dismissed “%(proposal)s”: no health flag recorded.") % {"proposal": proposal}
    )
    return _to_chart(proposal)


@routes("therapist/consents/<int:pk>/")
@require_GET
@role_required(*CLINICIANS)
def consent_signature(request, pk: int):
    """What the patient signed: the exact text of that version, the name typed, when and where,
    and whether the text still matches the fingerprint kept with the signature."""
    signature = get_object_or_404(
        ConsentSignature.objects.select_related("patient", "version__topic", "signed_by", "kiosk__started_by"), pk=pk
    )
    _check_treats(request, signature.patient, signature)
    context = {"signature": signature, "patient": signature.patient, "intact": consent_signature_intact(signature)}
    return render(request, "chart/consent_signature.html", context)
