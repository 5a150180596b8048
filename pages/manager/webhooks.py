"""The manager's webhooks: the endpoints, adding and editing one (its events as checkboxes), its
secret shown once (on the page after creating it or making a new one, never again), the delivery log of each with a
test event and "retry now". The rules live in webhooks.services; django-auditlog records each
change of an endpoint (never its secret)."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic import roles
from clinic.events import EVENTS
from clinic.refusals import Refused
from pages.manager.clinic_editors import EDIT_METHODS, _post
from pages.refusals import refusal_on_form
from pages.roles import role_required
from pages.routes import Routes
from webhooks.models import DESCRIPTION_MAX_LENGTH, DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks.sending import delivery_send_now
from webhooks.services import (
    webhook_endpoint_create,
    webhook_endpoint_update,
    webhook_secret_rotate,
    webhook_test_record,
)

routes = Routes()

DELIVERIES_PER_PAGE = 25
LEAD = gettext_lazy(
    "Addresses the clinic tells when something happens: a session booked, moved or cancelled, a note "
    "signed... Each delivery is a signed POST (README, “Webhooks”) carrying ids and times; reasons, "
    "note texts and diagnoses only to an endpoint allowed clinical text."
)


class EndpointForm(forms.Form):
    url = forms.CharField(
        label=gettext_lazy("URL"),
        max_length=500,
        help_text=gettext_lazy("Where the clinic POSTs, https:// on the internet."),
        widget=forms.URLInput(attrs={"placeholder": "https://", "inputmode": "url"}),
    )
    description = forms.CharField(
        max_length=DESCRIPTION_MAX_LENGTH,
        required=False,
        label=gettext_lazy("Description"),
        help_text=gettext_lazy("What it is for."),
    )
    events = forms.MultipleChoiceField(
        choices=list(EVENTS.items()),
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Events"),
        help_text=gettext_lazy("What it is told."),
    )
    active = forms.BooleanField(
        required=False,
        initial=True,
        label=gettext_lazy("Active"),
        help_text=gettext_lazy("Off: nothing is sent to it."),
    )
    clinical_text_allowed = forms.BooleanField(
        label=gettext_lazy("May receive clinical text"),
        required=False,
        help_text=gettext_lazy(
            "Cancellation and review reasons, note texts, pain scores, the diagnosis. Only for a system "
            "that keeps health records as carefully as the clinic does."
        ),
    )

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}


# The secret waits in the (server-side) session for the one page that shows it, and is taken out
# there: a reload of that page, or of the form, shows or makes nothing more.
SECRET_KEY = "webhook_secret_once"


def _secret_show_once(request, endpoint: WebhookEndpoint):
    request.session[SECRET_KEY] = {"pk": endpoint.pk, "secret": endpoint.secret}
    return redirect("manager:webhook_deliveries", pk=endpoint.pk)


def _form_page(request, form, title: str, endpoint=None):
    return render(request, "manager/webhook_form.html", {"form": form, "page_title": title, "endpoint": endpoint})


@routes("manager/webhooks/")
@require_GET
@role_required(roles.MANAGER)
def webhook_list(request):
    endpoints = WebhookEndpoint.objects.annotate(
        waiting=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.PENDING)),
        failed=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
    )
    context = {"endpoints": endpoints, "page_title": gettext("Webhooks"), "lead": LEAD}
    return render(request, "manager/webhook_list.html", context)


@routes("manager/webhooks/add/")
@require_http_methods(EDIT_METHODS)
@role_required(roles.MANAGER)
def webhook_add(request):
    form = EndpointForm(_post(request))
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = webhook_endpoint_create(created_by=request.user, **form.values())
        except Refused as error:
            refusal_on_form(form, error)
        else:
            messages.success(request, gettext("Added %(endpoint)s.") % {"endpoint": endpoint})
            return _secret_show_once(request, endpoint)
    return _form_page(request, form, gettext("Add a webhook"))


@routes("manager/webhooks/<int:pk>/edit/")
@require_http_methods(EDIT_METHODS)
@role_required(roles.MANAGER)
def webhook_edit(request, pk: int):
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    initial = {name: getattr(endpoint, name) for name in EndpointForm.base_fields}
    form = EndpointForm(_post(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            webhook_endpoint_update(endpoint=endpoint, **form.values())
        except Refused as error:
            refusal_on_form(form, error)
        else:
            messages.success(request, gettext("Saved %(endpoint)s.") % {"endpoint": endpoint})
            return redirect("manager:webhook_deliveries", pk=endpoint.pk)
    return _form_page(request, form, gettext("Edit %(endpoint)s") % {"endpoint": endpoint}, endpoint)


@routes("manager/webhooks/<int:pk>/secret/")
@require_POST
@role_required(roles.MANAGER)
def webhook_secret_new(request, pk: int):
    endpoint = webhook_secret_rotate(endpoint=get_object_or_404(WebhookEndpoint, pk=pk))
    messages.success(request, gettext("Made a new secret; the old one no longer signs anything."))
    return _secret_show_once(request, endpoint)


@routes("manager/webhooks/<int:pk>/")
@require_GET
@role_required(roles.MANAGER)
def webhook_deliveries(request, pk: int):
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    deliveries = endpoint.deliveries.prefetch_related(
        Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("-attempted_at", "-pk"))
    )
    page = Paginator(deliveries, DELIVERIES_PER_PAGE).get_page(request.GET.get("page"))
    shown = request.session.pop(SECRET_KEY, None)
    secret = shown["secret"] if shown and shown.get("pk") == endpoint.pk else None
    context = {"endpoint": endpoint, "page": page, "page_title": str(endpoint), "secret": secret}
    return render(request, "manager/webhook_deliveries.html", context)


def _told(request, attempt: WebhookAttempt | None) -> None:
    if attempt is None:
        messages.info(request, gettext("That delivery is being sent right now, or was delivered already."))
    elif attempt.succeeded:
        messages.success(
            request, gettext("Delivered: the endpoint answered %(status)s.") % {"status": attempt.status_code}
        )
    else:
        messages.error(request, gettext("Not delivered: %(reason)s") % {"reason": attempt.error or attempt.status_code})


@routes("manager/webhooks/<int:pk>/test/")
@require_POST
@role_required(roles.MANAGER)
def webhook_test_send(request, pk: int):
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    _told(request, delivery_send_now(delivery=webhook_test_record(endpoint=endpoint)))
    return redirect("manager:webhook_deliveries", pk=endpoint.pk)


@routes("manager/webhooks/deliveries/<int:pk>/retry/")
@require_POST
@role_required(roles.MANAGER)
def webhook_delivery_retry(request, pk: int):
    delivery = get_object_or_404(WebhookDelivery, pk=pk)
    _told(request, delivery_send_now(delivery=delivery))
    return redirect(reverse("manager:webhook_deliveries", args=[delivery.endpoint_id]) + f"#delivery-{pk}")
