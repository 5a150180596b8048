from pages.manager import clinic_editors as editors
from pages.manager import views

app_name = "manager"

urlpatterns = [*views.routes, *editors.routes]
