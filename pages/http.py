"""What pages read from a request: the day they show, where to go back to afterwards, the site's address."""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

# The boards step a day or a week either way and query the day in UTC: stay clear of the
# calendar's ends, where that arithmetic overflows.
EARLIEST_DAY, LATEST_DAY = dt.date(1900, 1, 1), dt.date(9000, 12, 31)


def day_param(request, name: str = "day") -> dt.date:
    """The ISO day in the query string, or today when it is missing, malformed or out of range."""
    try:
        day = dt.date.fromisoformat(request.GET.get(name, ""))
    except ValueError:
        return timezone.localdate()
    return day if EARLIEST_DAY <= day <= LATEST_DAY else timezone.localdate()


def safe_next_url(request, next_url: str, fallback: str) -> str:
    """`next_url` when it is a path on this site, otherwise `fallback`. A path only: redirect()
    would take a bare word ("0", "home") for a URL name."""
    if next_url.startswith("/") and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return next_url
    return fallback


def site_url(request) -> str:
    """The site's address for a link in a message: CLINIC_BASE_URL, or the host the request came to."""
    return settings.CLINIC_BASE_URL or request.build_absolute_uri("/").rstrip("/")
