from pages.booking import views

app_name = "booking"

urlpatterns = [*views.routes]
