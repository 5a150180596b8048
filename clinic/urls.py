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
