"""Two copies of send_webhooks at once, on PostgreSQL: each delivery is POSTed once, by whichever
copy locked its row first (SELECT ... FOR UPDATE SKIP LOCKED); the other passes over it.

Run with: scripts/with-postgres .venv/bin/pytest tests/webhooks/test_sending_postgresql.py
"""

import pytest
from django.db import transaction

from clinic import events
from sessions.booking import appointment_book
from tests.factories import AppointmentFactory, on_monday
from tests.sessions.test_waitlist_postgresql import at_once
from tests.webhooks.scene import Receiver, endpoint
from webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery
from webhooks.sending import webhooks_send
from webhooks.services import deliveries_record

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def slow_receiver():
    server = Receiver(delay=0.2)
    yield server
    server.close()


def test_two_copies_at_once_send_each_delivery_once(slow_receiver):
    endpoint(events.APPOINTMENT_BOOKED, url=slow_receiver.url)
    appointment = AppointmentFactory()
    for _ in range(6):
        deliveries_record(events.APPOINTMENT_BOOKED, appointment=appointment)

    results = at_once([webhooks_send, webhooks_send])

    assert [outcome for outcome, _ in results] == ["done", "done"]
    sent = [r.headers["X-Clinic-Delivery"] for r in slow_receiver.received]
    assert sorted(sent) == sorted(str(pk) for pk in WebhookDelivery.objects.values_list("pk", flat=True))
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.DELIVERED}
    assert WebhookAttempt.objects.count() == 6
    assert sum(run.delivered for _, run in results) == 6


def test_a_rolled_back_change_writes_no_delivery_on_postgresql(maria_keller, anna_berg, blue_room, back_massage):
    endpoint(events.APPOINTMENT_BOOKED)
    with pytest.raises(RuntimeError), transaction.atomic():
        appointment_book(
            patient=maria_keller, therapist=anna_berg, room=blue_room, modality=back_massage, starts_at=on_monday(10)
        )
        raise RuntimeError("rolled back")

    assert not WebhookDelivery.objects.exists()
