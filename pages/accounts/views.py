"""The second factor of the log-in: enrolling an authenticator app (QR code and the secret as
text), the verification step after the password, recovery codes, and a manager's reset of a lost
device. The rules are in clinic.two_factor; clinic.middleware.TwoFactorMiddleware sends a user who
owes the second factor here before any other page."""

from urllib.parse import urlencode

import segno
from axes.handlers.proxy import AxesProxyHandler
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic import roles, two_factor
from clinic.accounts import user_sessions_end
from clinic.audit import client_address
from clinic.refusals import Refused
from pages.accounts.forms import CodeForm, EnrolForm
from pages.http import safe_next_url
from pages.refusals import refusal_message, refusal_on_form
from pages.roles import role_required
from pages.routes import Routes

routes = Routes()

# Recovery codes wait here between the POST that made them and the one page that shows them.
CODES_KEY = "clinic_recovery_codes"
PAGE_SIZE = 50


def _next(request) -> str:
    return safe_next_url(request, request.POST.get("next") or request.GET.get("next", ""), "/")


def _qr_svg(url: str) -> str:
    """The QR code as inline SVG markup: no script, no inline style, no data: URL (the CSP)."""
    svg = segno.make(url, error="m").svg_inline(scale=5, border=2, title=gettext("QR code for your authenticator app"))
    return mark_safe(svg)  # noqa: S308 - segno's own markup from a URL it encodes


@routes("accounts/two-factor/enrol/")
@require_http_methods(["GET", "POST"])
@login_required
def two_factor_enrol(request):
    user = request.user
    if two_factor.two_factor_enabled(user):
        # Enrolling again would replace the device: only from a session that gave the old one.
        if not user.is_verified():
            return redirect("accounts:two_factor_verify")
        messages.info(request, gettext("Two-factor log-in is already set up for your account."))
        return redirect("accounts:recovery_codes")
    device = two_factor.totp_device_pending(user=user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = two_factor.totp_confirm(
                user=user, token=form.cleaned_data["code"], remote_addr=client_address(request)
            )
        except Refused as error:
            refusal_on_form(form, error)
        else:
            otp_login(request, device)
            # Like a new password: the user's other sessions, which never gave a code, end.
            user_sessions_end(user=user, keep=request.session.session_key)
            request.session[CODES_KEY] = codes
            messages.success(request, gettext("Two-factor log-in is set up. Keep your recovery codes somewhere safe."))
            return redirect(f"{reverse('accounts:recovery_codes')}?{urlencode({'next': _next(request)})}")
    context = {
        "form": form,
        "qr_svg": _qr_svg(device.config_url),
        "secret": two_factor.totp_secret_text(device),
        "required": two_factor.two_factor_required(user),
        "next": _next(request),
    }
    return render(request, "accounts/two_factor_enrol.html", context)


def _locked_out(request) -> bool:
    credentials = {"username": request.user.get_username()}
    return AxesProxyHandler.is_locked(request, credentials)


@routes("accounts/two-factor/verify/")
@require_http_methods(["GET", "POST"])
@login_required
def two_factor_verify(request):
    user = request.user
    if user.is_verified():
        return redirect(_next(request))
    if not two_factor.two_factor_enabled(user):
        return redirect("accounts:two_factor_enrol")
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        credentials = {"username": user.get_username()}
        if _locked_out(request):
            # The account is locked out: no more guessing, and the half-logged-in session ends.
            logout(request)
            request.axes_locked_out = True
            request.axes_credentials = credentials
            return render(request, "accounts/two_factor_verify.html", {"form": CodeForm(), "next": ""})
        device = None
        if form.is_valid():
            device = two_factor.second_factor_check(user=user, token=form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        # A wrong code counts toward the account's lockout like a wrong password (django-axes).
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            logout(request)
            return render(request, "accounts/two_factor_verify.html", {"form": CodeForm(), "next": ""})
        form.add_error(
            "code", gettext("That code is not right, or it was used already. Wait for the next one and try again.")
        )
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next(request)})


@routes("accounts/two-factor/recovery-codes/")
@require_http_methods(["GET", "POST"])
@login_required
def recovery_codes(request):
    user = request.user
    if not two_factor.two_factor_enabled(user):
        return redirect("accounts:two_factor_enrol")
    if request.method == "POST":
        try:
            request.session[CODES_KEY] = two_factor.recovery_codes_renew(user=user, remote_addr=client_address(request))
        except Refused as error:
            refusal_message(request, error)
        return redirect("accounts:recovery_codes")
    codes = request.session.pop(CODES_KEY, None)  # shown once
    context = {"codes": codes, "left": two_factor.recovery_codes_left(user), "next": _next(request)}
    return render(request, "accounts/recovery_codes.html", context)


@routes("accounts/two-factor/reset/")
@require_http_methods(["GET"])
@role_required(roles.MANAGER)
def two_factor_reset_list(request):
    enrolled = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    users = (
        get_user_model()
        .objects.annotate(enrolled=Exists(enrolled))
        .filter(enrolled=True, is_active=True)
        .prefetch_related("groups")
        .order_by("username")
    )
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/two_factor_reset_list.html", {"page": page})


@routes("accounts/two-factor/reset/<int:pk>/")
@require_POST
@role_required(roles.MANAGER)
def two_factor_reset(request, pk: int):
    user = get_object_or_404(get_user_model(), pk=pk)
    try:
        two_factor.two_factor_reset(user=user, by=request.user, remote_addr=client_address(request))
    except Refused as error:
        refusal_message(request, error)
    else:
        messages.success(
            request,
            gettext("Two-factor log-in of %(user)s is reset: their next log-in sets up a new app.")
            % {"user": user.get_username()},
        )
    return redirect("accounts:two_factor_reset_list")
