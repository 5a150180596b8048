"""The manager's webhook endpoints, and the outbox of deliveries the send_webhooks command POSTs."""


from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

from clinic.models import text_length_check

DESCRIPTION_MAX_LENGTH = 200
ERROR_MAX_LENGTH = 300
# The event of the manager's "send a test event" button; nobody subscribes to it.
TEST_EVENT = "webhook.test"


class WebhookEndpoint(models.Model):
    """A URL the clinic POSTs chosen events to, signed with its own secret (webhooks.signing)."""

    url = models.URLField(gettext_lazy("URL"), max_length=500)
    description = models.CharField(gettext_lazy("description"), max_length=DESCRIPTION_MAX_LENGTH, blank=True)
    events = models.JSONField(
        gettext_lazy("events"), default=list, blank=True, help_text=gettext_lazy("The event names it receives.")
    )
    # Kept as such, not hashed: the clinic needs it to sign each delivery.
    secret = models.CharField(gettext_lazy("secret"), max_length=100, editable=False)
    active = models.BooleanField(gettext_lazy("active"), default=True)
    clinical_text_allowed = models.BooleanField(
        gettext_lazy("may receive clinical text"),
        default=False,
        help_text=gettext_lazy("Reasons, note texts, pain scores and diagnoses go only to an endpoint allowed them."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(gettext_lazy("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(gettext_lazy("updated at"), auto_now=True)

    class Meta:
        ordering = ["url", "pk"]
        constraints = [
            text_length_check("description", DESCRIPTION_MAX_LENGTH, "webhook_description_length"),
            models.CheckConstraint(
                condition=Q(url__startswith="http://") | Q(url__startswith="https://"),
                name="webhook_url_http",
                violation_error_message=gettext_lazy("A webhook's URL starts with http:// or https://."),
            ),
        ]

    def __str__(self):
        return self.description or self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", gettext_lazy("waiting to be sent")
    DELIVERED = "delivered", gettext_lazy("delivered")
    FAILED = "failed", gettext_lazy("failed")


class WebhookDelivery(models.Model):
    """One event for one endpoint, its payload frozen when the event happened (written in the
    event's own transaction, so a change rolled back sends nothing)."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, verbose_name=gettext_lazy("endpoint"), on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(gettext_lazy("event"), max_length=40)
    # The event's id, the same in every endpoint's copy; the delivery's own pk goes in a header.
    event_id = models.UUIDField(gettext_lazy("event id"))
    payload = models.JSONField(gettext_lazy("payload"))
    status = models.CharField(
        gettext_lazy("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(gettext_lazy("attempts"), default=0)
    next_attempt_at = models.DateTimeField(gettext_lazy("next attempt at"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(gettext_lazy("last status code"), null=True, blank=True)
    last_error = models.CharField(gettext_lazy("last error"), max_length=ERROR_MAX_LENGTH, blank=True)
    delivered_at = models.DateTimeField(gettext_lazy("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(gettext_lazy("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=DeliveryStatus.PENDING, next_attempt_at__isnull=False)
                | ~Q(status=DeliveryStatus.PENDING),
                name="webhook_pending_has_time",
                violation_error_message=gettext_lazy("A delivery waiting to be sent has a time for its next attempt."),
            ),
            models.CheckConstraint(
                condition=Q(status=DeliveryStatus.DELIVERED, delivered_at__isnull=False)
                | ~Q(status=DeliveryStatus.DELIVERED),
                name="webhook_delivered_has_time",
                violation_error_message=gettext_lazy("A delivered delivery has the time it was delivered."),
            ),
            text_length_check("last_error", ERROR_MAX_LENGTH, "webhook_delivery_error_length"),
        ]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="webhook_due_idx"),
            models.Index(fields=["endpoint", "-created_at"], name="webhook_endpoint_log_idx"),
        ]

    def __str__(self):
        return f"{self.event} #{self.pk}"


class WebhookAttempt(models.Model):
    """One POST of a delivery and how it ended: the delivery log."""

    delivery = models.ForeignKey(
        WebhookDelivery, verbose_name=gettext_lazy("delivery"), on_delete=models.CASCADE, related_name="attempt_log"
    )
    attempted_at = models.DateTimeField(gettext_lazy("attempted at"))
    status_code = models.PositiveSmallIntegerField(gettext_lazy("status code"), null=True, blank=True)
    error = models.CharField(gettext_lazy("error"), max_length=ERROR_MAX_LENGTH, blank=True)
    milliseconds = models.PositiveIntegerField(gettext_lazy("milliseconds"), default=0)

    class Meta:
        ordering = ["attempted_at", "pk"]
        constraints = [text_length_check("error", ERROR_MAX_LENGTH, "webhook_attempt_error_length")]

    def __str__(self):
        return f"{self.delivery} at {self.attempted_at:%Y-%m-%d %H:%M:%S}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
