from pages.reception import views, waitlist

app_name = "reception"

urlpatterns = [*views.routes, *waitlist.routes]
