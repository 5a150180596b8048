"""The API's throttle: requests per user at settings.CLINIC_API_THROTTLE_RATE, counted where every
server sees them, in the audit log (each API request is already an entry there: api.http.AuditedMixin)."""

import datetime as dt

from auditlog.models import LogEntry
from django.conf import settings
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle

API_PATH = "/api/"


def api_requests(*, actor, since: dt.datetime):
    """The API requests `actor` (a user, or OuterRef to one) made since `since`: AuditedMixin's
    entries, one for every request the API answered, whichever server answered it."""
    return LogEntry.objects.filter(
        actor=actor, action=LogEntry.Action.ACCESS, timestamp__gte=since, additional_data__path__startswith=API_PATH
    )


class ApiUserThrottle(SimpleRateThrottle):
    """Requests per user, counted in the audit log, where each is already an entry; not in Django's
    cache, which is each process's own memory (every server and worker would count apart). The
    token's lookup brings the count (api.tokens.api_token_for_secret), so a request costs no query
    of its own; only a refused one asks when its oldest counted request leaves the window. Every
    request counts, refused ones too: a client that keeps asking while refused stays refused.
    Without a user (no valid token) the permissions have refused the request already."""

    wait_seconds: float | None = None

    def get_rate(self):
        # DRF makes a throttle for each request, so a deployment and the tests can change the rate.
        return settings.CLINIC_API_THROTTLE_RATE

    def since(self) -> dt.datetime:
        """When the requests that count began: one period of the rate ago."""
        return timezone.now() - dt.timedelta(seconds=self.duration)

    def allow_request(self, request, view):
        if not request.user.is_authenticated:
            return True
        since = self.since()
        count = getattr(request.auth, "api_requests", None)
        if count is None:  # the schema, read with a session rather than a token
            count = api_requests(actor=request.user, since=since).count()
        if count < self.num_requests:
            return True
        oldest = api_requests(actor=request.user, since=since).order_by("timestamp").first()
        self.wait_seconds = max(0.0, (oldest.timestamp - since).total_seconds()) if oldest else None
        return False

    def wait(self):
        return self.wait_seconds
