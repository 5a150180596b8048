from django.urls import path

from pages.manager import views

app_name = "manager"

urlpatterns = [
    path("manager/", views.manager_home, name="manager_home"),
    path("manager/reports/", views.reports, name="reports"),
    path("manager/measures/", views.measure_list, name="measure_list"),
    path("manager/measures/new/", views.measure_create, name="measure_create"),
    path("manager/audit/", views.audit_log, name="audit_log"),
    path("manager/audit/suggest/", views.audit_suggest, name="audit_suggest"),
    path("manager/break-glass/", views.break_glass_list, name="break_glass_list"),
    path("manager/break-glass/<int:pk>/review/", views.break_glass_review, name="break_glass_review"),
]
