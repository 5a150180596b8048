from pages.manager import clinic_editors as editors
from pages.manager import intake_consent, patient_data, views, webhooks

app_name = "manager"

urlpatterns = [*views.routes, *editors.routes, *intake_consent.routes, *patient_data.routes, *webhooks.routes]
