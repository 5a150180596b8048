"""What the webhook tests share: an endpoint subscribed to some events, and a receiving server on
127.0.0.1 (a random port) that records what it was sent and answers as told."""

import http.server
import json
import threading
import time
from dataclasses import dataclass, field

from clinic.events import EVENTS
from webhooks.models import WebhookEndpoint
from webhooks.services import webhook_endpoint_create


def endpoint(*events: str, url: str = "https://hooks.example.org/clinic", **fields) -> WebhookEndpoint:
    fields.setdefault("created_by", None)
    return webhook_endpoint_create(url=url, events=list(events or EVENTS), **fields)


@dataclass
class Received:
    headers: dict
    body: bytes

    @property
    def payload(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A local HTTP server in a thread; `answers` are the status codes to give, in turn (the last
    repeats)."""

    answers: list[int] = field(default_factory=lambda: [200])
    received: list[Received] = field(default_factory=list)
    delay: float = 0  # seconds each answer takes

    def __post_init__(self):
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(Received(dict(self.headers), body))
                time.sleep(receiver.delay)
                status = receiver.answers[min(len(receiver.received), len(receiver.answers)) - 1]
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def closed_port_url() -> str:
    """A URL on 127.0.0.1 nobody listens on: the connection is refused."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"
