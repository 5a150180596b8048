from django.urls import path

from pages.portal import intake_consent, views

app_name = "portal"

urlpatterns = [
    path("portal/", views.portal_home, name="portal_home"),
    path("portal/appointments/", views.portal_appointments, name="portal_appointments"),
    path("portal/appointments/<int:pk>/cancel/", views.portal_appointment_cancel, name="portal_appointment_cancel"),
    path("portal/appointments/<int:pk>/calendar.ics", views.portal_appointment_ics, name="portal_appointment_ics"),
    path("portal/courses/<int:pk>/measure/", views.portal_measure, name="portal_measure"),
    path("portal/health-questions/", intake_consent.portal_intake, name="portal_intake"),
    path("portal/consents/", intake_consent.portal_consents, name="portal_consents"),
    path("portal/consents/<int:pk>/", intake_consent.portal_consent_sign, name="portal_consent_sign"),
    path("portal/calendar/", views.portal_calendar, name="portal_calendar"),
    path("portal/calendar/renew/", views.portal_calendar_renew, name="portal_calendar_renew"),
    # No login: the secret token is the key (calendar apps cannot log in).
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
