"""The channels the clinic sends messages through: e-mail (Django's mail backends, as configured by
the EMAIL_* settings) and text messages (SMS) through a pluggable backend, CLINIC_SMS_BACKEND:

- `ConsoleSmsBackend` (the default) prints each message, like Django's console e-mail backend;
- `HttpSmsBackend` POSTs JSON to a generic HTTP gateway (CLINIC_SMS_GATEWAY_URL, with
  CLINIC_SMS_GATEWAY_TOKEN as a Bearer token and CLINIC_SMS_SENDER as the sender) and waits at
  most CLINIC_SMS_TIMEOUT_SECONDS;
- `LocmemSmsBackend` keeps them in `sms_outbox`, for tests.

Every failure comes back as `MessageNotSent`, logged here once; callers decide whether to try
another channel or again later, and no page answers a gateway's failure with a server error.
Who gets what, on which channel, is the patients' business (patients.notify)."""

import json
import logging
import smtplib
import sys
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

EMAIL, SMS = "email", "sms"

# A text message longer than this is cut (a gateway splits it into at most ten parts).
SMS_MAX_LENGTH = 1530


class MessageNotSent(Exception):
    """A message could not be handed to its channel (the mail server or the SMS gateway refused,
    timed out or could not be reached). The sentence says which and why, without the text."""


@dataclass(frozen=True)
class TextMessage:
    to: str
    text: str
    sender: str = ""


class SmsBackend:
    """What an SMS backend does: hand one message to its gateway, or raise MessageNotSent."""

    def send(self, message: TextMessage) -> None:
        raise NotImplementedError


class ConsoleSmsBackend(SmsBackend):
    """Prints each message to standard output: the default, so that nothing leaves the machine
    until a gateway is configured."""

    _lock = threading.Lock()

    def send(self, message: TextMessage) -> None:
        with self._lock:
            sys.stdout.write(f"SMS from {message.sender or '-'} to {message.to}:\n{message.text}\n{'-' * 40}\n")
            sys.stdout.flush()


# Messages LocmemSmsBackend "sent", oldest first (tests empty it).
sms_outbox: list[TextMessage] = []


class LocmemSmsBackend(SmsBackend):
    def send(self, message: TextMessage) -> None:
        sms_outbox.append(message)


class HttpSmsBackend(SmsBackend):
    """A generic HTTP gateway: POST {"to", "from", "text"} as JSON with `Authorization: Bearer
    <token>`; any 2xx answer is success. Most providers accept this shape or sit behind a small
    relay that does."""

    def __init__(self, *, url: str | None = None, token: str | None = None, timeout: float | None = None):
        self.url = url if url is not None else settings.CLINIC_SMS_GATEWAY_URL
        self.token = token if token is not None else settings.CLINIC_SMS_GATEWAY_TOKEN
        self.timeout = timeout if timeout is not None else settings.CLINIC_SMS_TIMEOUT_SECONDS

    def send(self, message: TextMessage) -> None:
        if not self.url:
            raise MessageNotSent("No SMS gateway is configured (CLINIC_SMS_GATEWAY_URL).")
        body = json.dumps({"to": message.to, "from": message.sender, "text": message.text}).encode()
        request = urllib.request.Request(self.url, data=body, method="POST")
        request.add_header("Content-Type", "application/json")
        request.add_header("Accept", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (the URL is ours)
                response.read(4096)
        except urllib.error.HTTPError as error:
            raise MessageNotSent(f"The SMS gateway answered {error.code} {error.reason}.") from error
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
            reason = getattr(error, "reason", None) or error
            raise MessageNotSent(f"The SMS gateway could not be reached: {reason}.") from error


def sms_backend() -> SmsBackend:
    return import_string(settings.CLINIC_SMS_BACKEND)()


def sms_number(phone: str) -> str:
    """A phone number as gateways take it: the leading + and the digits ("+49 30 1234-5678" →
    "+493012345678")."""
    digits = "".join(char for char in phone if char.isdigit())
    return f"+{digits}" if phone.strip().startswith("+") else digits


def sms_send(*, to: str, text: str) -> None:
    """Send one text message through CLINIC_SMS_BACKEND; raises MessageNotSent (logged)."""
    message = TextMessage(to=sms_number(to), text=text[:SMS_MAX_LENGTH], sender=settings.CLINIC_SMS_SENDER)
    try:
        sms_backend().send(message)
    except MessageNotSent as error:
        logger.error("SMS not sent: %s", error)
        raise


def email_send(*, to: str, subject: str, text: str, connection=None) -> None:
    """Send one e-mail through the configured mail backend; raises MessageNotSent (logged)."""
    try:
        EmailMessage(subject=subject, body=text, to=[to], connection=connection).send()
    except (smtplib.SMTPException, OSError) as error:
        logger.error("E-mail not sent: %s", error)
        raise MessageNotSent(f"The e-mail could not be sent: {error}.") from error


def staff_notify(*, user, subject: str, text: str) -> bool:
    """Tell a member of staff something by e-mail (their account's address); False, logged, when
    they have none or it could not be sent. A notice never stops what caused it."""
    address = getattr(user, "email", "") or ""
    if not address:
        logger.info("No e-mail address for %s; notice %r not sent", user, subject)
        return False
    try:
        email_send(to=address, subject=subject, text=text)
    except MessageNotSent:
        return False
    return True
