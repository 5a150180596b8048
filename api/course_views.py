"""Courses (read by the front desk and the treating therapist; prescribed by clinicians) and
session notes (read by the session's own therapist and by managers)."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from api.base import ApiView, front_desk_or_treats, list_schema, named, treats_or_manages
from api.inputs import CoursePrescribeForm, form_cleaned
from api.patient_views import BAD_INPUT, REFUSED
from api.permissions import CLINICIANS, FRONT_DESK, NOTE_READERS, STAFF
from api.serializers import CoursePrescribeInputSerializer, CourseSerializer, IdField, SessionNoteSerializer
from clinic import roles
from clinic.roles import has_role
from patients.models import Patient
from sessions import courses
from sessions.chart_access import patients_treated_by
from sessions.course_progress import with_progress
from sessions.models import Course, CourseStatus, SessionNote


class CourseFilter(serializers.Serializer):
    patient = IdField(required=False)
    status = serializers.ChoiceField(choices=CourseStatus.choices, required=False)


def _clinical(user) -> bool:
    return has_role(user, *CLINICIANS)


class CourseList(ApiView):
    roles = STAFF
    write_roles = CLINICIANS
    serializer_class = CourseSerializer

    @list_schema(
        "courses",
        "Courses",
        CourseSerializer,
        CourseFilter,
        description="Reception and managers read every course (reception without the clinical part); "
        "a therapist the courses of her own patients.",
    )
    def get(self, request):
        filters = self.query(CourseFilter)
        rows = with_progress(Course.objects.select_related("modality")).order_by("-starts_on", "-pk")
        if not has_role(request.user, *FRONT_DESK):
            rows = rows.filter(patient__in=patients_treated_by(user=request.user).values("pk"))
        for name, value in filters.items():
            rows = rows.filter(**{name: value})
        return self.paginated(rows, CourseSerializer, clinical=_clinical(request.user))

    @extend_schema(
        summary="Prescribe a course",
        description="For a patient the therapist treats; numbers left out come from the modality's "
        "defaults. 422 while anything blocks the modality for the patient today.",
        request=CoursePrescribeInputSerializer,
        responses={201: CourseSerializer, 400: BAD_INPUT, 422: REFUSED},
    )
    def post(self, request):
        given = self.body(CoursePrescribeInputSerializer)
        patient = named(Patient, given["patient"], "patient")
        self.audit_patient = patient
        if not treats_or_manages(request.user, patient):
            raise PermissionDenied(gettext("You do not treat this patient."))
        form = CoursePrescribeForm(data={k: v for k, v in request.data.items() if k != "patient"}, patient=patient)
        form_cleaned(form)
        course = courses.course_prescribe(patient=patient, prescribed_by=request.user, **form.course_data)
        course = with_progress(Course.objects.select_related("modality")).get(pk=course.pk)
        return Response(CourseSerializer(course, context={"clinical": True}).data, status=status.HTTP_201_CREATED)


class CourseDetail(ApiView):
    roles = STAFF
    serializer_class = CourseSerializer

    @extend_schema(summary="One course")
    def get(self, request, pk: int):
        course = get_object_or_404(with_progress(Course.objects.select_related("modality", "patient")), pk=pk)
        self.audit_patient, self.audit_obj = course.patient, course
        if not front_desk_or_treats(request.user, course.patient):
            raise PermissionDenied(gettext("You do not treat this patient."))
        return Response(CourseSerializer(course, context={"clinical": _clinical(request.user)}).data)


class NoteFilter(serializers.Serializer):
    patient = IdField(required=False)


def _readable_notes(user):
    """A manager reads every note; a therapist the notes of the sessions she treated."""
    notes = SessionNote.objects.select_related("appointment").prefetch_related("addenda")
    if has_role(user, roles.MANAGER):
        return notes
    return notes.filter(appointment__therapist__user=user)


class NoteList(ApiView):
    roles = NOTE_READERS
    serializer_class = SessionNoteSerializer

    @list_schema("notes", "Session notes", SessionNoteSerializer, NoteFilter)
    def get(self, request):
        filters = self.query(NoteFilter)
        rows = _readable_notes(request.user).order_by("-appointment__starts_at", "-pk")
        if "patient" in filters:
            rows = rows.filter(appointment__patient=filters["patient"])
        return self.paginated(rows, SessionNoteSerializer)


class NoteDetail(ApiView):
    roles = NOTE_READERS
    serializer_class = SessionNoteSerializer

    @extend_schema(summary="One session note")
    def get(self, request, pk: int):
        note = get_object_or_404(
            SessionNote.objects.select_related("appointment__patient", "appointment__therapist"), pk=pk
        )
        self.audit_patient, self.audit_obj = note.appointment.patient, note
        if not has_role(request.user, roles.MANAGER) and note.appointment.therapist.user_id != request.user.pk:
            raise PermissionDenied(gettext("Only the session's own therapist reads its note."))
        return Response(SessionNoteSerializer(note).data)
