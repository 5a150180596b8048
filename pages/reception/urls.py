from django.urls import path

from pages.reception import kiosk, views

app_name = "reception"

urlpatterns = [
    path("reception/", views.day_board, name="day_board"),
    path("reception/week/", views.week_board, name="week_board"),
    path("reception/review/", views.review_list, name="review_list"),
    path("appointments/<int:pk>/keep/", views.review_keep, name="review_keep"),
    path("appointments/<int:pk>/review-cancel/", views.review_cancel, name="review_cancel"),
    path("reception/patients/<int:pk>/review-cancel/", views.review_cancel_all, name="review_cancel_all"),
    path("reception/patients/<int:pk>/", views.patient_overview, name="patient_overview"),
    path("reception/patients/<int:pk>/invite/", views.portal_invite, name="portal_invite"),
    # The reception tablet (pages/reception/kiosk.py): reception starts it for a patient on the
    # tablet; the kiosk pages need no login, only the tablet's kiosk session.
    path("reception/patients/<int:pk>/tablet/", kiosk.kiosk_start, name="kiosk_start"),
    path("kiosk/", kiosk.kiosk_home, name="kiosk_home"),
    path("kiosk/health-questions/", kiosk.kiosk_intake, name="kiosk_intake"),
    path("kiosk/consents/<int:pk>/", kiosk.kiosk_consent, name="kiosk_consent"),
    path("kiosk/finish/", kiosk.kiosk_finish, name="kiosk_finish"),
    path("kiosk/done/", kiosk.kiosk_done, name="kiosk_done"),
    path("patients/", views.patient_list, name="patient_list"),
    path("patients/new/", views.patient_create, name="patient_create"),
    # The patient's old address: redirects to the overview.
    path("patients/<int:pk>/", views.patient_detail, name="patient_detail"),
    path("patients/<int:pk>/edit/", views.patient_edit, name="patient_edit"),
]
