"""The manager's endpoints (create, edit, rotate the secret) and the outbox: one delivery per
subscribed active endpoint, written when the event happens, inside its transaction."""

import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from clinic.events import EVENTS
from clinic.refusals import Refused
from clinic.setup_cache import setup_cached
from webhooks.addresses import url_problem
from webhooks.models import TEST_EVENT, WebhookDelivery, WebhookEndpoint
from webhooks.payloads import event_payloads, test_payload
from webhooks.signing import secret_new


def _problems(*, url: str, events: list[str]) -> list[str]:
    problems = []
    if problem := url_problem(url):
        problems.append(problem)
    if not events:
        problems.append(gettext("Choose at least one event."))
    if unknown := sorted(set(events) - set(EVENTS)):
        problems.append(gettext("There is no event called %(events)s.") % {"events": ", ".join(unknown)})
    return problems


def _save(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Saved if the model's own checks pass (Django's URL check among them), else refused with
    their sentences."""
    try:
        endpoint.full_clean()
    except ValidationError as error:
        raise Refused(error.messages) from error
    endpoint.save()
    return endpoint


def webhook_endpoint_create(
    *, url: str, events: list[str], created_by, description: str = "", active: bool = True,
    clinical_text_allowed: bool = False,
) -> WebhookEndpoint:
    """A new endpoint with a new secret, which the manager is shown once."""
    if problems := _problems(url=url, events=events):
        raise Refused(problems)
    endpoint = WebhookEndpoint(
        url=url, events=sorted(set(events)), description=description, active=active,
        clinical_text_allowed=clinical_text_allowed, secret=secret_new(), created_by=created_by,
    )
    return _save(endpoint)


def webhook_endpoint_update(
    *, endpoint: WebhookEndpoint, url: str, events: list[str], description: str, active: bool,
    clinical_text_allowed: bool,
) -> WebhookEndpoint:
    """Change what it receives from now on; deliveries already written keep their payload."""
    if problems := _problems(url=url, events=events):
        raise Refused(problems)
    endpoint.url, endpoint.events, endpoint.description = url, sorted(set(events)), description
    endpoint.active, endpoint.clinical_text_allowed = active, clinical_text_allowed
    return _save(endpoint)


def webhook_secret_rotate(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new secret; deliveries still waiting are signed with it when they are sent."""
    endpoint.secret = secret_new()
    endpoint.save(update_fields=["secret", "updated_at"])
    return endpoint


def subscriptions() -> list[tuple[int, frozenset[str], bool]]:
    """(id, events, may receive clinical text) of each active endpoint, kept by the set-up cache
    (clinic/setup_cache.py): every booking, move and cancellation asks, and a manager changes them
    rarely."""

    def build(using: str) -> list[tuple[int, frozenset[str], bool]]:
        rows = WebhookEndpoint.objects.using(using).filter(active=True)
        rows = rows.values_list("pk", "events", "clinical_text_allowed")
        return [(pk, frozenset(events), clinical) for pk, events, clinical in rows]

    return setup_cached("webhook subscriptions", build, model=WebhookEndpoint)


def deliveries_record(event: str, **objects) -> list[WebhookDelivery]:
    """One pending delivery per active endpoint subscribed to `event`, its payload frozen now.
    Called inside the transaction of the change, so a rollback takes the deliveries with it."""
    endpoints = [(pk, clinical) for pk, events, clinical in subscriptions() if event in events]
    if not endpoints:
        return []
    event_id = uuid.uuid4()
    plain, clinical = event_payloads(event, event_id=event_id, **objects)
    now = timezone.now()
    return WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint_id=pk, event=event, event_id=event_id, next_attempt_at=now,
            payload=clinical if clinical_allowed else plain,
        )
        for pk, clinical_allowed in endpoints
    )


@transaction.atomic
def webhook_test_record(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A test event for this endpoint alone (whether it is active or not), to send at once."""
    event_id = uuid.uuid4()
    return WebhookDelivery.objects.create(
        endpoint=endpoint, event=TEST_EVENT, event_id=event_id, payload=test_payload(event_id=event_id),
        next_attempt_at=timezone.now(),
    )
