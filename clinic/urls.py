"""The project's URLs: Django's own (log in, the admin), the landing page, and one include per
workspace in pages/ (each its own namespace: accounts, reception, booking, therapist, chart,
portal, manager). The only module of the domain apps that imports pages."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import LoginView
from django.urls import include, path
from django.utils.translation import gettext_lazy

from pages import views
from pages.accounts.forms import AdminLoginForm, LoginForm
from pages.password_reset import PasswordReset

admin.site.site_header = gettext_lazy("Clinic administration")
# The admin's log-in takes no more than the site's own (pages.accounts.forms).
admin.site.login_form = AdminLoginForm

# A therapist refused a chart is offered emergency access; any other 403 is Django's own page.
handler403 = "pages.chart.break_glass.permission_denied"

urlpatterns = [
    path("", views.home, name="home"),
    # Ours, before Django's: the app's look, the clinic's e-mail and a rate limit.
    path("accounts/password_reset/", PasswordReset.as_view(), name="password_reset"),
    # Django's log-in view with the length limits of pages.accounts.forms; the rest is Django's.
    path("accounts/login/", LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("pages.accounts.urls")),
    path("admin/", admin.site.urls),
    path("", include("pages.manager.urls")),
    path("", include("pages.reception.urls")),
    path("", include("pages.booking.urls")),
    path("", include("pages.therapist.urls")),
    path("", include("pages.chart.urls")),
    path("", include("pages.portal.urls")),
    # The REST API and the account page of its personal tokens (api/).
    path("api/v1/", include("api.urls")),
    path("", include("api.token_pages")),
]
if settings.BENCH_BASELINE:  # the benchmark's constant page; never routed in production
    urlpatterns.append(path("bench/baseline/", views.bench_baseline, name="bench_baseline"))
