"""send_webhooks against a real HTTP server on 127.0.0.1: signed POSTs, delivered on a 2xx,
retried with backoff on an error answer and on a refused connection, failed after the maximum,
and nothing sent twice when the command runs again."""

import datetime as dt
import json
import re
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from clinic import events
from tests.webhooks.scene import closed_port_url, endpoint
from webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery
from webhooks.sending import delivery_send_now, retry_delay, webhooks_send
from webhooks.services import deliveries_record, webhook_test_record
from webhooks.signing import body_of, signature, signature_valid

pytestmark = pytest.mark.django_db



def booked(hook_url: str, **fields) -> WebhookDelivery:
    """An appointment.booked delivery for one endpoint at `hook_url`."""
    from tests.factories import AppointmentFactory

    endpoint(events.APPOINTMENT_BOOKED, url=hook_url, **fields)
    (delivery,) = deliveries_record(events.APPOINTMENT_BOOKED, appointment=AppointmentFactory())
    return delivery


def reload(delivery) -> WebhookDelivery:
    return WebhookDelivery.objects.get(pk=delivery.pk)


def test_a_delivery_is_posted_signed_and_delivered_on_2xx(webhook_receiver):
    delivery = booked(webhook_receiver.url)
    before = int(time.time())

    call_command("send_webhooks", verbosity=0)

    (got,) = webhook_receiver.received
    secret = delivery.endpoint.secret
    timestamp = int(got.headers["X-Clinic-Timestamp"])
    assert before - 1 <= timestamp <= time.time() + 1
    # The receiver's check, done by hand: HMAC-SHA256 over "<timestamp>.<body>" with the secret.
    import hashlib
    import hmac

    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + got.body, hashlib.sha256).hexdigest()
    assert got.headers["X-Clinic-Signature"] == f"sha256={expected}"
    assert got.headers["X-Clinic-Event"] == "appointment.booked"
    assert got.headers["X-Clinic-Delivery"] == str(delivery.pk)
    assert got.headers["Content-Type"] == "application/json"
    assert got.payload == delivery.payload
    delivery = reload(delivery)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.DELIVERED, 1, 200)
    assert delivery.delivered_at is not None and delivery.next_attempt_at is None
    (attempt,) = WebhookAttempt.objects.all()
    assert attempt.succeeded and attempt.status_code == 200


def test_the_documented_check_accepts_the_signature_and_rejects_a_change_or_an_old_timestamp():
    secret, body, now = "whsec_abc", body_of({"event": "x", "data": {"é": 1}}), 1_800_000_000
    header = signature(secret, now, body)

    assert signature_valid(secret, now, body, header, now=now + 10)
    assert not signature_valid(secret, now, body + b" ", header, now=now)
    assert not signature_valid("whsec_other", now, body, header, now=now)
    assert not signature_valid(secret, now, body, header, now=now + 301)


def test_the_body_is_the_same_bytes_at_every_attempt():
    payload = {"b": 1, "a": {"d": "ü", "c": None}}
    assert body_of(payload) == body_of(json.loads(body_of(payload))) == '{"a":{"c":null,"d":"ü"},"b":1}'.encode()


def test_an_error_answer_is_retried_later_with_backoff(webhook_receiver):
    webhook_receiver.answers = [500, 500, 204]
    delivery = booked(webhook_receiver.url)
    now = timezone.now()

    webhooks_send(now=now)

    delivery = reload(delivery)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.PENDING, 1, 500)
    assert delivery.last_error == "The endpoint answered 500 Internal Server Error."
    assert delivery.next_attempt_at == now + dt.timedelta(minutes=1)

    webhooks_send(now=now + dt.timedelta(seconds=30))  # not due yet
    assert len(webhook_receiver.received) == 1

    webhooks_send(now=now + dt.timedelta(minutes=1))
    delivery = reload(delivery)
    assert (delivery.attempts, delivery.next_attempt_at) == (2, now + dt.timedelta(minutes=6))

    webhooks_send(now=now + dt.timedelta(minutes=6))
    delivery = reload(delivery)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.DELIVERED, 3, 204)
    assert [a.status_code for a in WebhookAttempt.objects.filter(delivery=delivery)] == [500, 500, 204]
    # Each attempt is signed afresh, with its own timestamp, over the same body.
    assert len({r.body for r in webhook_receiver.received}) == 1


def test_a_refused_connection_is_retried():
    delivery = booked(closed_port_url())
    now = timezone.now()

    run = webhooks_send(now=now)

    delivery = reload(delivery)
    assert (run.retrying, delivery.status, delivery.last_status_code) == (1, DeliveryStatus.PENDING, None)
    assert delivery.last_error.startswith("Not sent:") and "refused" in delivery.last_error.lower()
    assert delivery.next_attempt_at == now + dt.timedelta(minutes=1)


def test_the_waits_are_1_5_30_minutes_2_and_12_hours():
    assert [retry_delay(n) for n in range(1, 7)] == [
        dt.timedelta(minutes=m) for m in (1, 5, 30, 120, 720, 720)
    ]


@override_settings(CLINIC_WEBHOOK_MAX_ATTEMPTS=3)
def test_it_fails_for_good_after_the_maximum(webhook_receiver):
    webhook_receiver.answers = [503]
    delivery = booked(webhook_receiver.url)
    now = timezone.now()

    for minutes in (0, 1, 6, 36):
        webhooks_send(now=now + dt.timedelta(minutes=minutes))

    delivery = reload(delivery)
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (DeliveryStatus.FAILED, 3, None)
    assert len(webhook_receiver.received) == 3


def test_running_twice_sends_once(webhook_receiver):
    booked(webhook_receiver.url)

    call_command("send_webhooks", verbosity=0)
    call_command("send_webhooks", verbosity=0)

    assert len(webhook_receiver.received) == 1


def test_a_redirect_is_not_followed(webhook_receiver):
    webhook_receiver.answers = [302]
    delivery = booked(webhook_receiver.url)

    webhooks_send()

    assert len(webhook_receiver.received) == 1
    assert (reload(delivery).status, reload(delivery).last_status_code) == (DeliveryStatus.PENDING, 302)


@override_settings(CLINIC_WEBHOOK_ALLOW_PRIVATE=False)
def test_in_production_a_delivery_to_a_private_address_is_not_sent(webhook_receiver):
    with override_settings(CLINIC_WEBHOOK_ALLOW_PRIVATE=True):
        delivery = booked(webhook_receiver.url)

    webhooks_send()

    assert webhook_receiver.received == []
    assert reload(delivery).last_error.startswith("That address is on a private network")


@override_settings(CLINIC_WEBHOOK_MAX_ATTEMPTS=1)
def test_retry_now_sends_a_failed_delivery_once_more(webhook_receiver):
    webhook_receiver.answers = [500, 200]
    delivery = booked(webhook_receiver.url)
    webhooks_send()
    assert reload(delivery).status == DeliveryStatus.FAILED

    attempt = delivery_send_now(delivery=delivery)

    assert attempt.status_code == 200
    assert (reload(delivery).status, reload(delivery).attempts) == (DeliveryStatus.DELIVERED, 2)
    assert delivery_send_now(delivery=delivery) is None  # delivered: nothing more to send


def test_a_test_event_goes_to_its_endpoint_even_when_inactive(webhook_receiver):
    hook = endpoint(events.APPOINTMENT_BOOKED, url=webhook_receiver.url, active=False)

    delivery_send_now(delivery=webhook_test_record(endpoint=hook))

    (got,) = webhook_receiver.received
    assert got.headers["X-Clinic-Event"] == "webhook.test" and got.payload["event"] == "webhook.test"


def test_the_command_reports_what_it_did(webhook_receiver, capsys):
    booked(webhook_receiver.url)
    call_command("send_webhooks")
    assert capsys.readouterr().out == "1 delivered, 0 to retry, 0 failed.\n"


def readme_check():
    """The receiver's check exactly as the README prints it."""
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    code = re.search(r"```python\n(import hashlib, hmac, time\n.*?)```", readme, re.S).group(1)
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102  (our own README)
    return namespace["clinic_webhook_valid"]


def test_the_readme_check_accepts_a_real_delivery_and_refuses_a_tampered_or_old_one(webhook_receiver):
    delivery = booked(webhook_receiver.url)
    webhooks_send()
    (got,) = webhook_receiver.received
    valid, secret = readme_check(), delivery.endpoint.secret

    assert valid(secret, got.headers, got.body)
    assert not valid(secret, got.headers, got.body.replace(b"booked", b"cancel"))
    assert not valid("whsec_wrong", got.headers, got.body)
    old = {**got.headers, "X-Clinic-Timestamp": str(int(got.headers["X-Clinic-Timestamp"]) - 301)}
    assert not valid(secret, old, got.body)
