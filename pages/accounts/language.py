"""The language chooser in the navigation bar: for anyone, logged in or not. The rules of which
language a request gets are in clinic.languages."""

from urllib.parse import urlsplit, urlunsplit

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from clinic.languages import SESSION_KEY
from pages.http import safe_next_url
from pages.routes import Routes
from patients.services import user_language_choose

routes = Routes()


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=settings.LANGUAGES)


@routes("accounts/language/")
@require_POST
def language_choose(request):
    """Save the choice (patients.services.user_language_choose), keep it in the session and a
    cookie, and go back to the page it came from."""
    # Back to the page the form was on: the Referer (same-origin, SECURE_REFERRER_POLICY), so no
    # page writes its own address into the form (a 404 page must not echo the path it was asked).
    referer = urlsplit(request.META.get("HTTP_REFERER", ""))
    came_from = urlunsplit(("", "", referer.path, referer.query, "")) if referer.netloc == request.get_host() else ""
    back = safe_next_url(request, request.POST.get("next") or came_from, "/")
    form = LanguageForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choose one of the languages offered."))
        return redirect(back)
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        user_language_choose(user=request.user, language=language)
        request.session[SESSION_KEY] = language
    translation.activate(language)
    messages.success(request, gettext("Language changed."))
    response = redirect(back)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
