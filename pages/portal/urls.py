from django.urls import path

from pages.portal import self_booking, views

app_name = "portal"

urlpatterns = [
    path("portal/", views.portal_home, name="portal_home"),
    path("portal/appointments/", views.portal_appointments, name="portal_appointments"),
    path("portal/appointments/<int:pk>/cancel/", views.portal_appointment_cancel, name="portal_appointment_cancel"),
    path("portal/appointments/<int:pk>/calendar.ics", views.portal_appointment_ics, name="portal_appointment_ics"),
    path("portal/courses/<int:pk>/book/", self_booking.portal_self_book, name="portal_self_book"),
    path("portal/appointments/<int:pk>/move/", self_booking.portal_self_move, name="portal_self_move"),
    path("portal/messages/", self_booking.portal_contact_channel, name="portal_contact_channel"),
    path("portal/courses/<int:pk>/measure/", views.portal_measure, name="portal_measure"),
    path("portal/calendar/", views.portal_calendar, name="portal_calendar"),
    path("portal/calendar/renew/", views.portal_calendar_renew, name="portal_calendar_renew"),
    # No login: the secret token is the key (calendar apps cannot log in).
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
