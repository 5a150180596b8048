from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from clinic import views
from patients import audit_views

admin.site.site_header = "Clinic administration"

clinic_patterns = (
    [
        path("manager/", views.manager_home, name="manager_home"),
        path("manager/audit/", audit_views.audit_log, name="audit_log"),
        path("manager/break-glass/", audit_views.break_glass_list, name="break_glass_list"),
    ],
    "clinic",
)
if settings.BENCH_BASELINE:  # the benchmark's constant page; never routed in production
    clinic_patterns[0].append(path("bench/baseline/", views.bench_baseline, name="bench_baseline"))

# A therapist refused a chart is offered emergency access; any other 403 is Django's own page.
handler403 = "sessions.break_glass_views.permission_denied"

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("", include(clinic_patterns)),
    path("patients/", include("patients.urls")),
    path("", include("sessions.urls")),
]
