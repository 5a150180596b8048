"""The patient's own data: their record, sessions, courses and the summaries of their signed
notes (never the clinical text), and cancelling a session within the notice period. Another
patient's session is 404, as in the portal."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from api.base import ApiView
from api.patient_views import BAD_INPUT, REFUSED
from api.permissions import PATIENTS
from api.serializers import (
    CourseSerializer,
    OwnAppointmentSerializer,
    OwnCancelInputSerializer,
    PatientSerializer,
    SummarySerializer,
)
from patients.models import Patient
from sessions.course_progress import with_progress
from sessions.models import Appointment, Course, SessionNote
from sessions.self_booking import self_cancel


class OwnView(ApiView):
    roles = PATIENTS

    def patient(self) -> Patient:
        # A patient login no record points at (a slip in the admin) has no data to show.
        patient = get_object_or_404(Patient, user_id=self.request.user.pk)
        self.audit_patient = patient
        return patient


class OwnRecord(OwnView):
    serializer_class = PatientSerializer

    @extend_schema(summary="My record and contact details")
    def get(self, request):
        return Response(PatientSerializer(self.patient()).data)


class OwnAppointments(OwnView):
    serializer_class = OwnAppointmentSerializer

    @extend_schema(summary="My sessions, the latest first", responses=OwnAppointmentSerializer(many=True))
    def get(self, request):
        rows = (
            Appointment.objects.filter(patient=self.patient())
            .select_related("patient", "modality", "therapist__user", "room")
            .order_by("-starts_at", "-pk")
        )
        return self.paginated(rows, OwnAppointmentSerializer)


class OwnAppointmentCancel(OwnView):
    serializer_class = OwnAppointmentSerializer

    @extend_schema(
        summary="Cancel one of my sessions",
        description="Online until the clinic's notice period before the session; 422 after it.",
        request=OwnCancelInputSerializer,
        responses={200: OwnAppointmentSerializer, 400: BAD_INPUT, 422: REFUSED},
    )
    def post(self, request, pk: int):
        patient = self.patient()
        appointment = get_object_or_404(Appointment, pk=pk, patient=patient)
        self.audit_obj = appointment
        given = self.body(OwnCancelInputSerializer)
        cancelled = self_cancel(patient=patient, appointment=appointment, reason=given.get("reason", ""))
        return Response(OwnAppointmentSerializer(cancelled).data)


class OwnCourses(OwnView):
    serializer_class = CourseSerializer

    @extend_schema(summary="My courses, with their progress", responses=CourseSerializer(many=True))
    def get(self, request):
        rows = with_progress(Course.objects.filter(patient=self.patient()).select_related("modality"))
        return self.paginated(rows.order_by("-starts_on", "-pk"), CourseSerializer)


class OwnSummaries(OwnView):
    serializer_class = SummarySerializer

    @extend_schema(
        summary="The summaries and pain scores of my signed session notes", responses=SummarySerializer(many=True)
    )
    def get(self, request):
        # Only the patient-facing columns are read, as the portal does (sessions.portal).
        rows = (
            SessionNote.objects.filter(appointment__patient=self.patient(), signed_at__isnull=False)
            .order_by("-appointment__starts_at", "-pk")
            .values("appointment__course_id", "appointment__starts_at", "pain_before", "pain_after", "patient_summary")
        )
        page = self.paginate_queryset(rows)
        data = [
            {
                "course": row["appointment__course_id"],
                "starts_at": row["appointment__starts_at"],
                "pain_before": row["pain_before"],
                "pain_after": row["pain_after"],
                "summary": row["patient_summary"],
            }
            for row in page
        ]
        return self.get_paginated_response(SummarySerializer(data, many=True).data)
