"""Reception's waitlist (sessions.waitlist): the wishes waiting, in the order they are offered
freed slots; each freed slot with its offers and how they ended; recording a wish for a patient,
withdrawing one, releasing a slot to book it at the desk, and sending the offers now instead of
waiting for the cron job."""

from functools import partial

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.refusals import Refused
from pages.http import posted, site_url
from pages.refusals import done_or_refused, refusal_on_form
from pages.roles import FRONT_DESK, role_required
from pages.routes import Routes
from pages.waitlist_forms import ReceptionWishForm
from patients.models import Patient
from sessions.models import FreedSlot, WaitlistEntry, WishSource
from sessions.waitlist import (
    batch_size,
    freed_slot_release,
    freed_slots_recent,
    hold_time,
    waitlist_closed,
    waitlist_entry_add,
    waitlist_entry_withdraw,
    waitlist_offers_send,
    waitlist_waiting,
)

routes = Routes()


@routes("reception/waitlist/")
@require_GET
@role_required(*FRONT_DESK)
def waitlist(request):
    context = {
        "slots": freed_slots_recent(),
        "waiting": list(waitlist_waiting()),
        "closed": waitlist_closed(),
        "hold_minutes": int(hold_time().total_seconds() // 60),
        "batch": batch_size(),
    }
    return render(request, "reception/waitlist.html", context)


@routes("reception/patients/<int:pk>/waitlist/")
@require_http_methods(["GET", "POST"])
@role_required(*FRONT_DESK)
def waitlist_add(request, pk: int):
    patient = get_object_or_404(Patient, pk=pk)
    form = ReceptionWishForm(posted(request), patient=patient)
    if request.method == "POST" and form.is_valid():
        try:
            waitlist_entry_add(
                patient=patient, recorded_by=request.user, source=WishSource.RECEPTION, **form.entry_data()
            )
        except Refused as error:
            refusal_on_form(form, error)
        else:
            messages.success(request, gettext("%(patient)s is on the waitlist.") % {"patient": patient})
            return redirect("reception:waitlist")
    return render(request, "reception/waitlist_add.html", {"form": form, "patient": patient})


@routes("reception/waitlist/<int:pk>/withdraw/")
@require_POST
@role_required(*FRONT_DESK)
def waitlist_withdraw(request, pk: int):
    entry = get_object_or_404(WaitlistEntry.objects.select_related("patient"), pk=pk)
    withdraw = partial(waitlist_entry_withdraw, entry=entry, base_url=site_url(request))
    done = gettext("Took %(patient)s's wish off the waitlist.") % {"patient": entry.patient}
    done_or_refused(request, withdraw, done)
    return redirect("reception:waitlist")


@routes("reception/waitlist/slots/<int:pk>/release/")
@require_POST
@role_required(*FRONT_DESK)
def waitlist_slot_release(request, pk: int):
    slot = get_object_or_404(FreedSlot, pk=pk)
    release = partial(freed_slot_release, slot=slot)
    done_or_refused(request, release, gettext("The slot is off the waitlist: it can be booked at the desk now."))
    return redirect("reception:waitlist")


@routes("reception/waitlist/send/")
@require_POST
@role_required(*FRONT_DESK)
def waitlist_send(request):
    """What the cron job does (send_waitlist_offers), now."""
    run = waitlist_offers_send(base_url=site_url(request))
    sent = ngettext("Sent %(count)d offer", "Sent %(count)d offers", run.offers) % {"count": run.offers}
    expired = ngettext("%(count)d hold expired.", "%(count)d holds expired.", run.expired_offers) % {
        "count": run.expired_offers
    }
    # Translators: the two halves of one message, e.g. "Sent 3 offers; 1 hold expired."
    messages.success(request, gettext("%(sent)s; %(expired)s") % {"sent": sent, "expired": expired})
    return redirect("reception:waitlist")
