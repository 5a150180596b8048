from pages.reception import views

app_name = "reception"

urlpatterns = [*views.routes]
