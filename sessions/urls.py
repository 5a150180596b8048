from django.urls import path

from sessions import availability_views, break_glass_views, chart_views, note_views, portal_views, views

app_name = "sessions"

urlpatterns = [
    path("reception/", views.day_board, name="day_board"),
    path("reception/week/", views.week_board, name="week_board"),
    path("reception/review/", views.review_list, name="review_list"),
    path("reception/patients/<int:pk>/", views.patient_overview, name="patient_overview"),
    path("book/", views.appointment_book, name="appointment_book"),
    path("availability/", availability_views.availability, name="availability"),
    path("courses/<int:pk>/series/", views.course_series_book, name="course_series_book"),
    path("appointments/<int:pk>/", views.appointment_detail, name="appointment_detail"),
    path("appointments/<int:pk>/check-in/", views.appointment_check_in, name="appointment_check_in"),
    path("appointments/<int:pk>/no-show/", views.appointment_no_show, name="appointment_no_show"),
    path("appointments/<int:pk>/complete/", views.appointment_complete, name="appointment_complete"),
    path("appointments/<int:pk>/cancel/", views.appointment_cancel, name="appointment_cancel"),
    path("appointments/<int:pk>/reschedule/", views.appointment_reschedule, name="appointment_reschedule"),
    path("appointments/<int:pk>/keep/", views.review_keep, name="review_keep"),
    path("appointments/<int:pk>/review-cancel/", views.review_cancel, name="review_cancel"),
    path("therapist/", note_views.my_day, name="my_day"),
    path("appointments/<int:pk>/note/", note_views.note_edit, name="note_edit"),
    path("notes/<int:pk>/addenda/", note_views.addendum_add, name="addendum_add"),
    path("therapist/patients/<int:pk>/", chart_views.patient_chart, name="patient_chart"),
    path(
        "therapist/patients/<int:pk>/emergency-access/",
        break_glass_views.break_glass_open,
        name="break_glass_open",
    ),
    path("therapist/patients/<int:pk>/diagnoses/new/", chart_views.diagnosis_create, name="diagnosis_create"),
    path("therapist/diagnoses/<int:pk>/studies/new/", chart_views.study_create, name="study_create"),
    path("therapist/diagnoses/<int:pk>/phases/new/", chart_views.phase_record_create, name="phase_record_create"),
    path("therapist/patients/<int:pk>/flags/new/", chart_views.health_flag_create, name="health_flag_create"),
    path("therapist/flags/<int:pk>/end/", chart_views.health_flag_end, name="health_flag_end"),
    path("therapist/patients/<int:pk>/courses/new/", chart_views.course_prescribe, name="course_prescribe"),
    path("therapist/courses/<int:pk>/suspend/", chart_views.course_suspend, name="course_suspend"),
    path("therapist/courses/<int:pk>/resume/", chart_views.course_resume, name="course_resume"),
    path("therapist/courses/<int:pk>/close/", chart_views.course_close, name="course_close"),
    path("reception/patients/<int:pk>/invite/", portal_views.portal_invite, name="portal_invite"),
    path("portal/", portal_views.portal_home, name="portal_home"),
    path("portal/appointments/", portal_views.portal_appointments, name="portal_appointments"),
    path(
        "portal/appointments/<int:pk>/cancel/",
        portal_views.portal_appointment_cancel,
        name="portal_appointment_cancel",
    ),
    path(
        "portal/appointments/<int:pk>/calendar.ics",
        portal_views.portal_appointment_ics,
        name="portal_appointment_ics",
    ),
    path("portal/calendar/", portal_views.portal_calendar, name="portal_calendar"),
    path("portal/calendar/renew/", portal_views.portal_calendar_renew, name="portal_calendar_renew"),
    # No login: the secret token is the key (calendar apps cannot log in).
    path("calendar/<str:token>.ics", portal_views.calendar_feed, name="calendar_feed"),
]
