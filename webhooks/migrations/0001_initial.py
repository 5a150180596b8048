"""Webhooks: the manager's endpoints, the outbox of their deliveries, and each attempt to send one
(webhooks/models.py)."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

from clinic.migrations._frozen import check, link, model, moment, text_length_constraints

STATUSES = [("pending", "waiting to be sent"), ("delivered", "delivered"), ("failed", "failed")]


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        model("WebhookEndpoint", [
            ("url", models.URLField(max_length=500, verbose_name="URL")),
            ("description", models.CharField(blank=True, max_length=200)),
            ("events", models.JSONField(blank=True, default=list, help_text="The event names it receives.")),
            ("secret", models.CharField(editable=False, max_length=100)),
            ("active", models.BooleanField(default=True)),
            ("clinical_text_allowed", models.BooleanField(default=False, help_text="Reasons, note texts, pain scores and diagnoses go only to an endpoint allowed them.", verbose_name="may receive clinical text")),
            ("created_at", models.DateTimeField(auto_now_add=True)),
            ("updated_at", models.DateTimeField(auto_now=True)),
            ("created_by", link(settings.AUTH_USER_MODEL, optional=True)),
        ], ordering=["url", "pk"], constraints=[
            check("webhook_url_http", "A webhook's URL starts with http:// or https://.", Q(url__startswith="http://") | Q(url__startswith="https://")),
        ]),
        model("WebhookDelivery", [
            ("endpoint", link("webhooks.webhookendpoint", "deliveries", on_delete=models.CASCADE)),
            ("event", models.CharField(max_length=40)),
            ("event_id", models.UUIDField()),
            ("payload", models.JSONField()),
            ("status", models.CharField(choices=STATUSES, default="pending", max_length=10)),
            ("attempts", models.PositiveSmallIntegerField(default=0)),
            ("next_attempt_at", moment(optional=True)),
            ("last_status_code", models.PositiveSmallIntegerField(blank=True, null=True)),
            ("last_error", models.CharField(blank=True, max_length=300)),
            ("delivered_at", moment(optional=True)),
            ("created_at", models.DateTimeField(auto_now_add=True)),
        ], ordering=["-created_at", "-pk"], indexes=[
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="webhook_due_idx"),
            models.Index(fields=["endpoint", "-created_at"], name="webhook_endpoint_log_idx"),
        ], constraints=[
            check("webhook_pending_has_time", "A delivery waiting to be sent has a time for its next attempt.", Q(status="pending", next_attempt_at__isnull=False) | ~Q(status="pending")),
            check("webhook_delivered_has_time", "A delivered delivery has the time it was delivered.", Q(status="delivered", delivered_at__isnull=False) | ~Q(status="delivered")),
            check("webhook_delivery_error_length", "The last error takes up to 300 characters.", LessThanOrEqual(Length("last_error"), 300)),
        ]),
        model("WebhookAttempt", [
            ("delivery", link("webhooks.webhookdelivery", "attempt_log", on_delete=models.CASCADE)),
            ("attempted_at", moment()),
            ("status_code", models.PositiveSmallIntegerField(blank=True, null=True)),
            ("error", models.CharField(blank=True, max_length=300)),
            ("milliseconds", models.PositiveIntegerField(default=0)),
        ], ordering=["attempted_at", "pk"]),
        *text_length_constraints("webhookendpoint", "webhook", {"description": 200}),
        *text_length_constraints("webhookattempt", "webhook_attempt", {"error": 300}),
    ]  # fmt: skip
