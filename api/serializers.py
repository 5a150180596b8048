"""What the API reads and writes, in JSON. Output serializers read the models; input serializers
describe a request for the schema and check its types, then the pages' forms (api.inputs) and the
domain services decide."""

from rest_framework import serializers

from api.models import ApiToken
from patients.models import ContactChannel, Patient
from sessions.booking_checks import person_name
from sessions.models import Addendum, Appointment, AppointmentStatus, Course, SessionNote
from sessions.notes import NOTE_FIELDS

# --- output ---------------------------------------------------------------------------------------


class PatientSerializer(serializers.ModelSerializer):
    class Meta:
        model = Patient
        fields = [
            "id",
            "first_name",
            "last_name",
            "date_of_birth",
            "phone",
            "email",
            "contact_channel",
            "self_booking",
            "assigned_therapist",
            "consent_on",
        ]
        read_only_fields = fields


class AppointmentSerializer(serializers.ModelSerializer):
    patient_name = serializers.CharField(source="patient.__str__", read_only=True)
    modality_name = serializers.CharField(source="modality.name", read_only=True)
    therapist_name = serializers.SerializerMethodField()
    room_name = serializers.CharField(source="room.name", read_only=True)

    class Meta:
        model = Appointment
        fields = [
            "id",
            "patient",
            "patient_name",
            "course",
            "modality",
            "modality_name",
            "therapist",
            "therapist_name",
            "room",
            "room_name",
            "starts_at",
            "ends_at",
            "status",
            "needs_review",
            "review_reason",
            "cancellation_reason",
            "self_booked",
        ]
        read_only_fields = fields

    def get_therapist_name(self, appointment) -> str:
        return person_name(appointment.therapist)


class OwnAppointmentSerializer(AppointmentSerializer):
    """A patient's own session: no review flags, which are the front desk's."""

    class Meta(AppointmentSerializer.Meta):
        fields = [f for f in AppointmentSerializer.Meta.fields if f not in ("needs_review", "review_reason")]
        read_only_fields = fields


class CourseSerializer(serializers.ModelSerializer):
    """A course; its clinical part (diagnosis, goals, home programme) for clinicians only, as the
    front desk's overview shows courses without it."""

    CLINICAL_FIELDS = ("diagnosis", "goals", "home_programme", "discharge_summary")

    modality_name = serializers.CharField(source="modality.name", read_only=True)
    sessions_done = serializers.IntegerField(read_only=True)
    sessions_booked = serializers.IntegerField(read_only=True)

    class Meta:
        model = Course
        fields = [
            "id",
            "patient",
            "diagnosis",
            "modality",
            "modality_name",
            "min_sessions",
            "max_sessions",
            "session_minutes",
            "cadence",
            "sessions_per_week",
            "starts_on",
            "status",
            "sessions_done",
            "sessions_booked",
            "goals",
            "home_programme",
            "discharge_summary",
        ]
        read_only_fields = fields

    def to_representation(self, course):
        data = super().to_representation(course)
        if not self.context.get("clinical"):
            for name in self.CLINICAL_FIELDS:
                data.pop(name, None)
        return data


class AddendumSerializer(serializers.ModelSerializer):
    class Meta:
        model = Addendum
        fields = ["id", "author", "text", "created_at"]
        read_only_fields = fields


class SessionNoteSerializer(serializers.ModelSerializer):
    patient = serializers.IntegerField(source="appointment.patient_id", read_only=True)
    starts_at = serializers.DateTimeField(source="appointment.starts_at", read_only=True)
    addenda = AddendumSerializer(many=True, read_only=True)

    class Meta:
        model = SessionNote
        fields = [
            "id",
            "appointment",
            "patient",
            "starts_at",
            "author",
            # The note's own fields, in the model's order: what sessions.notes lets its author write.
            *(field.name for field in SessionNote._meta.fields if field.name in NOTE_FIELDS),
            "signed_at",
            "signed_by",
            "addenda",
        ]
        read_only_fields = fields


class SummarySerializer(serializers.Serializer):
    """What a patient reads of a signed note (sessions.portal.PortalNote): never the clinical text."""

    course = serializers.IntegerField(allow_null=True)
    starts_at = serializers.DateTimeField()
    pain_before = serializers.IntegerField(allow_null=True)
    pain_after = serializers.IntegerField(allow_null=True)
    summary = serializers.CharField()


class TokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "scope", "prefix", "created_at", "last_used_at", "revoked_at"]
        read_only_fields = fields


# --- input ----------------------------------------------------------------------------------------

# The largest id a database column holds (a bigint): a larger number is bad input, not a lookup
# the database driver cannot even send.
MAX_ID = 2**63 - 1


class IdField(serializers.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)


class PatientInputSerializer(serializers.Serializer):
    """Reception's patient form (pages.reception.forms.PatientForm) as JSON."""

    first_name = serializers.CharField(max_length=80)
    last_name = serializers.CharField(max_length=80)
    date_of_birth = serializers.DateField()
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    contact_channel = serializers.ChoiceField(choices=ContactChannel.choices, required=False, allow_blank=True)
    self_booking = serializers.BooleanField(required=False, default=True)
    assigned_therapist = IdField(required=False, allow_null=True)
    consent_on = serializers.DateField(required=False, allow_null=True)
    different_person = serializers.BooleanField(
        required=False, default=False, help_text="True when a namesake born on the same day is someone else."
    )


class PatientContactSerializer(serializers.Serializer):
    """A change to a patient's contact details (the rest of the record stays as it is)."""

    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    contact_channel = serializers.ChoiceField(choices=ContactChannel.choices, required=False, allow_blank=True)


class BookingInputSerializer(serializers.Serializer):
    patient = IdField()
    course = IdField(required=False, allow_null=True, help_text="One of the patient's courses (or give a modality).")
    modality = IdField(required=False, allow_null=True, help_text="For a single session outside any course.")
    therapist = IdField()
    room = IdField()
    starts_at = serializers.DateTimeField(help_text="ISO 8601 with an offset; the clinic's zone when none.")
    confirm_warnings = serializers.BooleanField(
        required=False, default=False, help_text="True once the warnings of an earlier 422 were read."
    )


class RescheduleInputSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    therapist = IdField(required=False, allow_null=True, help_text="Another therapist, or the same.")
    room = IdField(required=False, allow_null=True, help_text="Another room, or the same.")
    confirm_warnings = serializers.BooleanField(required=False, default=False)


class StatusInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[
            AppointmentStatus.CHECKED_IN,
            AppointmentStatus.COMPLETED,
            AppointmentStatus.NO_SHOW,
            AppointmentStatus.CANCELLED,
        ]
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=300, help_text="Required to cancel: kept with the appointment."
    )


class OwnCancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)


class CoursePrescribeInputSerializer(serializers.Serializer):
    patient = IdField()
    diagnosis = IdField(help_text="One of the patient's active diagnoses.")
    modality = IdField()
    starts_on = serializers.DateField()
    min_sessions = serializers.IntegerField(required=False, allow_null=True, help_text="Empty: the modality's default.")
    max_sessions = serializers.IntegerField(required=False, allow_null=True)
    session_minutes = serializers.IntegerField(required=False, allow_null=True)
    cadence = serializers.CharField(required=False, allow_blank=True)
    sessions_per_week = serializers.IntegerField(required=False, allow_null=True)
    goals = serializers.CharField(required=False, allow_blank=True)
    home_programme = serializers.CharField(required=False, allow_blank=True)


class AvailabilityQuerySerializer(serializers.Serializer):
    modality = IdField()
    therapist = IdField(required=False)
    start = serializers.DateField(required=False, help_text="The first day; today when left out.")
    days = serializers.IntegerField(required=False, min_value=1, max_value=31, help_text="28 when left out.")


class StatusResultSerializer(AppointmentSerializer):
    """The session after a status change, with what to know before treating (a `warn` rule)."""

    treatment_warnings = serializers.SerializerMethodField()

    class Meta(AppointmentSerializer.Meta):
        fields = [*AppointmentSerializer.Meta.fields, "treatment_warnings"]
        read_only_fields = fields

    def get_treatment_warnings(self, appointment) -> list[str]:
        return list(getattr(appointment, "treatment_warnings", []))


class SlotSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    therapist = serializers.IntegerField(source="therapist.pk")
    therapist_name = serializers.SerializerMethodField()
    room = serializers.IntegerField(source="room.pk")
    room_name = serializers.CharField(source="room.name")

    def get_therapist_name(self, slot) -> str:
        return person_name(slot.therapist)


class RefusalSerializer(serializers.Serializer):
    """A 409 or 422: the domain's reasons (each a sentence), and warnings to confirm."""

    reasons = serializers.ListField(child=serializers.CharField())
    warnings = serializers.ListField(child=serializers.CharField())
    detail = serializers.CharField(required=False)
