"""The SMS channel: the console backend by default, and the generic HTTP gateway backend, tested
against a fake gateway served on 127.0.0.1 by the test itself (no real gateway is reachable)."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings

from clinic.messaging import (
    ConsoleSmsBackend,
    HttpSmsBackend,
    MessageNotSent,
    TextMessage,
    sms_number,
    sms_send,
    staff_notify,
)
from tests.factories import UserFactory


class FakeGateway:
    """An HTTP server on a free port of 127.0.0.1 that records what it is sent and answers with
    `status` (after `delay` seconds)."""

    def __init__(self, status: int = 200, delay: float = 0.0):
        self.status, self.delay, self.received = status, delay, []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                gateway.received.append(
                    {"path": self.path, "headers": dict(self.headers), "body": json.loads(self.rfile.read(length))}
                )
                time.sleep(gateway.delay)
                self.send_response(gateway.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"id": "msg-1"}')

            def log_message(self, *args):  # keep the test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/sms"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


GATEWAY = "clinic.messaging.HttpSmsBackend"


def test_the_http_backend_posts_json_with_the_token_and_the_sender():
    with (
        FakeGateway() as gateway,
        override_settings(
            CLINIC_SMS_BACKEND=GATEWAY,
            CLINIC_SMS_GATEWAY_URL=gateway.url,
            CLINIC_SMS_GATEWAY_TOKEN="s3cret-token",
            CLINIC_SMS_SENDER="Riverside",
        ),
    ):
        sms_send(to="+49 (30) 1234-5678", text="Your session is tomorrow at 10:00.")

    [request] = gateway.received
    assert request["path"] == "/sms"
    assert request["headers"]["Authorization"] == "Bearer s3cret-token"
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["body"] == {"to": "+493012345678", "from": "Riverside", "text": "Your session is tomorrow at 10:00."}


@pytest.mark.parametrize("status", [400, 401, 500, 503])
def test_a_gateway_error_is_logged_and_raised_as_message_not_sent(status, caplog):
    with (
        FakeGateway(status=status) as gateway,
        override_settings(CLINIC_SMS_BACKEND=GATEWAY, CLINIC_SMS_GATEWAY_URL=gateway.url),
    ):
        with pytest.raises(MessageNotSent, match=f"answered {status}"):
            sms_send(to="+49 30 1", text="Hello")

    assert f"answered {status}" in caplog.text


def test_a_gateway_that_does_not_answer_in_time_is_given_up_on():
    with FakeGateway(delay=1.0) as gateway:
        backend = HttpSmsBackend(url=gateway.url, token="", timeout=0.2)
        started = time.monotonic()
        with pytest.raises(MessageNotSent, match="could not be reached"):
            backend.send(TextMessage(to="+4930", text="Hello"))
    assert time.monotonic() - started < 1.0


def test_a_gateway_nobody_listens_on_is_message_not_sent():
    with FakeGateway() as gateway:
        url = gateway.url
    # The server is shut down and its port closed.
    with pytest.raises(MessageNotSent, match="could not be reached"):
        HttpSmsBackend(url=url, token="", timeout=2).send(TextMessage(to="+4930", text="Hello"))


def test_without_a_gateway_url_the_http_backend_says_so():
    with pytest.raises(MessageNotSent, match="No SMS gateway is configured"):
        HttpSmsBackend(url="", token="", timeout=1).send(TextMessage(to="+4930", text="Hello"))


def test_the_console_backend_prints_the_message(capsys):
    ConsoleSmsBackend().send(TextMessage(to="+4930123", text="See you tomorrow.", sender="Clinic"))

    printed = capsys.readouterr().out
    assert "SMS from Clinic to +4930123" in printed and "See you tomorrow." in printed


def test_the_console_backend_is_the_default():
    from clinic import settings as production

    assert production.CLINIC_SMS_BACKEND == "clinic.messaging.ConsoleSmsBackend"


@pytest.mark.parametrize(
    ("phone", "number"),
    [("+49 30 1234 5678", "+493012345678"), ("030 (1234) 56-78", "03012345678"), (" +1-555-0100 ", "+15550100")],
)
def test_numbers_are_sent_as_digits_with_their_plus(phone, number):
    assert sms_number(phone) == number


def test_staff_are_told_by_email(db, mailoutbox):
    user = UserFactory(email="lena@clinic.example")

    assert staff_notify(user=user, subject="New booking", text="Maria booked Monday 10:00.")
    assert mailoutbox[0].to == ["lena@clinic.example"] and mailoutbox[0].subject == "New booking"


def test_staff_without_an_address_are_not_told_and_nothing_breaks(db, mailoutbox):
    assert not staff_notify(user=UserFactory(email=""), subject="New booking", text="…")
    assert mailoutbox == []
