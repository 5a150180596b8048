from pages.portal import self_booking, views, waitlist

app_name = "portal"

urlpatterns = [*views.routes, *self_booking.routes, *waitlist.routes]
