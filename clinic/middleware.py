"""The project's own middleware: sessions that end (below), the request's user read with its
session, hostile input answered 400 before any page sees it, the security headers Django does not
send, and the two-factor gate.

Sessions end after a spell without requests, and a fixed time after logging in.

A computer left logged in at the reception desk or in a treatment room shows health records to
whoever sits down at it next. Django's own cookie age cannot tell an idle session from a busy
one, so this middleware keeps two times in the session and logs the user out when either limit
is passed. The same limits apply to every user, patients included: a patient's own record is
health data too, often read on a phone that is shared or left unlocked.
"""

import datetime as dt
import re
import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import logout
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, resolve_url
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.functional import SimpleLazyObject
from django.utils.translation import ngettext
from django_htmx.http import HttpResponseClientRedirect

from clinic.backends import user_read_with
from clinic.session_store import remember_user

LOGIN_AT = "clinic_login_at"
LAST_SEEN = "clinic_last_seen"
# Writing the session on every request costs a database write each time (htmx fragments
# included); a minute's slack on a thirty-minute limit is not worth that.
LAST_SEEN_RESOLUTION_SECONDS = 60


@receiver(user_logged_in, dispatch_uid="clinic_session_stamp")
def session_stamp_on_login(sender, request, user, **kwargs):
    """Start both clocks in the session that logging in has just created and will save anyway."""
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[LOGIN_AT] = now
        request.session[LAST_SEEN] = now


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        now = time.time()
        if request.user.is_authenticated:
            reason = self._expired(request.session, now)
            if reason:
                return self._log_out(request, reason)
        response = self.get_response(request)
        # A session from before this middleware, or one logged in without the signal, starts now.
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            self._stamp(request.session, now)
        return response

    @staticmethod
    def _expired(session, now: float) -> str:
        login_at = session.get(LOGIN_AT)
        last_seen = session.get(LAST_SEEN)
        if login_at is not None and now - login_at > settings.CLINIC_SESSION_MAX_HOURS * 3600:
            hours = settings.CLINIC_SESSION_MAX_HOURS
            return ngettext(
                "You were logged out because you logged in more than %(hours)s hours ago. Please log in again.",
                "You were logged out because you logged in more than %(hours)s hours ago. Please log in again.",
                hours,
            ) % {"hours": hours}
        if last_seen is not None and now - last_seen > settings.CLINIC_SESSION_IDLE_MINUTES * 60:
            minutes = settings.CLINIC_SESSION_IDLE_MINUTES
            return ngettext(
                "You were logged out after %(minutes)s minutes without activity. Please log in again.",
                "You were logged out after %(minutes)s minutes without activity. Please log in again.",
                minutes,
            ) % {"minutes": minutes}
        return ""

    @staticmethod
    def _stamp(session, now: float) -> None:
        if session.get(LOGIN_AT) is None:
            session[LOGIN_AT] = now
        last_seen = session.get(LAST_SEEN)
        if last_seen is None or now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS:
            session[LAST_SEEN] = now

    @staticmethod
    def _log_out(request, reason: str):
        logout(request)
        messages.info(request, reason)
        if request.headers.get("HX-Request") == "true":
            # htmx would swap the login page into a fragment; send the whole page there instead.
            return HttpResponseClientRedirect(resolve_url(settings.LOGIN_URL))
        if request.method == "GET":
            return redirect_to_login(request.get_full_path())
        # What was posted is lost with the session; a POST-only address is no place to return to.
        return redirect(settings.LOGIN_URL)


# --- the request's user ----------------------------------------------------------------------------


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, with the user's row and roles taken from the session's own statement when the
    session store read them there (clinic.session_store); Django's checks of the user and of the
    session's password hash are unchanged. A user found is remembered for the session's next
    reads."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _request_user(request))


@receiver(user_logged_in, dispatch_uid="clinic_session_user_remembered")
def session_user_remember_on_login(sender, request, user, **kwargs):
    """The session a log-in has just made is the user's from its first request on."""
    if request is not None and hasattr(request, "session"):
        remember_user(request.session.session_key, user.pk)


def _request_user(request):
    if not hasattr(request, "_cached_user"):
        with user_read_with(request.session):
            user = auth.get_user(request)
        if user.is_authenticated:
            remember_user(request.session.session_key, user.pk)
        request._cached_user = user
    return request._cached_user


# --- hostile input ---------------------------------------------------------------------------------

NUL = "\x00"
# The admin's date drill-down (date_hierarchy) reads <field>__year, __month and __day.
_DATE_PART = re.compile(r"__(year|month|day)$")
_DATE_RANGES = {"year": (1, 9998), "month": (1, 12), "day": (1, 31)}


def _hostile_input_problem(request) -> str:
    """Why the request is refused before any page sees it, or "" when it is not."""
    if NUL in request.path_info or NUL in request.path:
        return "The address contains a NUL character."
    query = [(key, value) for key, values in request.GET.lists() for value in values]
    if any(NUL in key or NUL in value for key, value in query):
        return "The address's query contains a NUL character."
    if any(NUL in key or NUL in value for key, value in request.COOKIES.items()):
        return "A cookie contains a NUL character."
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        form = [(key, value) for key, values in request.POST.lists() for value in values]
        if any(NUL in key or (isinstance(value, str) and NUL in value) for key, value in form):
            return "The form contains a NUL character."
    parts: dict[str, dict[str, int]] = {}
    for key, value in query:
        match = _DATE_PART.search(key)
        if not match:
            continue
        part = match.group(1)
        low, high = _DATE_RANGES[part]
        if not (value.isascii() and value.isdigit() and len(value) <= 4 and low <= int(value) <= high):
            return f"{key} must be a whole number from {low} to {high}."
        parts.setdefault(key[: match.start()], {})[part] = int(value)
    for field, given in parts.items():
        try:
            dt.date(given.get("year", 2000), given.get("month", 1), given.get("day", 1))
        except ValueError:
            return f"The date drill-down of {field} is not a real date."
    return ""


class HostileInputMiddleware:
    """Answer 400, with the reason, a request no page could handle sensibly: a NUL character in
    the address, its query, a cookie or the posted form (PostgreSQL refuses NUL in text, so such a
    value would otherwise reach the database as a server error), or an impossible date in the
    admin's date drill-down (which computes the next month or year and overflows). One check
    for every page, logged in or not."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = _hostile_input_problem(request)
        if problem:
            return HttpResponseBadRequest(f"Bad request: {problem}\n", content_type="text/plain; charset=utf-8")
        return self.get_response(request)


# --- security headers ------------------------------------------------------------------------------

# OWASP Secure Headers Project: no browser feature the clinic does not use.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "sync-xhr",
        "usb",
        "xr-spatial-tracking",
    )
)
SECURITY_HEADERS = {
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "X-Permitted-Cross-Domain-Policies": "none",
}


class SecurityHeadersMiddleware:
    """The response headers Django does not set itself (OWASP Secure Headers Project, ASVS V14.4),
    and no caching of pages: they show health data, and a shared computer's browser cache or a
    proxy must not keep them (ASVS V8.2.1). Static files (WhiteNoise, further in) keep their own
    long-lived caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if "Cache-Control" not in response.headers:
            add_never_cache_headers(response)
        return response


# --- two-factor log-in -----------------------------------------------------------------------------

# What a user who still owes the second factor may open: the two steps themselves and log-out.
TWO_FACTOR_OPEN = {"accounts:two_factor_verify", "accounts:two_factor_enrol", "logout"}
# Set in the session when a user who needs no second factor was found to have none enrolled,
# so that their later requests skip the lookup.
NO_SECOND_FACTOR = "clinic_no_second_factor"


@receiver(user_logged_in, dispatch_uid="clinic_second_factor_noted")
def second_factor_note_on_login(sender, request, user, **kwargs):
    """Note in the new session that this user owes no second factor (none required, none
    enrolled), so that their requests skip the lookup; the session is being saved anyway."""
    from clinic import two_factor

    if request is None or not hasattr(request, "session"):
        return
    if not two_factor.two_factor_required(user) and not two_factor.two_factor_enabled(user):
        request.session[NO_SECOND_FACTOR] = user.pk


class TwoFactorMiddleware:
    """No page for a logged-in user who needs a second factor and has not given it in this
    session: to the verification step with an enrolled device, to enrolment without one
    (clinic.two_factor says who needs it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        step = self._step(request)
        if step and self._url_name(request) not in TWO_FACTOR_OPEN:
            target = reverse(f"accounts:two_factor_{step}")
            if request.method == "GET" and not request.headers.get("HX-Request"):
                target += "?" + urlencode({"next": request.get_full_path()})
            if request.headers.get("HX-Request") == "true":
                return HttpResponseClientRedirect(target)
            return redirect(target)
        return self.get_response(request)

    @staticmethod
    def _step(request) -> str:
        from clinic import two_factor

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return ""
        if two_factor.two_factor_required(user):
            return two_factor.VERIFY if two_factor.two_factor_enabled(user) else two_factor.ENROL
        if request.session.get(NO_SECOND_FACTOR) == user.pk:
            return ""
        if two_factor.two_factor_enabled(user):  # a patient who opted in
            return two_factor.VERIFY
        request.session[NO_SECOND_FACTOR] = user.pk
        return ""

    @staticmethod
    def _url_name(request) -> str:
        try:
            return resolve(request.path_info).view_name
        except Resolver404:
            return ""
