from django.urls import path

from pages.chart import break_glass, intake, views

app_name = "chart"

urlpatterns = [
    path("therapist/patients/<int:pk>/", views.patient_chart, name="patient_chart"),
    path("therapist/patients/<int:pk>/emergency-access/", break_glass.break_glass_open, name="break_glass_open"),
    path("therapist/patients/<int:pk>/diagnoses/new/", views.diagnosis_create, name="diagnosis_create"),
    path("therapist/diagnoses/<int:pk>/studies/new/", views.study_create, name="study_create"),
    path("therapist/diagnoses/<int:pk>/phases/new/", views.phase_record_create, name="phase_record_create"),
    path("therapist/patients/<int:pk>/flags/new/", views.health_flag_create, name="health_flag_create"),
    path("therapist/flags/<int:pk>/end/", views.health_flag_end, name="health_flag_end"),
    path("therapist/patients/<int:pk>/courses/new/", views.course_prescribe, name="course_prescribe"),
    path("therapist/courses/<int:pk>/suspend/", views.course_suspend, name="course_suspend"),
    path("therapist/courses/<int:pk>/resume/", views.course_resume, name="course_resume"),
    path("therapist/courses/<int:pk>/close/", views.course_close, name="course_close"),
    # Intake and consent on the chart (pages/chart/intake.py).
    path("therapist/flag-proposals/<int:pk>/confirm/", intake.flag_proposal_confirm, name="flag_proposal_confirm"),
    path("therapist/flag-proposals/<int:pk>/dismiss/", intake.flag_proposal_dismiss, name="flag_proposal_dismiss"),
    path("therapist/consents/<int:pk>/", intake.consent_signature, name="consent_signature"),
]
