from pages.portal import self_booking, views

app_name = "portal"

urlpatterns = [*views.routes, *self_booking.routes]
