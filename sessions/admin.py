"""The admin for courses, appointments and session notes.

The admin is one more way in, and no second door: it books, moves and cancels sessions only
through sessions.booking and sessions.appointments, and prescribes, suspends, resumes and closes
courses only through sessions.courses. Its forms run the services' own checks first to show every
reason on the form; the service runs them again inside its transaction. A signed note never
changes here; corrections are addenda.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.text import Truncator
from django.utils.translation import gettext, gettext_lazy

from clinic.admin import (
    AddOnly,
    ClinicAdmin,
    ClinicTabularInline,
    NoDelete,
    ReadOnly,
    ServiceAdmin,
    YesNoFilter,
    adopt,
    through_service,
)
from clinic.models import Modality
from clinic.refusals import Refused
from sessions.appointments import appointment_cancel
from sessions.booking import appointment_book, appointment_draft, appointment_moved, appointment_reschedule
from sessions.booking_checks import booking_problems
from sessions.course_progress import with_progress
from sessions.courses import (
    course_close,
    course_prescribe,
    course_prescription,
    course_resume,
    course_status_changes,
    course_status_problems,
    course_suspend,
)
from sessions.models import (
    Addendum,
    Appointment,
    Course,
    CourseStatus,
    SessionNote,
)

CONFIRM_HELP = gettext_lazy(
    "Some bookings carry warnings (oil allergy, pregnancy, high blood pressure…). Tick after reading them."
)
MOVE_FIELDS = ("therapist", "room", "starts_at")


def _require_confirmation(form: forms.Form, warnings: list[str]) -> None:
    if warnings and not form.cleaned_data.get("confirm_warnings"):
        form.add_error(
            "confirm_warnings",
            [*warnings, gettext("Read the warnings above, then tick “Confirm warnings” and save again.")],
        )


class AppointmentBookForm(forms.ModelForm):
    confirm_warnings = forms.BooleanField(
        required=False, label=gettext_lazy("Confirm warnings"), help_text=CONFIRM_HELP
    )

    class Meta:
        model = Appointment
        fields = ["patient", "course", "modality", "therapist", "room", "starts_at"]
        help_texts = {"modality": gettext_lazy("Taken from the course when one is chosen.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["modality"].required = False

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        course, modality = cleaned.get("course"), cleaned.get("modality")
        if course is not None and modality is not None and modality != course.modality:
            raise ValidationError(
                gettext("The course is for %(modality)s; leave the modality empty or match it.")
                % {"modality": course.modality}
            )
        try:
            draft = appointment_draft(
                **{name: cleaned[name] for name in ("patient", "therapist", "room", "starts_at")},
                modality=modality,
                course=course,
            )
        except Refused as error:
            raise ValidationError(error.reasons) from error
        cleaned["modality"] = draft.modality
        reasons, warnings = booking_problems(draft)
        if reasons:
            raise ValidationError(reasons)
        _require_confirmation(self, warnings)
        return cleaned


class AppointmentChangeForm(forms.ModelForm):
    """Move a booked session (therapist, room, time) or cancel it with a reason."""

    confirm_warnings = forms.BooleanField(
        required=False, label=gettext_lazy("Confirm warnings"), help_text=CONFIRM_HELP
    )
    cancel_reason = forms.CharField(
        required=False,
        max_length=300,
        label=gettext_lazy("Cancel with reason"),
        help_text=gettext_lazy("To cancel the session, give the reason and save. The row stays on record."),
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
                raise ValidationError(gettext("Either move the session or cancel it, not both at once."))
            return cleaned
        if not self.moved:
            return cleaned
        appointment = self.instance
        moved = appointment_moved(
            appointment,
            starts_at=cleaned.get("starts_at", appointment.starts_at),
            therapist=cleaned.get("therapist"),
            room=cleaned.get("room"),
        )
        reasons, warnings = booking_problems(moved)
        if reasons:
            raise ValidationError(reasons)
        _require_confirmation(self, warnings)
        return cleaned


class NeedsReviewFilter(YesNoFilter):
    title = gettext_lazy("review")
    parameter_name = "review"
    options = (("yes", gettext_lazy("Needs review")), ("no", gettext_lazy("No review needed")))

    def condition(self) -> Q:
        return Q(pk__in=Appointment.objects.needing_review().values("pk"))


@admin.register(Appointment)
class AppointmentAdmin(NoDelete, ServiceAdmin):
    """A session is cancelled with a reason, never deleted: its history matters."""

    list_display = ["starts_at", "ends_at", "patient", "modality", "therapist", "room", "status", "needs_review"]
    list_filter = ["status", NeedsReviewFilter, "therapist", "room", "modality"]
    search_fields = ["patient__last_name", "patient__first_name", "patient__phone", "review_reason"]
    date_hierarchy = "starts_at"
    list_select_related = ["patient", "modality", "therapist__user", "room"]
    autocomplete_fields = ["patient", "course"]
    ordering = ["-starts_at"]
    add_form = AppointmentBookForm
    change_form = AppointmentChangeForm

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": [*AppointmentBookForm.Meta.fields, "confirm_warnings"]})]
        fieldsets = [
            (None, {"fields": ["patient", "course", "modality", *MOVE_FIELDS, "ends_at", "status"]}),
            (gettext("Review"), {"fields": ["needs_review", "review_reason"]}),
        ]
        if obj.can_cancel:
            fieldsets.append((gettext("Move or cancel"), {"fields": ["confirm_warnings", "cancel_reason"]}))
        record = ["booked_by", "self_booked", "created_at", "updated_at", "checked_in_at", "cancelled_at"]
        record.append("cancellation_reason")
        fieldsets.append((gettext("Record"), {"fields": record}))
        return fieldsets

    def get_editable_fields(self, request, obj):
        return {"confirm_warnings", "cancel_reason", *(MOVE_FIELDS if obj.can_move else ())}

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        confirmed = data.get("confirm_warnings", False)
        place = {"therapist": data["therapist"], "room": data["room"], "starts_at": data["starts_at"]}
        if not change:
            saved = through_service(
                appointment_book,
                patient=data["patient"],
                course=data.get("course"),
                modality=data.get("modality"),
                booked_by=request.user,
                confirm_warnings=confirmed,
                **place,
            )
        elif data.get("cancel_reason"):
            saved = through_service(appointment_cancel, appointment=obj, reason=data["cancel_reason"])
        elif form.moved:
            saved = through_service(appointment_reschedule, appointment=obj, confirm_warnings=confirmed, **place)
        else:
            return
        adopt(obj, saved)


class CourseAppointmentInline(ReadOnly, ClinicTabularInline):
    """The course's sessions, for reading; book and move them on the appointment pages."""

    model = Appointment
    extra = 0
    fields = ["starts_at", "therapist", "room", "status", "needs_review"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False


# The course's plan: left empty on the add form, each takes the modality's default (in the service).
COURSE_NUMBERS = ("min_sessions", "max_sessions", "session_minutes", "cadence", "sessions_per_week")
# What a manager may still change on a running course: free text that no rule reads.
COURSE_TEXTS = ("goals", "home_programme")
PRESCRIPTION_FIELDS = ["patient", "diagnosis", "modality", "starts_on", *COURSE_NUMBERS, *COURSE_TEXTS]


class CoursePrescribeForm(forms.ModelForm):
    """Prescribe a course through sessions.courses.course_prescribe, with its refusals on the form.
    The prescriber is the user saving the form, as in the app."""

    prescriber = None  # set by CourseAdmin.get_form: the user at the screen

    class Meta:
        model = Course
        fields = PRESCRIPTION_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["modality"].queryset = Modality.objects.filter(active=True)
        for name in COURSE_NUMBERS:
            self.fields[name].required = False
            self.fields[name].help_text = gettext("Empty: the modality's default.")
        self.prescription: dict = {}

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        prescription = {name: cleaned.get(name) for name in PRESCRIPTION_FIELDS}
        prescription["cadence"] = prescription["cadence"] or None
        prescription["prescribed_by"] = self.prescriber
        course, reasons = course_prescription(**prescription)
        if reasons:
            raise ValidationError(reasons)
        self.prescription = prescription
        # The numbers as the service filled them in, so the form's own model check sees them too.
        cleaned.update({name: getattr(course, name) for name in COURSE_NUMBERS})
        return cleaned


class CourseChangeForm(forms.ModelForm):
    """Suspend, resume or close a course (the services; closing writes the discharge summary),
    and edit its goals and home programme. Its patient, diagnosis, modality and plan stay as
    prescribed; a course with no sessions yet may be deleted and prescribed again."""

    close_remarks = forms.CharField(
        required=False,
        max_length=2000,
        label=gettext_lazy("Remarks on closing"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("With the status “Completed”: added to the discharge summary."),
    )

    class Meta:
        model = Course
        fields = ["status", *COURSE_TEXTS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "status" in self.fields:
            # Offered: the present status and the changes the model allows; any other value is
            # still judged in clean_status, which says why it is refused.
            offered = [self.instance.status, *course_status_changes(self.instance)]
            self.fields["status"].widget.choices = [(status, CourseStatus(status).label) for status in offered]

    def clean_status(self):
        status = self.cleaned_data["status"]
        if status != self.instance.status:
            reasons = course_status_problems(self.instance, status)
            if reasons:
                raise ValidationError(reasons)
        return status

    def clean(self):
        cleaned = super().clean()
        closing = cleaned.get("status") == CourseStatus.COMPLETED and "status" in self.changed_data
        if cleaned.get("close_remarks", "").strip() and not closing:
            self.add_error(
                "close_remarks", gettext("Remarks go with closing the course: set the status to “Completed”.")
            )
        return cleaned


@admin.register(Course)
class CourseAdmin(ServiceAdmin):
    add_form = CoursePrescribeForm
    change_form = CourseChangeForm
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
    autocomplete_fields = ["patient", "diagnosis"]
    list_select_related = ["patient", "modality", "diagnosis", "prescribed_by"]
    inlines = [CourseAppointmentInline]

    def get_queryset(self, request):
        return with_progress(super().get_queryset(request))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            form.prescriber = request.user  # a class made for this request
        return form

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (None, {"fields": PRESCRIPTION_FIELDS[:4]}),
                (gettext("Plan"), {"fields": list(COURSE_NUMBERS)}),
                (None, {"fields": list(COURSE_TEXTS)}),
            ]
        status = ["status", "close_remarks"] if obj.can_close else ["status"]
        return [
            (None, {"fields": ["patient", "diagnosis", "modality", "prescribed_by", "starts_on"]}),
            (gettext("Plan"), {"fields": list(COURSE_NUMBERS)}),
            (gettext("Status"), {"fields": [*status, "discharge_summary"]}),
            (None, {"fields": list(COURSE_TEXTS)}),
            (gettext("Record"), {"fields": ["created_at", "updated_at"]}),
        ]

    def get_editable_fields(self, request, obj):
        # A finished course keeps its record as closed; a running one its prescription.
        return {"status"} if obj.is_finished else {"status", "close_remarks", *COURSE_TEXTS}

    @admin.display(description=gettext_lazy("done"), ordering="sessions_done")
    def sessions_done(self, obj: Course) -> int:
        return obj.sessions_done

    @admin.display(description=gettext_lazy("sessions"))
    def session_range(self, obj: Course) -> str:
        return obj.session_range

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.appointments.exists():
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            adopt(obj, through_service(course_prescribe, **form.prescription))
            return
        texts = [name for name in COURSE_TEXTS if name in form.changed_data]
        if texts:
            # Only the edited text: the status moves through the services below, never directly.
            obj.save(update_fields=[*texts, "updated_at"])
        if "status" in form.changed_data:
            status = form.cleaned_data["status"]
            # The services check again on the locked course, in case it changed since the form's check.
            if status == CourseStatus.SUSPENDED:
                saved = through_service(course_suspend, course=obj)
            elif status == CourseStatus.ACTIVE:
                saved = through_service(course_resume, course=obj)
            else:
                remarks = form.cleaned_data.get("close_remarks", "")
                saved = through_service(course_close, course=obj, closed_by=request.user, remarks=remarks)
            adopt(obj, saved)


class SignedFilter(YesNoFilter):
    title = gettext_lazy("signature")
    parameter_name = "signed"
    options = (("yes", gettext_lazy("Signed")), ("no", gettext_lazy("Draft")))

    def condition(self) -> Q:
        return Q(signed_at__isnull=False)


class AddendumInline(AddOnly, ClinicTabularInline):
    """Addenda are added to a signed note, never changed or removed."""

    model = Addendum
    extra = 0
    fields = ["text", "author", "created_at"]
    readonly_fields = ["author", "created_at"]

    def has_add_permission(self, request, obj=None):
        return obj is not None and obj.is_signed and super().has_add_permission(request, obj)


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
class SessionNoteAdmin(ClinicAdmin):
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

    @admin.display(description=gettext_lazy("patient"), ordering="appointment__patient__last_name")
    def patient(self, obj: SessionNote):
        return obj.appointment.patient

    @admin.display(description=gettext_lazy("signed"), boolean=True, ordering="signed_at")
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
            raise ValidationError(gettext("Addenda are for signed notes; a draft note is edited directly."))
        return note


@admin.register(Addendum)
class AddendumAdmin(AddOnly, ClinicAdmin):
    form = AddendumAdminForm
    list_display = ["note", "author", "created_at", "excerpt"]
    search_fields = ["text", "note__appointment__patient__last_name", "author__username"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["note"]
    list_select_related = ["note__appointment__patient", "note__appointment__modality", "author"]
    readonly_fields = ["author", "created_at"]

    @admin.display(description=gettext_lazy("text"))
    def excerpt(self, obj: Addendum) -> str:
        return Truncator(obj.text).chars(80)

    def save_model(self, request, obj, form, change):
        if change:
            return
        obj.author = request.user
        super().save_model(request, obj, form, change)
