"""The verbose names made explicit and translatable when the interface was translated (issue 19):
a change of state only, no SQL. Relabel gives each field its label without repeating the field."""

from django.db import migrations

from clinic.migrations._frozen import Relabel


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0001_initial"),
    ]

    operations = [
        Relabel(
            "webhookattempt",
            {
                "attempted_at": "attempted at",
                "delivery": "delivery",
                "error": "error",
                "milliseconds": "milliseconds",
                "status_code": "status code",
            },
        ),
        Relabel(
            "webhookdelivery",
            {
                "attempts": "attempts",
                "created_at": "created at",
                "delivered_at": "delivered at",
                "endpoint": "endpoint",
                "event": "event",
                "event_id": "event id",
                "last_error": "last error",
                "last_status_code": "last status code",
                "next_attempt_at": "next attempt at",
                "payload": "payload",
                "status": "status",
            },
        ),
        Relabel(
            "webhookendpoint",
            {
                "active": "active",
                "created_at": "created at",
                "created_by": "created by",
                "description": "description",
                "events": "events",
                "secret": "secret",
                "updated_at": "updated at",
            },
        ),
    ]
