from django.urls import path

from sessions import views

app_name = "sessions"

urlpatterns = [
    path("reception/", views.day_board, name="day_board"),
    path("therapist/", views.my_day, name="my_day"),
    path("portal/", views.portal_home, name="portal_home"),
    path("appointments/<int:pk>/", views.appointment_detail, name="appointment_detail"),
]
