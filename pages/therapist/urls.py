from pages.therapist import views

app_name = "therapist"

urlpatterns = [*views.routes]
