"""The outbox's writer: every domain event (clinic.events) becomes deliveries in the same
transaction as the change that announced it."""

from django.dispatch import receiver

from clinic.events import domain_event
from webhooks.services import deliveries_record


@receiver(domain_event, dispatch_uid="webhook_deliveries_record")
def webhook_deliveries_record(sender, event: str, **objects):
    objects.pop("signal", None)
    deliveries_record(event, **objects)
