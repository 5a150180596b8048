"""The patient's side of the waitlist (sessions.waitlist): their wishes, joining and leaving it,
and the page of an offer, reached by the link in the message.

The offer's link carries a signed token; it opens only for the logged-in patient it was offered
to (anyone else, or a token that is not one, gets 404). Opening it settles an offer whose hold
ran out (it expires and the slot passes to the next wish); the page then says where the offer
stands: offered (accept or decline), accepted, expired, declined, taken by someone else, refused
or withdrawn.
"""

from contextlib import suppress
from functools import partial

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.audit import audit_access
from clinic.refusals import Refused
from pages.http import site_url
from pages.portal.views import portal_view
from pages.refusals import done_or_refused, refusal_on_form
from pages.routes import Routes
from pages.waitlist_forms import PortalWishForm

# The accept and decline views take the services' names (their URL names), so the services are module-qualified.
from sessions import waitlist as waitlist_service
from sessions.booking_checks import person_name
from sessions.models import OfferStatus, WaitlistEntry, WaitlistOffer, WishSource, WishStatus
from sessions.waitlist import (
    hold_time,
    offer_from_token,
    offer_state_message,
    patient_courses_for_waitlist,
    patient_waitlist,
    waitlist_entry_add,
    waitlist_entry_withdraw,
    waitlist_offer_open,
)

routes = Routes()


@routes("portal/waitlist/")
@require_GET
@portal_view
def portal_waitlist(request):
    context = {
        **patient_waitlist(patient=request.patient),
        "can_join": patient_courses_for_waitlist(patient=request.patient).exists(),
        "hold_minutes": int(hold_time().total_seconds() // 60),
    }
    return render(request, "portal/portal_waitlist.html", context)


@routes("portal/waitlist/new/")
@require_http_methods(["GET", "POST"])
@portal_view
def portal_waitlist_add(request):
    form = PortalWishForm(request.POST if request.method == "POST" else None, patient=request.patient)
    if request.method == "POST" and form.is_valid():
        data = {**form.entry_data(), "modality": None, "urgent": False}
        try:
            waitlist_entry_add(patient=request.patient, recorded_by=request.user, source=WishSource.PORTAL, **data)
        except Refused as error:
            refusal_on_form(form, error)
        else:
            messages.success(
                request, gettext("You are on the waitlist. When a session that suits you is freed, we send you a link.")
            )
            return redirect("portal:portal_waitlist")
    can_join = form.fields["course"].queryset.exists()
    return render(request, "portal/portal_waitlist_add.html", {"form": form, "can_join": can_join})


@routes("portal/waitlist/<int:pk>/withdraw/")
@require_POST
@portal_view
def portal_waitlist_withdraw(request, pk: int):
    entry = get_object_or_404(WaitlistEntry, pk=pk, patient_id=request.patient.pk)
    withdraw = partial(waitlist_entry_withdraw, entry=entry, base_url=site_url(request))
    done_or_refused(request, withdraw, gettext("You left the waitlist for that wish."))
    return redirect("portal:portal_waitlist")


def _own_offer(request, token: str) -> WaitlistOffer:
    """The offer of the link, if it is this patient's; 404 for a token that is not one and for
    another patient's offer alike, so a link tells nobody else anything."""
    offer = offer_from_token(token)
    if offer is None or offer.patient_id != request.patient.pk:
        raise Http404("No such offer.")
    return offer


@routes("portal/waitlist/offers/<str:token>/")
@require_GET
@portal_view
def waitlist_offer(request, token: str):
    offer = waitlist_offer_open(offer=_own_offer(request, token), base_url=site_url(request))
    audit_access(request=request, patient=request.patient, obj=offer, detail="Patient portal: waitlist offer.")
    entry = offer.entry
    context = {
        "offer": offer,
        "token": token,
        "modality": entry.course.modality if entry.course_id else entry.modality,
        "therapist_name": person_name(offer.therapist),
        "open": offer.is_live(timezone.now()),
        "state_message": offer_state_message(offer),
        "accepted": offer.status == OfferStatus.ACCEPTED,
        "still_waiting": entry.status == WishStatus.WAITING,
    }
    return render(request, "portal/waitlist_offer.html", context)


# Accepting and declining go back to the offer's page, which says where the offer stands (booked,
# declined, or why it can no longer be accepted): one message, in one place.


@routes("portal/waitlist/offers/<str:token>/accept/")
@require_POST
@portal_view
def waitlist_offer_accept(request, token: str):
    accept = partial(waitlist_service.waitlist_offer_accept, accepted_by=request.user, base_url=site_url(request))
    return _offer_answer(request, token, accept)


@routes("portal/waitlist/offers/<str:token>/decline/")
@require_POST
@portal_view
def waitlist_offer_decline(request, token: str):
    return _offer_answer(request, token, partial(waitlist_service.waitlist_offer_decline, base_url=site_url(request)))


def _offer_answer(request, token: str, answer):
    """`answer(offer=...)`, then the offer's page, where a refusal reads as where the offer stands."""
    with suppress(Refused):
        answer(offer=_own_offer(request, token))
    return redirect(reverse("portal:waitlist_offer", args=[token]))
