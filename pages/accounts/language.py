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

from clinic import roles
from clinic.languages import SESSION_KEY, user_language_set
from pages.http import safe_next_url
from pages.routes import Routes
from patients.models import Patient
from patients.services import patient_language_set

routes = Routes()


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=settings.LANGUAGES)


@routes("accounts/language/")
@require_POST
def language_choose(request):
    """Save the choice (on the profile, and for a patient as the language of the clinic's
    messages too), keep it in the session and a cookie, and go back to the page it came from."""
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
    user = request.user
    if user.is_authenticated:
        patient = Patient.objects.filter(user=user).first() if roles.PATIENT in roles.user_roles(user) else None
        if patient is not None:
            patient_language_set(patient=patient, language=language)
        else:
            user_language_set(user=user, language=language)
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
