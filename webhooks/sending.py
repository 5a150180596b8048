"""POST the deliveries that are due (`manage.py send_webhooks`, from cron), each signed, with a
short timeout; a 2xx delivers it, anything else is retried later, CLINIC_WEBHOOK_RETRY_MINUTES
apart, until CLINIC_WEBHOOK_MAX_ATTEMPTS attempts have failed. Every attempt is logged.

Two copies of the command never send one delivery twice at once: each takes its delivery's row
with SELECT ... FOR UPDATE SKIP LOCKED (PostgreSQL) and holds it while it POSTs; the other copy
passes over it. A receiver still sees a delivery again after a lost answer: it keeps
X-Clinic-Delivery to ignore a repeat."""

import datetime as dt
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from webhooks.addresses import host_problem, url_problem
from webhooks.models import ERROR_MAX_LENGTH, DeliveryStatus, WebhookAttempt, WebhookDelivery
from webhooks.signing import body_of, signature

USER_AGENT = "Clinic-Webhooks/1"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect could lead into the private network the address checks keep out: it is an answer
    like any other non-2xx, and the delivery is retried."""

    def redirect_request(self, *args, **kwargs):
        return None


# No proxy from the environment either: the address checked is the address connected to.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects)


@dataclass
class Outcome:
    status_code: int | None = None
    error: str = ""

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _post(delivery: WebhookDelivery, *, now: dt.datetime) -> Outcome:
    endpoint = delivery.endpoint
    if problem := url_problem(endpoint.url) or host_problem(endpoint.url):
        return Outcome(error=problem)
    body = body_of(delivery.payload)
    timestamp = int(now.timestamp())
    request = urllib.request.Request(
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Clinic-Event": delivery.event,
            "X-Clinic-Delivery": str(delivery.pk),
            "X-Clinic-Timestamp": str(timestamp),
            "X-Clinic-Signature": signature(endpoint.secret, timestamp, body),
        },
    )
    try:
        with _opener.open(request, timeout=settings.CLINIC_WEBHOOK_TIMEOUT_SECONDS) as response:
            return Outcome(status_code=response.status)
    except urllib.error.HTTPError as error:
        return Outcome(status_code=error.code, error=f"The endpoint answered {error.code} {error.reason}.")
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return Outcome(error=f"Not sent: {reason}.")


def retry_delay(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failed attempt: 1, 5, 30 minutes, 2 hours, then 12 hours."""
    schedule = settings.CLINIC_WEBHOOK_RETRY_MINUTES
    return dt.timedelta(minutes=schedule[min(attempts, len(schedule)) - 1])


def delivery_attempt(
    delivery: WebhookDelivery, *, now: dt.datetime | None = None, final: bool = False
) -> WebhookAttempt:
    """POST it once (the caller holds its row) and write down how it went; a failure is retried
    later unless it was the last attempt allowed (or `final`)."""
    now = now or timezone.now()
    started = time.monotonic()
    with translation.override(None):  # the error is stored: in the source language, whoever sends
        outcome = _post(delivery, now=now)
    error = outcome.error[:ERROR_MAX_LENGTH]
    delivery.attempts += 1
    delivery.last_status_code, delivery.last_error = outcome.status_code, error
    if outcome.delivered:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = DeliveryStatus.DELIVERED, now, None
    elif final or delivery.attempts >= settings.CLINIC_WEBHOOK_MAX_ATTEMPTS:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
    else:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.PENDING, now + retry_delay(delivery.attempts)
    delivery.save()
    return WebhookAttempt.objects.create(
        delivery=delivery, attempted_at=now, status_code=outcome.status_code, error=error,
        milliseconds=int((time.monotonic() - started) * 1000),
    )


def _locked_if_due(pk: int, now: dt.datetime) -> WebhookDelivery | None:
    return (
        WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("endpoint")
        .filter(pk=pk, status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .first()
    )


@dataclass
class SendRun:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0


def webhooks_send(*, now: dt.datetime | None = None, limit: int = 500) -> SendRun:
    """The cron run: every pending delivery that is due, oldest first, one transaction each."""
    now = now or timezone.now()
    run = SendRun()
    due = WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
    for pk in due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit]:
        with transaction.atomic():
            delivery = _locked_if_due(pk, now)
            if delivery is None:  # another copy has it, or sent it meanwhile
                continue
            delivery_attempt(delivery, now=now)
        if delivery.status == DeliveryStatus.DELIVERED:
            run.delivered += 1
        elif delivery.status == DeliveryStatus.FAILED:
            run.failed += 1
        else:
            run.retrying += 1
    return run


def delivery_send_now(*, delivery: WebhookDelivery) -> WebhookAttempt | None:
    """The manager's "retry now" (and the test event): one attempt at once, even after it failed
    for good; a success delivers it, a failure leaves it failed or waiting as the count says.
    None when the command holds it right now, or it was delivered meanwhile."""
    with transaction.atomic():
        locked = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint")
            .exclude(status=DeliveryStatus.DELIVERED)
            .filter(pk=delivery.pk)
            .first()
        )
        if locked is None:
            return None
        # A delivery that failed for good gets this one attempt more, and stays failed if it fails.
        return delivery_attempt(locked, now=timezone.now(), final=locked.status == DeliveryStatus.FAILED)
