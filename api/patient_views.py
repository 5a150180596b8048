"""Patients: search, register, read, change contact details; the front desk's, and a therapist's
own patients (as "My patients" and the chart decide)."""

import datetime as dt

from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from api.base import ApiView, front_desk_or_treats, list_schema, patient_or_404
from api.inputs import PatientForm, form_cleaned
from api.permissions import FRONT_DESK, STAFF
from api.serializers import PatientContactSerializer, PatientInputSerializer, PatientSerializer, RefusalSerializer
from clinic.roles import has_role
from patients import services
from patients.selectors import patients_search
from sessions.chart_access import patients_treated_by

BAD_INPUT = OpenApiResponse(description="Bad input: the sentences per field.")
REFUSED = OpenApiResponse(RefusalSerializer, description="Refused by the clinic's rules, with the reasons.")


class SearchSerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="Names, a date or year of birth, a phone number, an e-mail address.",
    )


class PatientList(ApiView):
    roles = STAFF
    write_roles = FRONT_DESK
    serializer_class = PatientSerializer

    @list_schema(
        "patients",
        "Find patients",
        PatientSerializer,
        SearchSerializer,
        description="Reception and managers search every patient; a therapist her own patients.",
    )
    def get(self, request):
        query = self.query(SearchSerializer).get("q", "")
        if has_role(request.user, *FRONT_DESK):
            patients = patients_search(query=query)
        else:
            patients = patients_treated_by(user=request.user, query=query)
        return self.paginated(patients, PatientSerializer)

    @extend_schema(
        summary="Register a patient",
        request=PatientInputSerializer,
        responses={201: PatientSerializer, 400: BAD_INPUT},
    )
    def post(self, request):
        self.body(PatientInputSerializer)
        form = PatientForm(data=request.data)
        form_cleaned(form)
        patient = services.patient_create(**form.patient_data)
        self.audit_patient = patient
        return Response(PatientSerializer(patient).data, status=status.HTTP_201_CREATED)


def _form_value(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    return getattr(value, "pk", value)


class PatientDetail(ApiView):
    roles = STAFF
    write_roles = FRONT_DESK
    serializer_class = PatientSerializer

    def _patient(self, pk: int):
        patient = patient_or_404(pk)
        self.audit_patient = patient
        if not front_desk_or_treats(self.request.user, patient):
            raise PermissionDenied(gettext("You do not treat this patient."))
        return patient

    @extend_schema(summary="A patient's details")
    def get(self, request, pk: int):
        return Response(PatientSerializer(self._patient(pk)).data)

    @extend_schema(
        summary="Change a patient's contact details",
        request=PatientContactSerializer,
        responses={200: PatientSerializer, 400: BAD_INPUT, 422: REFUSED},
    )
    def patch(self, request, pk: int):
        patient = self._patient(pk)
        contact = self.body(PatientContactSerializer)
        # The whole record through reception's form, so the contact rules are checked as on the page.
        current = {name: _form_value(getattr(patient, name)) for name in PatientForm.patient_fields()}
        form = PatientForm(data={**current, **{name: request.data[name] for name in contact}}, patient=patient)
        form_cleaned(form)
        changed = {name: form.cleaned_data[name] for name in contact}
        if "contact_channel" in changed or "phone" in changed or "email" in changed:
            changed["contact_channel"] = form.cleaned_data["contact_channel"]
        services.patient_update(patient=patient, **changed)
        return Response(PatientSerializer(patient).data)
