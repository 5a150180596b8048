"""The admin for courses, appointments and session notes.

The admin is one more booking path, so it books and moves sessions only through
sessions.services (DESIGN.md, "One booking path"): its forms run the same checks first to show
every reason on the form, and the service runs them again inside its transaction. A signed note
never changes here; corrections are addenda.
"""

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.text import Truncator

from clinic.refusals import Refused
from sessions.appointments import appointment_cancel
from sessions.booking import appointment_book, appointment_reschedule
from sessions.booking_checks import booking_problems
from sessions.course_progress import with_progress
from sessions.models import (
    Addendum,
    Appointment,
    Course,
    CourseStatus,
    SessionNote,
)

CONFIRM_HELP = "Some bookings carry warnings (oil allergy, pregnancy, high blood pressure…). Tick after reading them."
MOVE_FIELDS = ("therapist", "room", "starts_at")


class _BookingFailed(Exception):
    """The service refused what the form had accepted: another booking took the slot meanwhile."""

    def __init__(self, reasons: list[str]):
        super().__init__(" ".join(reasons))
        self.reasons = reasons


def _require_confirmation(form: forms.Form, warnings: list[str]) -> None:
    if warnings and not form.cleaned_data.get("confirm_warnings"):
        form.add_error(
            "confirm_warnings",
            [*warnings, "Read the warnings above, then tick “Confirm warnings” and save again."],
        )


class AppointmentBookForm(forms.ModelForm):
    confirm_warnings = forms.BooleanField(required=False, label="Confirm warnings", help_text=CONFIRM_HELP)

    class Meta:
        model = Appointment
        fields = ["patient", "course", "modality", "therapist", "room", "starts_at"]
        help_texts = {"modality": "Taken from the course when one is chosen."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["modality"].required = False

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        course, modality = cleaned.get("course"), cleaned.get("modality")
        if course is not None:
            if modality is not None and modality != course.modality:
                raise ValidationError(f"The course is for {course.modality}; leave the modality empty or match it.")
            modality = cleaned["modality"] = course.modality
        if modality is None:
            raise ValidationError("Choose a course or a modality.")
        minutes = course.session_minutes if course else modality.session_minutes
        reasons, warnings = booking_problems(
            patient=cleaned["patient"],
            modality=modality,
            therapist=cleaned["therapist"],
            room=cleaned["room"],
            starts_at=cleaned["starts_at"],
            ends_at=cleaned["starts_at"] + dt.timedelta(minutes=minutes),
            course=course,
        )
        if reasons:
            raise ValidationError(reasons)
        _require_confirmation(self, warnings)
        return cleaned


class AppointmentChangeForm(forms.ModelForm):
    """Move a booked session (therapist, room, time) or cancel it with a reason."""

    confirm_warnings = forms.BooleanField(required=False, label="Confirm warnings", help_text=CONFIRM_HELP)
    cancel_reason = forms.CharField(
        required=False,
        max_length=300,
        label="Cancel with reason",
        help_text="To cancel the session, give the reason and save. The row stays on record.",
    )

    class Meta:
        model = Appointment
        fields = list(MOVE_FIELDS)

    @property
    def moved(self) -> bool:
        return any(name in self.changed_data for name in MOVE_FIELDS)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        cleaned["cancel_reason"] = cleaned.get("cancel_reason", "").strip()
        if cleaned["cancel_reason"]:
            if self.moved:
                raise ValidationError("Either move the session or cancel it, not both at once.")
            return cleaned
        if not self.moved:
            return cleaned
        appointment = self.instance
        starts_at = cleaned.get("starts_at", appointment.starts_at)
        reasons, warnings = booking_problems(
            patient=appointment.patient,
            modality=appointment.modality,
            therapist=cleaned.get("therapist", appointment.therapist),
            room=cleaned.get("room", appointment.room),
            starts_at=starts_at,
            ends_at=starts_at + (appointment.ends_at - appointment.starts_at),
            course=appointment.course,
            exclude_appointment_id=appointment.pk,
        )
        if reasons:
            raise ValidationError(reasons)
        _require_confirmation(self, warnings)
        return cleaned


class NeedsReviewFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("yes", "Needs review"), ("no", "No review needed")]

    def queryset(self, request, queryset):
        needing = Appointment.objects.needing_review().values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=needing)
        if self.value() == "no":
            return queryset.exclude(pk__in=needing)
        return queryset


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ["starts_at", "ends_at", "patient", "modality", "therapist", "room", "status", "needs_review"]
    list_filter = ["status", NeedsReviewFilter, "therapist", "room", "modality"]
    search_fields = ["patient__last_name", "patient__first_name", "patient__phone", "review_reason"]
    date_hierarchy = "starts_at"
    list_select_related = ["patient", "modality", "therapist__user", "room"]
    autocomplete_fields = ["patient", "course"]
    ordering = ["-starts_at"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = AppointmentChangeForm if obj is not None else AppointmentBookForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": [*AppointmentBookForm.Meta.fields, "confirm_warnings"]})]
        fieldsets = [
            (None, {"fields": ["patient", "course", "modality", *MOVE_FIELDS, "ends_at", "status"]}),
            ("Review", {"fields": ["needs_review", "review_reason"]}),
        ]
        if obj.can_cancel:
            fieldsets.append(("Move or cancel", {"fields": ["confirm_warnings", "cancel_reason"]}))
        record = ["booked_by", "created_at", "updated_at", "checked_in_at", "cancelled_at", "cancellation_reason"]
        fieldsets.append(("Record", {"fields": record}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        readonly = [
            "patient",
            "course",
            "modality",
            "ends_at",
            "status",
            "needs_review",
            "review_reason",
            "booked_by",
            "created_at",
            "updated_at",
            "checked_in_at",
            "cancelled_at",
            "cancellation_reason",
        ]
        if not obj.can_move:
            readonly += list(MOVE_FIELDS)
        return readonly

    def has_delete_permission(self, request, obj=None):
        # A session is cancelled with a reason, never deleted: its history matters.
        return False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _BookingFailed as failure:
            # The admin's transaction has rolled back; nothing was saved.
            for reason in failure.reasons:
                self.message_user(request, reason, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if not change:
                saved = appointment_book(
                    patient=data["patient"],
                    course=data.get("course"),
                    modality=data.get("modality"),
                    therapist=data["therapist"],
                    room=data["room"],
                    starts_at=data["starts_at"],
                    booked_by=request.user,
                    confirm_warnings=data.get("confirm_warnings", False),
                )
            elif data.get("cancel_reason"):
                saved = appointment_cancel(appointment=obj, reason=data["cancel_reason"])
            elif form.moved:
                saved = appointment_reschedule(
                    appointment=obj,
                    starts_at=data["starts_at"],
                    therapist=data["therapist"],
                    room=data["room"],
                    confirm_warnings=data.get("confirm_warnings", False),
                )
            else:
                return
        except Refused as error:
            raise _BookingFailed(error.reasons + error.warnings) from error
        # The admin goes on with `obj` (log entry, message, redirect): give it the saved row.
        for field in Appointment._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False


class CourseAppointmentInline(admin.TabularInline):
    """The course's sessions, for reading; book and move them on the appointment pages."""

    model = Appointment
    extra = 0
    fields = ["starts_at", "therapist", "room", "status", "needs_review"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CourseAdminForm(forms.ModelForm):
    """The course's plan may be left empty: it then starts from the modality's defaults."""

    DEFAULTED = ("min_sessions", "max_sessions", "session_minutes", "cadence")

    class Meta:
        model = Course
        fields = [
            "patient",
            "diagnosis",
            "modality",
            "prescribed_by",
            "min_sessions",
            "max_sessions",
            "session_minutes",
            "cadence",
            "sessions_per_week",
            "starts_on",
            "status",
            "goals",
            "home_programme",
            "discharge_summary",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.DEFAULTED:
            if name in self.fields:
                self.fields[name].required = False
                self.fields[name].help_text = "Empty: the modality's default."

    def clean(self):
        cleaned = super().clean()
        modality, patient, diagnosis = cleaned.get("modality"), cleaned.get("patient"), cleaned.get("diagnosis")
        if patient and diagnosis and diagnosis.patient_id != patient.pk:
            self.add_error("diagnosis", "This diagnosis belongs to another patient.")
        if modality is None:
            return cleaned
        defaults = {
            "min_sessions": modality.course_min_sessions,
            "max_sessions": modality.course_max_sessions,
            "session_minutes": modality.session_minutes,
            "cadence": modality.cadence,
        }
        for name, value in defaults.items():
            if name in self.fields and cleaned.get(name) in (None, ""):
                cleaned[name] = value
                if name == "cadence" and cleaned.get("sessions_per_week") is None:
                    cleaned["sessions_per_week"] = modality.sessions_per_week
        return cleaned


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    form = CourseAdminForm
    list_display = [
        "patient",
        "modality",
        "diagnosis",
        "status",
        "starts_on",
        "sessions_done",
        "session_range",
        "prescribed_by",
    ]
    list_filter = ["status", "modality", "cadence"]
    search_fields = ["patient__last_name", "patient__first_name", "diagnosis__icd10_code", "modality__name"]
    date_hierarchy = "starts_on"
    autocomplete_fields = ["patient", "diagnosis", "prescribed_by"]
    list_select_related = ["patient", "modality", "diagnosis", "prescribed_by"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [CourseAppointmentInline]

    def get_queryset(self, request):
        return with_progress(super().get_queryset(request))

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("prescribed_by", request.user.pk)
        initial.setdefault("status", CourseStatus.ACTIVE)
        return initial

    @admin.display(description="done", ordering="sessions_done")
    def sessions_done(self, obj: Course) -> int:
        return obj.sessions_done

    @admin.display(description="sessions")
    def session_range(self, obj: Course) -> str:
        return obj.session_range

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.appointments.exists():
            return False
        return super().has_delete_permission(request, obj)


class SignedFilter(admin.SimpleListFilter):
    title = "signature"
    parameter_name = "signed"

    def lookups(self, request, model_admin):
        return [("yes", "Signed"), ("no", "Draft")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(signed_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(signed_at__isnull=True)
        return queryset


class AddendumInline(admin.TabularInline):
    """Addenda are added to a signed note, never changed or removed."""

    model = Addendum
    extra = 0
    fields = ["text", "author", "created_at"]
    readonly_fields = ["author", "created_at"]

    def has_add_permission(self, request, obj=None):
        return obj is not None and obj.is_signed and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


NOTE_FIELDS = [
    "appointment",
    "author",
    "pain_before",
    "pain_after",
    "minutes",
    "areas_treated",
    "techniques",
    "oils_used",
    "stopped_early",
    "stopped_early_reason",
    "subjective",
    "objective",
    "assessment",
    "plan",
    "patient_summary",
    "signed_at",
    "signed_by",
    "created_at",
    "updated_at",
]
ALWAYS_READONLY_NOTE_FIELDS = ["signed_at", "signed_by", "created_at", "updated_at"]


@admin.register(SessionNote)
class SessionNoteAdmin(admin.ModelAdmin):
    list_display = ["appointment", "patient", "author", "pain_before", "pain_after", "stopped_early", "is_signed"]
    list_filter = [SignedFilter, "stopped_early", "appointment__modality"]
    search_fields = [
        "appointment__patient__last_name",
        "appointment__patient__first_name",
        "author__last_name",
        "author__username",
    ]
    list_select_related = ["appointment__patient", "appointment__modality", "author"]
    autocomplete_fields = ["appointment", "author"]
    fields = NOTE_FIELDS
    inlines = [AddendumInline]

    @admin.display(description="patient", ordering="appointment__patient__last_name")
    def patient(self, obj: SessionNote):
        return obj.appointment.patient

    @admin.display(description="signed", boolean=True, ordering="signed_at")
    def is_signed(self, obj: SessionNote) -> bool:
        return obj.is_signed

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_signed:
            return NOTE_FIELDS
        return ALWAYS_READONLY_NOTE_FIELDS

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("author", request.user.pk)
        return initial

    def has_delete_permission(self, request, obj=None):
        # No bulk delete (it would not look at signatures); a draft may go from its own page.
        if obj is None or obj.is_signed:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if change and SessionNote.objects.filter(pk=obj.pk, signed_at__isnull=False).exists():
            return  # signed: the note stays exactly as signed
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for addendum in formset.save(commit=False):
            if addendum.pk is None:
                addendum.author = request.user
                addendum.save()


class AddendumAdminForm(forms.ModelForm):
    class Meta:
        model = Addendum
        fields = ["note", "text"]

    def clean_note(self):
        note = self.cleaned_data["note"]
        if not note.is_signed:
            raise ValidationError("Addenda are for signed notes; a draft note is edited directly.")
        return note


@admin.register(Addendum)
class AddendumAdmin(admin.ModelAdmin):
    form = AddendumAdminForm
    list_display = ["note", "author", "created_at", "excerpt"]
    search_fields = ["text", "note__appointment__patient__last_name", "author__username"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["note"]
    list_select_related = ["note__appointment__patient", "note__appointment__modality", "author"]
    readonly_fields = ["author", "created_at"]

    @admin.display(description="text")
    def excerpt(self, obj: Addendum) -> str:
        return Truncator(obj.text).chars(80)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        obj.author = request.user
        super().save_model(request, obj, form, change)
