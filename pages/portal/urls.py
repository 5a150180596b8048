from django.urls import path

from pages.portal import views, waitlist

app_name = "portal"

urlpatterns = [
    path("portal/", views.portal_home, name="portal_home"),
    path("portal/appointments/", views.portal_appointments, name="portal_appointments"),
    path("portal/appointments/<int:pk>/cancel/", views.portal_appointment_cancel, name="portal_appointment_cancel"),
    path("portal/appointments/<int:pk>/calendar.ics", views.portal_appointment_ics, name="portal_appointment_ics"),
    path("portal/courses/<int:pk>/measure/", views.portal_measure, name="portal_measure"),
    path("portal/calendar/", views.portal_calendar, name="portal_calendar"),
    path("portal/calendar/renew/", views.portal_calendar_renew, name="portal_calendar_renew"),
    # The waitlist (pages/portal/waitlist.py); an offer's page is reached by the signed link in its message.
    path("portal/waitlist/", waitlist.portal_waitlist, name="portal_waitlist"),
    path("portal/waitlist/new/", waitlist.portal_waitlist_add, name="portal_waitlist_add"),
    path("portal/waitlist/<int:pk>/withdraw/", waitlist.portal_waitlist_withdraw, name="portal_waitlist_withdraw"),
    path("portal/waitlist/offers/<str:token>/", waitlist.waitlist_offer, name="waitlist_offer"),
    path("portal/waitlist/offers/<str:token>/accept/", waitlist.offer_accept, name="waitlist_offer_accept"),
    path("portal/waitlist/offers/<str:token>/decline/", waitlist.offer_decline, name="waitlist_offer_decline"),
    # No login: the secret token is the key (calendar apps cannot log in).
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
