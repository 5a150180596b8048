from django.urls import path

from patients import views

app_name = "patients"

urlpatterns = [
    path("<int:pk>/", views.patient_detail, name="patient_detail"),
]
