from django.urls import path

from pages.therapist import views

app_name = "therapist"

urlpatterns = [
    path("therapist/", views.my_day, name="my_day"),
    path("therapist/my-patients/", views.my_patients, name="my_patients"),
    path("therapist/unsigned-notes/", views.unsigned_notes, name="unsigned_notes"),
    path("appointments/<int:pk>/note/", views.note_edit, name="note_edit"),
    path("notes/<int:pk>/addenda/", views.addendum_add, name="addendum_add"),
]
