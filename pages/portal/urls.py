from pages.portal import intake_consent, self_booking, views, waitlist

app_name = "portal"

urlpatterns = [*views.routes, *self_booking.routes, *waitlist.routes, *intake_consent.routes]
