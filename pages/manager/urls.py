from django.urls import path

from pages.manager import views

app_name = "manager"

urlpatterns = [
    path("manager/", views.manager_home, name="manager_home"),
    path("manager/audit/", views.audit_log, name="audit_log"),
    path("manager/break-glass/", views.break_glass_list, name="break_glass_list"),
]
