from pages.manager import clinic_editors as editors
from pages.manager import intake_consent, views

app_name = "manager"

urlpatterns = [*views.routes, *editors.routes, *intake_consent.routes]
