"""Sessions that end: after a spell without requests, and a fixed time after logging in.

A computer left logged in at the reception desk or in a treatment room shows health records to
whoever sits down at it next. Django's own cookie age cannot tell an idle session from a busy
one, so this middleware keeps two times in the session and logs the user out when either limit
is passed. The same limits apply to every user, patients included: a patient's own record is
health data too, often read on a phone that is shared or left unlocked.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.shortcuts import redirect, resolve_url
from django_htmx.http import HttpResponseClientRedirect

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
            return (
                f"You were logged out because you logged in more than {settings.CLINIC_SESSION_MAX_HOURS} hours "
                "ago. Please log in again."
            )
        if last_seen is not None and now - last_seen > settings.CLINIC_SESSION_IDLE_MINUTES * 60:
            return (
                f"You were logged out after {settings.CLINIC_SESSION_IDLE_MINUTES} minutes without activity. "
                "Please log in again."
            )
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
