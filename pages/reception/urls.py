from django.urls import path

from pages.reception import views, waitlist

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
    # The waitlist (pages/reception/waitlist.py).
    path("reception/waitlist/", waitlist.waitlist, name="waitlist"),
    path("reception/waitlist/send/", waitlist.waitlist_send, name="waitlist_send"),
    path("reception/waitlist/<int:pk>/withdraw/", waitlist.waitlist_withdraw, name="waitlist_withdraw"),
    path("reception/waitlist/slots/<int:pk>/release/", waitlist.waitlist_slot_release, name="waitlist_slot_release"),
    path("reception/patients/<int:pk>/waitlist/", waitlist.waitlist_add, name="waitlist_add"),
    path("patients/", views.patient_list, name="patient_list"),
    path("patients/new/", views.patient_create, name="patient_create"),
    # The patient's old address: redirects to the overview.
    path("patients/<int:pk>/", views.patient_detail, name="patient_detail"),
    path("patients/<int:pk>/edit/", views.patient_edit, name="patient_edit"),
]
