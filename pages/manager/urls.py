from django.urls import path

from pages.manager import clinic_editors as editors
from pages.manager import intake_consent, views

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
    # Running the clinic (pages/manager/clinic_editors.py).
    path("manager/sites/", editors.location_list, name="location_list"),
    path("manager/sites/new/", editors.location_create, name="location_create"),
    path("manager/sites/<int:pk>/", editors.location_edit, name="location_edit"),
    path("manager/therapists/", editors.therapist_list, name="therapist_list"),
    path("manager/therapists/<int:pk>/", editors.therapist_edit, name="therapist_edit"),
    path("manager/therapists/<int:pk>/hours/", editors.therapist_hours, name="therapist_hours"),
    path("manager/rooms/", editors.room_list, name="room_list"),
    path("manager/rooms/new/", editors.room_create, name="room_create"),
    path("manager/rooms/<int:pk>/", editors.room_edit, name="room_edit"),
    path("manager/modalities/", editors.modality_list, name="modality_list"),
    path("manager/modalities/new/", editors.modality_create, name="modality_create"),
    path("manager/modalities/<int:pk>/", editors.modality_edit, name="modality_edit"),
    path("manager/closures/", editors.closure_list, name="closure_list"),
    path("manager/closures/new/", editors.closure_create, name="closure_create"),
    path("manager/closures/<int:pk>/", editors.closure_edit, name="closure_edit"),
    path("manager/closures/<int:pk>/delete/", editors.closure_delete, name="closure_delete"),
    path("manager/rules/", editors.rule_list, name="rule_list"),
    path("manager/rules/new/", editors.rule_create, name="rule_create"),
    path("manager/rules/<int:pk>/", editors.rule_edit, name="rule_edit"),
    # The questionnaire and consent texts, in versions (pages/manager/intake_consent.py).
    path("manager/intake/", intake_consent.intake_questions, name="intake_questions"),
    path("manager/intake/edit/", intake_consent.intake_edit, name="intake_edit"),
    path("manager/consents/", intake_consent.consent_list, name="consent_list"),
    path("manager/consents/new/", intake_consent.consent_create, name="consent_create"),
    path("manager/consents/<int:pk>/", intake_consent.consent_edit, name="consent_edit"),
    path("manager/consents/<int:pk>/text/", intake_consent.consent_text, name="consent_text"),
    path("manager/consent-versions/<int:pk>/", intake_consent.consent_version, name="consent_version"),
]
