"""The manager's webhook pages (pages/manager/webhooks.py): add with the secret shown once, edit,
rotate, the delivery log (paged, its queries bounded), a test event and "retry now" against a
local server; bad input is a sentence on the form with nothing saved; only the manager gets in;
wrong methods are 405; every change in the audit log."""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from clinic import events, roles
from tests.conftest import client_for
from tests.factories import AppointmentFactory, UserFactory
from tests.scenes import messages_of
from tests.webhooks.scene import endpoint
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from webhooks.services import deliveries_record

LIST = reverse("manager:webhook_list")
ADD = reverse("manager:webhook_add")


@pytest.fixture
def as_manager(manager):
    return client_for(manager)



def form_data(**changes) -> dict:
    return {
        "url": "https://hooks.example.org/clinic",
        "description": "Practice calendar",
        "events": [events.APPOINTMENT_BOOKED, events.APPOINTMENT_CANCELLED],
        "active": "on",
        **changes,
    }


def test_the_list_shows_each_endpoint_with_its_counts(as_manager, django_assert_max_num_queries):
    hook = endpoint(events.APPOINTMENT_BOOKED, description="Practice calendar")
    deliveries_record(events.APPOINTMENT_BOOKED, appointment=AppointmentFactory())
    endpoint(events.NOTE_SIGNED, url="https://other.example.org/")

    with django_assert_max_num_queries(12):
        page = as_manager.get(LIST).content.decode()

    assert "Practice calendar" in page and reverse("manager:webhook_deliveries", args=[hook.pk]) in page
    assert "https://other.example.org/" in page


def test_adding_shows_the_secret_once_and_logs_the_manager(as_manager, manager):
    response = as_manager.post(ADD, form_data(clinical_text_allowed="on"))

    hook = WebhookEndpoint.objects.get()
    log = reverse("manager:webhook_deliveries", args=[hook.pk])
    assert response.url == log
    assert hook.secret in as_manager.get(log).content.decode()
    assert hook.secret not in as_manager.get(log).content.decode()
    assert (hook.events, hook.clinical_text_allowed, hook.created_by) == (
        [events.APPOINTMENT_BOOKED, events.APPOINTMENT_CANCELLED], True, manager,
    )
    assert hook.secret not in str(as_manager.session.items())
    entry = LogEntry.objects.get(content_type=ContentType.objects.get_for_model(hook), object_pk=str(hook.pk))
    assert entry.actor == manager
    assert hook.secret not in str(entry.changes)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"url": "ftp://hooks.example.org/"}, "Enter an http:// or https:// URL with a host name."),
        ({"url": "javascript:alert(1)"}, "Enter an http:// or https:// URL with a host name."),
        ({"events": []}, "This field is required."),
        ({"events": ["patient.deleted"]}, "Select a valid choice."),
    ],
)
def test_bad_input_is_a_sentence_and_saves_nothing(as_manager, changes, message):
    response = as_manager.post(ADD, form_data(**changes))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_editing_changes_what_it_receives(as_manager, manager):
    hook = endpoint(events.APPOINTMENT_BOOKED)

    response = as_manager.post(
        reverse("manager:webhook_edit", args=[hook.pk]), form_data(events=[events.NOTE_SIGNED], active="")
    )

    assert response.url == reverse("manager:webhook_deliveries", args=[hook.pk])
    hook.refresh_from_db()
    assert (hook.events, hook.active, hook.description) == ([events.NOTE_SIGNED], False, "Practice calendar")
    assert LogEntry.objects.filter(object_pk=str(hook.pk), actor=manager, action=LogEntry.Action.UPDATE).exists()


def test_the_edit_form_starts_from_the_endpoint(as_manager):
    hook = endpoint(events.NOTE_SIGNED, description="EHR")
    form = as_manager.get(reverse("manager:webhook_edit", args=[hook.pk])).context["form"]
    assert (form["events"].value(), form["description"].value()) == ([events.NOTE_SIGNED], "EHR")


def test_a_new_secret_is_shown_once_and_replaces_the_old(as_manager):
    hook = endpoint(events.APPOINTMENT_BOOKED)
    old = hook.secret

    response = as_manager.post(reverse("manager:webhook_secret_new", args=[hook.pk]), follow=True)

    hook.refresh_from_db()
    assert hook.secret != old and hook.secret in response.content.decode()
    assert messages_of(response) == ["Made a new secret; the old one no longer signs anything."]


def test_a_secret_waiting_for_another_webhook_is_not_shown_here(as_manager):
    one, two = endpoint(events.APPOINTMENT_BOOKED), endpoint(events.NOTE_SIGNED, url="https://two.example.org/")
    as_manager.post(reverse("manager:webhook_secret_new", args=[one.pk]))
    one.refresh_from_db()

    page = as_manager.get(reverse("manager:webhook_deliveries", args=[two.pk])).content.decode()

    assert one.secret not in page and two.secret not in page


def test_the_log_pages_its_deliveries_with_a_bounded_number_of_queries(as_manager, django_assert_max_num_queries):
    hook = endpoint(events.APPOINTMENT_BOOKED)
    appointment = AppointmentFactory()
    for _ in range(30):
        deliveries_record(events.APPOINTMENT_BOOKED, appointment=appointment)
    url = reverse("manager:webhook_deliveries", args=[hook.pk])

    with django_assert_max_num_queries(12):
        first = as_manager.get(url)
    second = as_manager.get(url, {"page": 2})

    assert len(first.context["page"].object_list) == 25 and len(second.context["page"].object_list) == 5
    assert "Retry now" in first.content.decode()


def test_a_test_event_is_sent_at_once_and_logged(as_manager, webhook_receiver):
    hook = endpoint(events.APPOINTMENT_BOOKED, url=webhook_receiver.url)

    response = as_manager.post(reverse("manager:webhook_test_send", args=[hook.pk]), follow=True)

    assert messages_of(response) == ["Delivered: the endpoint answered 200."]
    assert webhook_receiver.received[0].headers["X-Clinic-Event"] == "webhook.test"
    assert "webhook.test" in response.content.decode()


def test_retry_now_sends_a_waiting_delivery(as_manager, webhook_receiver):
    webhook_receiver.answers = [500]
    hook = endpoint(events.APPOINTMENT_BOOKED, url=webhook_receiver.url)
    (delivery,) = deliveries_record(events.APPOINTMENT_BOOKED, appointment=AppointmentFactory())

    response = as_manager.post(reverse("manager:webhook_delivery_retry", args=[delivery.pk]), follow=True)

    assert messages_of(response) == ["Not delivered: The endpoint answered 500 Internal Server Error."]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
    assert hook.pk == delivery.endpoint_id


def test_retry_now_of_a_delivered_delivery_sends_nothing(as_manager, webhook_receiver):
    endpoint(events.APPOINTMENT_BOOKED, url=webhook_receiver.url)
    (delivery,) = deliveries_record(events.APPOINTMENT_BOOKED, appointment=AppointmentFactory())
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.DELIVERED, delivered_at=delivery.created_at
    )

    response = as_manager.post(reverse("manager:webhook_delivery_retry", args=[delivery.pk]), follow=True)

    assert messages_of(response) == ["That delivery is being sent right now, or was delivered already."]
    assert webhook_receiver.received == []


@pytest.mark.parametrize("role", [roles.RECEPTIONIST, roles.THERAPIST, roles.PATIENT])
def test_only_the_manager_gets_in(db, role):
    client = client_for(UserFactory(role=role))
    hook = endpoint(events.APPOINTMENT_BOOKED)
    for url in (LIST, ADD, reverse("manager:webhook_deliveries", args=[hook.pk])):
        assert client.get(url).status_code == 403
    secret = hook.secret
    assert client.post(reverse("manager:webhook_secret_new", args=[hook.pk])).status_code == 403
    hook.refresh_from_db()
    assert hook.secret == secret


@pytest.mark.parametrize(
    ("name", "method"),
    [("webhook_list", "post"), ("webhook_deliveries", "post"), ("webhook_secret_new", "get"),
     ("webhook_test_send", "get"), ("webhook_delivery_retry", "get"), ("webhook_edit", "delete")],
)
def test_wrong_methods_are_405(as_manager, name, method):
    hook = endpoint(events.APPOINTMENT_BOOKED)
    (delivery,) = deliveries_record(events.APPOINTMENT_BOOKED, appointment=AppointmentFactory())
    args = [] if name == "webhook_list" else [delivery.pk if name == "webhook_delivery_retry" else hook.pk]
    assert getattr(as_manager, method)(reverse(f"manager:{name}", args=args)).status_code == 405


def test_an_unknown_endpoint_is_404(as_manager):
    assert as_manager.get(reverse("manager:webhook_deliveries", args=[987654])).status_code == 404
