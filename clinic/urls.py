from django.contrib import admin
from django.urls import include, path

from clinic import views

admin.site.site_header = "Clinic administration"

clinic_patterns = (
    [path("manager/", views.manager_home, name="manager_home")],
    "clinic",
)

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("", include(clinic_patterns)),
    path("patients/", include("patients.urls")),
    path("", include("sessions.urls")),
]
