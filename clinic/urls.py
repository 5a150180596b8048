"""The project's URLs: Django's own (log in, the admin), the landing page, and one include per
workspace in pages/ (each its own namespace: reception, booking, therapist, chart, portal,
manager). The only module of the domain apps that imports pages."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from pages import views
from pages.password_reset import PasswordReset

admin.site.site_header = "Clinic administration"

# A therapist refused a chart is offered emergency access; any other 403 is Django's own page.
handler403 = "pages.chart.break_glass.permission_denied"

urlpatterns = [
    path("", views.home, name="home"),
    # Ours, before Django's: the app's look, the clinic's e-mail and a rate limit.
    path("accounts/password_reset/", PasswordReset.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("", include("pages.manager.urls")),
    path("", include("pages.reception.urls")),
    path("", include("pages.booking.urls")),
    path("", include("pages.therapist.urls")),
    path("", include("pages.chart.urls")),
    path("", include("pages.portal.urls")),
]
if settings.BENCH_BASELINE:  # the benchmark's constant page; never routed in production
    urlpatterns.append(path("bench/baseline/", views.bench_baseline, name="bench_baseline"))
