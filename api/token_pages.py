"""The page in a user's account area where they create and revoke their personal API tokens.
It is a page like the others: a session, CSRF, and a manager's second factor first
(clinic.middleware.TwoFactorMiddleware). The secret is shown once, on the page that created it."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from api.models import ApiToken, TokenScope
from api.tokens import MAX_ACTIVE_TOKENS, api_token_create, api_token_revoke
from clinic.audit import client_address
from clinic.refusals import Refused


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=ApiToken._meta.get_field("name").max_length,
        label=gettext_lazy("Name"),
        help_text=gettext_lazy("What the token is for, so you know which one to revoke later."),
    )
    scope = forms.ChoiceField(
        choices=TokenScope.choices,
        initial=TokenScope.READ,
        widget=forms.RadioSelect,
        label=gettext_lazy("Scope"),
        help_text=gettext_lazy("A read-only token cannot book, move, cancel or change anything."),
    )


# A new token's secret waits here between the POST that made it and the one page that shows it
# (as the recovery codes do, pages.accounts): a reload then neither re-posts nor shows it again.
CREATED_KEY = "clinic_api_token_created"


@require_http_methods(["GET", "POST"])
@login_required
def token_list(request):
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                remote_addr=client_address(request),
            )
        except Refused as error:
            for reason in error.reasons:
                form.add_error(None, reason)
        else:
            request.session[CREATED_KEY] = {"name": token.name, "secret": secret}
            return redirect("api_tokens:token_list")
    context = {
        "form": form,
        "created": request.session.pop(CREATED_KEY, None) if request.method == "GET" else None,
        "tokens": ApiToken.objects.filter(user=request.user),
        "max_tokens": MAX_ACTIVE_TOKENS,
    }
    return render(request, "api/token_list.html", context)


@require_POST
@login_required
def token_revoke(request, pk: int):
    # Another user's token is no token of yours: 404, whoever asks.
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    try:
        api_token_revoke(token=token, remote_addr=client_address(request))
    except Refused as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, gettext("Revoked the token %(name)s; it opens nothing any more.") % {"name": token.name}
        )
    return redirect("api_tokens:token_list")


app_name = "api_tokens"
urlpatterns = [
    path("accounts/api-tokens/", token_list, name="token_list"),
    path("accounts/api-tokens/<int:pk>/revoke/", token_revoke, name="token_revoke"),
]
