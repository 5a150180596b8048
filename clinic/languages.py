"""The interface's language: which one a request gets, and a user's choice of it.

Order: the language saved on the user's profile (copied into the session at log-in, so no page
reads the profile), else the language cookie (set by the chooser, also for someone not logged
in), else the browser's Accept-Language, else settings.LANGUAGE_CODE. E-mails, text messages and
calendar files go out in the patient's own language (patients.notify), not the reader's."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from clinic.models import Profile

SESSION_KEY = "clinic_language"


def language_supported(code: str | None) -> str | None:
    """`code` as one of settings.LANGUAGES ("en-US" -> "en-gb"), or None."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def user_language_set(*, user, language: str) -> str:
    """Save `language` (a code of settings.LANGUAGES, or "" for the browser's) on the user's profile."""
    chosen = language_supported(language) or ""
    Profile.objects.update_or_create(user=user, defaults={"language": chosen})
    return chosen


def user_language(user) -> str:
    """The language saved on the user's profile, or ""."""
    return Profile.objects.filter(user=user).values_list("language", flat=True).first() or ""


@receiver(user_logged_in, dispatch_uid="clinic_language_from_profile")
def _language_into_session(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = user_language(user)


class LanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware (cookie, browser, default) with the profile's choice first."""

    def process_request(self, request):
        session = getattr(request, "session", None)
        chosen = language_supported(session.get(SESSION_KEY)) if session is not None else None
        if chosen is None:
            super().process_request(request)
            return
        translation.activate(chosen)
        request.LANGUAGE_CODE = translation.get_language()
