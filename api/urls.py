"""The REST API's addresses, under /api/v1/ (namespace `api`), with its OpenAPI 3 schema and the
documentation page built from it."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from api import appointment_views, course_views, docs_page, own_views, patient_views

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs_page.docs, name="docs"),
    path("patients/", patient_views.PatientList.as_view(), name="patient_list"),
    path("patients/<int:pk>/", patient_views.PatientDetail.as_view(), name="patient_detail"),
    path("availability/", appointment_views.Availability.as_view(), name="availability"),
    path("appointments/", appointment_views.AppointmentList.as_view(), name="appointment_list"),
    path("appointments/<int:pk>/", appointment_views.AppointmentDetail.as_view(), name="appointment_detail"),
    path(
        "appointments/<int:pk>/reschedule/",
        appointment_views.AppointmentReschedule.as_view(),
        name="appointment_reschedule",
    ),
    path(
        "appointments/<int:pk>/status/", appointment_views.AppointmentStatusChange.as_view(), name="appointment_status"
    ),
    path("courses/", course_views.CourseList.as_view(), name="course_list"),
    path("courses/<int:pk>/", course_views.CourseDetail.as_view(), name="course_detail"),
    path("notes/", course_views.NoteList.as_view(), name="note_list"),
    path("notes/<int:pk>/", course_views.NoteDetail.as_view(), name="note_detail"),
    path("me/", own_views.OwnRecord.as_view(), name="own_record"),
    path("me/appointments/", own_views.OwnAppointments.as_view(), name="own_appointments"),
    path("me/appointments/<int:pk>/cancel/", own_views.OwnAppointmentCancel.as_view(), name="own_appointment_cancel"),
    path("me/courses/", own_views.OwnCourses.as_view(), name="own_courses"),
    path("me/summaries/", own_views.OwnSummaries.as_view(), name="own_summaries"),
]
