"""The manager's endpoints: every refusal reason, the secret, and the addresses refused in
production (CLINIC_WEBHOOK_ALLOW_PRIVATE off)."""

import pytest
from django.test import override_settings

from clinic import events
from clinic.refusals import Refused
from tests.webhooks.scene import endpoint
from webhooks.addresses import host_problem, url_problem
from webhooks.models import WebhookEndpoint
from webhooks.services import webhook_endpoint_create, webhook_endpoint_update, webhook_secret_rotate

pytestmark = pytest.mark.django_db

PRIVATE = "That address is on a private network; webhooks go to addresses on the internet."


def refusal(**kwargs) -> list[str]:
    with pytest.raises(Refused) as excinfo:
        webhook_endpoint_create(
            url=kwargs.get("url", "https://hooks.example.org/"),
            events=kwargs.get("events", [events.APPOINTMENT_BOOKED]),
            created_by=None,
        )
    assert not WebhookEndpoint.objects.exists()
    return excinfo.value.reasons


def test_a_new_endpoint_has_its_own_secret_and_sorted_events():
    one = endpoint(events.NOTE_SIGNED, events.APPOINTMENT_BOOKED, events.NOTE_SIGNED)
    two = endpoint(events.NOTE_SIGNED)

    assert one.events == [events.APPOINTMENT_BOOKED, events.NOTE_SIGNED]
    assert one.secret.startswith("whsec_") and len(one.secret) > 40 and one.secret != two.secret
    assert (one.active, one.clinical_text_allowed) == (True, False)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://hooks.example.org/", "Enter an http:// or https:// URL with a host name."),
        ("javascript:alert(1)", "Enter an http:// or https:// URL with a host name."),
        ("https://", "Enter an http:// or https:// URL with a host name."),
        ("https://hooks.example.org:99999/", "Enter a valid URL."),
        ("https://user:pw@hooks.example.org/",
         "Leave the user name and password out of the URL; the signature proves it is the clinic."),
    ],
)
def test_a_url_that_is_not_http_is_refused(url, reason):
    assert refusal(url=url) == [reason]


def test_a_url_django_does_not_accept_is_refused_even_where_private_addresses_are_allowed():
    assert refusal(url="http://intranet/") == ["Enter a valid URL."]


def test_no_event_is_refused():
    assert refusal(events=[]) == ["Choose at least one event."]


def test_an_unknown_event_is_refused():
    assert refusal(events=["patient.deleted"]) == ["There is no event called patient.deleted."]


@override_settings(CLINIC_WEBHOOK_ALLOW_PRIVATE=False)
@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8000/", "http://localhost/", "http://10.0.0.5/", "http://192.168.1.1/x", "http://[::1]/",
     "http://169.254.169.254/latest/meta-data/", "http://db.internal/", "http://intranet/"],
)
def test_in_production_a_private_address_is_refused(url):
    assert refusal(url=url) == [PRIVATE]


@override_settings(CLINIC_WEBHOOK_ALLOW_PRIVATE=False)
def test_in_production_a_public_address_is_accepted():
    assert url_problem("https://hooks.example.org/clinic") == ""


@override_settings(CLINIC_WEBHOOK_ALLOW_PRIVATE=False)
def test_before_sending_a_name_resolving_to_a_private_address_is_refused(monkeypatch):
    monkeypatch.setattr("socket.getaddrinfo", lambda *a, **k: [(2, 1, 6, "", ("10.1.2.3", 443))])
    assert host_problem("https://hooks.example.org/") == "The host name points to a private network address; not sent."


def test_an_update_is_refused_like_a_new_one_and_changes_nothing():
    hook = endpoint(events.APPOINTMENT_BOOKED)

    with pytest.raises(Refused) as excinfo:
        webhook_endpoint_update(endpoint=hook, url="gopher://x", events=[], description="", active=True,
                                clinical_text_allowed=True)

    assert excinfo.value.reasons == ["Enter an http:// or https:// URL with a host name.", "Choose at least one event."]
    hook.refresh_from_db()
    assert (hook.url, hook.clinical_text_allowed) == ("https://hooks.example.org/clinic", False)


def test_rotating_gives_a_new_secret():
    hook = endpoint(events.APPOINTMENT_BOOKED)
    old = hook.secret

    webhook_secret_rotate(endpoint=hook)

    hook.refresh_from_db()
    assert hook.secret != old and hook.secret.startswith("whsec_")
