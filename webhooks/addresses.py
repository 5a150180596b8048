"""Which URLs the clinic POSTs to: http or https, and not into its own network.

A webhook makes the server send requests where the manager says, so an address on the private
network (the database, a metadata service, localhost) is refused unless CLINIC_WEBHOOK_ALLOW_PRIVATE
is on (development and the tests, which receive on 127.0.0.1). The host is checked when the
endpoint is saved and its addresses again before every POST, since a name can change what it
points to; redirects are not followed."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext

SCHEMES = ("http", "https")
LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa")


def _private(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return not ip.is_global or ip.is_multicast


def url_problem(url: str) -> str:
    """Why this URL may not receive webhooks, or "" (without resolving the name)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError on a port out of range)
    except ValueError:
        return gettext("Enter a valid URL.")
    if parts.scheme not in SCHEMES or not parts.hostname:
        return gettext("Enter an http:// or https:// URL with a host name.")
    if parts.username or parts.password:
        return gettext("Leave the user name and password out of the URL; the signature proves it is the clinic.")
    if settings.CLINIC_WEBHOOK_ALLOW_PRIVATE:
        return ""
    host = parts.hostname.lower().rstrip(".")
    try:
        private = _private(host)
    except ValueError:
        private = host == "localhost" or host.endswith(LOCAL_SUFFIXES) or "." not in host
    if private:
        return gettext("That address is on a private network; webhooks go to addresses on the internet.")
    return ""


def host_problem(url: str) -> str:
    """Before a POST: what the host's name resolves to now, if it is private (or does not resolve)."""
    if settings.CLINIC_WEBHOOK_ALLOW_PRIVATE:
        return ""
    parts = urlsplit(url)
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except OSError as error:
        return f"The host name does not resolve: {error}."
    if any(_private(info[4][0]) for info in infos):
        return "The host name points to a private network address; not sent."
    return ""
