"""The pages outside any workspace: the landing page that sends each role to its own, and the
benchmark's constant page."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from clinic import roles

# Where each role lands after login, in order of precedence for a user with several roles.
ROLE_HOMES = [
    (roles.MANAGER, "manager:manager_home"),
    (roles.RECEPTIONIST, "reception:day_board"),
    (roles.THERAPIST, "therapist:my_day"),
    (roles.PATIENT, "portal:portal_home"),
]


@require_GET
@login_required
def home(request):
    user_roles = roles.user_roles(request.user)
    for role, url_name in ROLE_HOMES:
        if role in user_roles:
            return redirect(url_name)
    return render(request, "no_role.html", status=403)


@require_GET
def bench_baseline(request):
    """A small constant page through the whole middleware stack: the benchmark's yardstick for
    what one request costs before any page does its own work (docs/PERFORMANCE.md). Routed only
    when CLINIC_BENCH_BASELINE=1, and refuses to answer otherwise all the same."""
    if not settings.BENCH_BASELINE:
        raise Http404
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
