"""Availability and appointments: book, read, move, change status. Every write is the booking
and status services' (sessions.booking, sessions.appointments), so the contraindication gate,
the conflict checks and the course rules refuse here as on the pages: 409 or 422, with reasons."""

import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from api.base import ApiView, list_schema, named
from api.inputs import AvailabilityForm, CancelForm, form_cleaned
from api.patient_views import BAD_INPUT, REFUSED
from api.permissions import BOOKERS
from api.serializers import (
    AppointmentSerializer,
    AvailabilityQuerySerializer,
    BookingInputSerializer,
    IdField,
    RescheduleInputSerializer,
    SlotSerializer,
    StatusInputSerializer,
    StatusResultSerializer,
)
from clinic.date_windows import CALENDAR_WINDOW
from clinic.models import Modality, Room, Therapist
from patients.models import Patient
from sessions import appointments, booking
from sessions.availability import slots_available
from sessions.models import Appointment, AppointmentStatus, Course
from sessions.schedule import at_local

APPOINTMENT_ROWS = ("patient", "modality", "therapist__user", "room")


class Availability(ApiView):
    roles = BOOKERS
    serializer_class = SlotSerializer

    @list_schema(
        "availability", "Free slots of a modality over a span of days", SlotSerializer, AvailabilityQuerySerializer
    )
    def get(self, request):
        self.query(AvailabilityQuerySerializer)
        data = form_cleaned(AvailabilityForm(request.query_params))
        end = data["start"] + dt.timedelta(days=data["days"] - 1)
        slots = slots_available(
            modality=data["modality"], starts_on=data["start"], ends_on=end, therapist=data["therapist"]
        )
        return self.paginated(slots, SlotSerializer)


class AppointmentFilter(serializers.Serializer):
    date_from = serializers.DateField(
        required=False, validators=[CALENDAR_WINDOW], help_text="From this day (the clinic's), inclusive."
    )
    date_to = serializers.DateField(required=False, validators=[CALENDAR_WINDOW], help_text="To this day, inclusive.")
    therapist = IdField(required=False)
    patient = IdField(required=False)
    status = serializers.ChoiceField(choices=AppointmentStatus.choices, required=False)

    def validate(self, data):
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise serializers.ValidationError({"date_to": [gettext("The last day comes before the first.")]})
        return data


class AppointmentList(ApiView):
    roles = BOOKERS
    serializer_class = AppointmentSerializer

    @list_schema("appointments", "Appointments, by time", AppointmentSerializer, AppointmentFilter)
    def get(self, request):
        filters = self.query(AppointmentFilter)
        rows = Appointment.objects.select_related(*APPOINTMENT_ROWS).order_by("starts_at", "pk")
        if "date_from" in filters:
            rows = rows.filter(ends_at__gt=at_local(filters["date_from"], dt.time()))
        if "date_to" in filters:
            rows = rows.filter(starts_at__lt=at_local(filters["date_to"] + dt.timedelta(days=1), dt.time()))
        for name in ("therapist", "patient", "status"):
            if name in filters:
                rows = rows.filter(**{name: filters[name]})
        return self.paginated(rows, AppointmentSerializer)

    @extend_schema(
        summary="Book a session",
        description="A course's session (its modality and length), or a single session of a modality. "
        "409: only clashes with other bookings stand in the way; 422: another rule refuses it, or "
        "warnings (a rule that only warns) need confirm_warnings set to true.",
        request=BookingInputSerializer,
        responses={201: AppointmentSerializer, 400: BAD_INPUT, 409: REFUSED, 422: REFUSED},
    )
    def post(self, request):
        data = self.body(BookingInputSerializer)
        patient = named(Patient, data["patient"], "patient")
        self.audit_patient = patient
        course = named(Course, data["course"], "course") if data.get("course") is not None else None
        modality = named(Modality, data["modality"], "modality") if data.get("modality") is not None else None
        appointment = booking.appointment_book(
            patient=patient,
            course=course,
            modality=modality,
            therapist=named(Therapist, data["therapist"], "therapist"),
            room=named(Room, data["room"], "room"),
            starts_at=data["starts_at"],
            booked_by=request.user,
            confirm_warnings=data["confirm_warnings"],
        )
        self.audit_obj = appointment
        return Response(AppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED)


class AppointmentView(ApiView):
    roles = BOOKERS
    serializer_class = AppointmentSerializer

    def appointment(self, pk: int) -> Appointment:
        appointment = get_object_or_404(Appointment.objects.select_related(*APPOINTMENT_ROWS), pk=pk)
        self.audit_patient, self.audit_obj = appointment.patient, appointment
        return appointment


class AppointmentDetail(AppointmentView):
    @extend_schema(summary="One appointment")
    def get(self, request, pk: int):
        return Response(AppointmentSerializer(self.appointment(pk)).data)


class AppointmentReschedule(AppointmentView):
    @extend_schema(
        summary="Move a session",
        description="The same checks as a new booking, the session itself out of the way.",
        request=RescheduleInputSerializer,
        responses={200: AppointmentSerializer, 400: BAD_INPUT, 409: REFUSED, 422: REFUSED},
    )
    def post(self, request, pk: int):
        appointment = self.appointment(pk)
        data = self.body(RescheduleInputSerializer)
        moved = booking.appointment_reschedule(
            appointment=appointment,
            starts_at=data["starts_at"],
            therapist=named(Therapist, data["therapist"], "therapist") if data.get("therapist") else None,
            room=named(Room, data["room"], "room") if data.get("room") else None,
            confirm_warnings=data["confirm_warnings"],
        )
        return Response(AppointmentSerializer(moved).data)


_STATUS_SERVICES = {
    AppointmentStatus.CHECKED_IN: appointments.appointment_check_in,
    AppointmentStatus.COMPLETED: appointments.appointment_complete,
    AppointmentStatus.NO_SHOW: appointments.appointment_no_show,
}


class AppointmentStatusChange(AppointmentView):
    @extend_schema(
        summary="Check in, complete, record a no-show, or cancel",
        description="Judged as on the appointment page: the status, the time, and for treatment the "
        "contraindication check at this moment. A cancellation needs a reason.",
        request=StatusInputSerializer,
        responses={200: StatusResultSerializer, 400: BAD_INPUT, 422: REFUSED},
    )
    def post(self, request, pk: int):
        appointment = self.appointment(pk)
        given = self.body(StatusInputSerializer)
        wanted = given["status"]
        if wanted == AppointmentStatus.CANCELLED:
            reason = form_cleaned(CancelForm({"reason": given.get("reason", "")}))["reason"]
            changed = appointments.appointment_cancel(appointment=appointment, reason=reason)
        else:
            changed = _STATUS_SERVICES[wanted](appointment=appointment)
        return Response(StatusResultSerializer(changed).data)
