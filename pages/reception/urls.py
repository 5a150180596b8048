from pages.reception import kiosk, views, waitlist

app_name = "reception"

urlpatterns = [*views.routes, *waitlist.routes, *kiosk.routes]
