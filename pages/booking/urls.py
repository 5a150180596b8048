from django.urls import path

from pages.booking import views

app_name = "booking"

urlpatterns = [
    path("book/", views.appointment_book, name="appointment_book"),
    path("availability/", views.availability, name="availability"),
    path("courses/<int:pk>/series/", views.course_series_book, name="course_series_book"),
    path("appointments/<int:pk>/", views.appointment_detail, name="appointment_detail"),
    path("appointments/<int:pk>/check-in/", views.appointment_check_in, name="appointment_check_in"),
    path("appointments/<int:pk>/no-show/", views.appointment_no_show, name="appointment_no_show"),
    path("appointments/<int:pk>/complete/", views.appointment_complete, name="appointment_complete"),
    path("appointments/<int:pk>/cancel/", views.appointment_cancel, name="appointment_cancel"),
    path("appointments/<int:pk>/reschedule/", views.appointment_reschedule, name="appointment_reschedule"),
]
