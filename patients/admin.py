"""The admin for the clinical record.

A phase record is a dated statement by a clinician: it is never edited or deleted here; a
correction is a newer record. New records go through patients.services.phase_record_create,
which stamps the recorder and (through sessions.receivers) flags the patient's future sessions
when the phase is acute.
"""

from django.contrib import admin

from patients.models import (
    BreakGlassAccess,
    ContraindicationRule,
    Diagnosis,
    HealthFlag,
    Patient,
    PhaseRecord,
    Study,
)
from patients.services import phase_record_create


def _record_phase(record: PhaseRecord, user) -> PhaseRecord:
    """Save an unsaved PhaseRecord built by an admin form through the service."""
    saved = phase_record_create(
        diagnosis=record.diagnosis,
        phase=record.phase,
        recorded_by=user,
        effective_from=record.effective_from,
        note=record.note,
    )
    record.pk, record.recorded_by, record.recorded_at = saved.pk, saved.recorded_by, saved.recorded_at
    record._state.adding = False
    return record


class DiagnosisInline(admin.TabularInline):
    model = Diagnosis
    extra = 0
    fields = ["icd10_code", "title", "cause", "side", "diagnosed_on", "diagnosed_by", "active"]
    show_change_link = True


class HealthFlagInline(admin.TabularInline):
    model = HealthFlag
    extra = 0
    fields = ["kind", "substance", "active_from", "active_to", "note", "recorded_by"]
    readonly_fields = ["recorded_by"]


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "date_of_birth", "phone", "email", "has_portal_login", "consent_on"]
    list_display_links = ["last_name", "first_name"]
    search_fields = ["last_name", "first_name", "phone", "email", "user__username"]
    list_filter = ["diagnoses__cause", "health_flags__kind"]
    date_hierarchy = "date_of_birth"
    autocomplete_fields = ["user"]
    readonly_fields = ["created_at", "updated_at"]
    list_select_related = ["user"]
    inlines = [DiagnosisInline, HealthFlagInline]

    @admin.display(description="portal", boolean=True)
    def has_portal_login(self, obj: Patient) -> bool:
        return obj.user_id is not None

    def save_formset(self, request, form, formset, change):
        if formset.model is HealthFlag:
            for flag in formset.save(commit=False):
                if flag.recorded_by_id is None:
                    flag.recorded_by = request.user
                flag.save()
            for flag in formset.deleted_objects:
                flag.delete()
            return
        super().save_formset(request, form, formset, change)


class StudyInline(admin.TabularInline):
    model = Study
    extra = 0
    fields = ["kind", "performed_on", "findings"]


class PhaseRecordInline(admin.TabularInline):
    """Past records show read-only; a new row adds a record."""

    model = PhaseRecord
    extra = 0
    fields = ["phase", "effective_from", "note", "recorded_by", "recorded_at"]
    readonly_fields = ["recorded_by", "recorded_at"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Diagnosis)
class DiagnosisAdmin(admin.ModelAdmin):
    list_display = ["icd10_code", "title", "patient", "cause", "side", "diagnosed_on", "diagnosed_by", "active"]
    list_filter = ["active", "cause", "side", "icd10_code"]
    search_fields = ["icd10_code", "title", "patient__last_name", "patient__first_name", "diagnosed_by"]
    date_hierarchy = "diagnosed_on"
    autocomplete_fields = ["patient"]
    list_select_related = ["patient"]
    inlines = [StudyInline, PhaseRecordInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not PhaseRecord:
            return super().save_formset(request, form, formset, change)
        # Existing records cannot change (the inline is add-only); new ones go through the service.
        for record in formset.save(commit=False):
            _record_phase(record, request.user)


@admin.register(Study)
class StudyAdmin(admin.ModelAdmin):
    list_display = ["kind", "performed_on", "diagnosis", "patient"]
    list_filter = ["kind"]
    search_fields = ["findings", "diagnosis__icd10_code", "diagnosis__patient__last_name"]
    date_hierarchy = "performed_on"
    autocomplete_fields = ["diagnosis"]
    list_select_related = ["diagnosis__patient"]

    @admin.display(description="patient", ordering="diagnosis__patient__last_name")
    def patient(self, obj: Study):
        return obj.diagnosis.patient


@admin.register(PhaseRecord)
class PhaseRecordAdmin(admin.ModelAdmin):
    """Add-only: a record states what a clinician found on a day, and history must stay as it was."""

    list_display = ["diagnosis", "patient", "phase", "effective_from", "recorded_by", "recorded_at"]
    list_filter = ["phase"]
    search_fields = ["diagnosis__icd10_code", "diagnosis__patient__last_name", "diagnosis__patient__first_name"]
    date_hierarchy = "effective_from"
    autocomplete_fields = ["diagnosis"]
    fields = ["diagnosis", "phase", "effective_from", "note", "recorded_by", "recorded_at"]
    readonly_fields = ["recorded_by", "recorded_at"]
    list_select_related = ["diagnosis__patient", "recorded_by"]

    @admin.display(description="patient", ordering="diagnosis__patient__last_name")
    def patient(self, obj: PhaseRecord):
        return obj.diagnosis.patient

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:  # unreachable through the admin, which grants no change permission
            return
        _record_phase(obj, request.user)


@admin.register(HealthFlag)
class HealthFlagAdmin(admin.ModelAdmin):
    list_display = ["patient", "kind", "substance", "active_from", "active_to", "recorded_by"]
    list_filter = ["kind", "active_from"]
    search_fields = ["patient__last_name", "patient__first_name", "substance", "note"]
    autocomplete_fields = ["patient"]
    readonly_fields = ["recorded_by", "created_at"]
    list_select_related = ["patient", "recorded_by"]

    def save_model(self, request, obj, form, change):
        if obj.recorded_by_id is None:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ContraindicationRule)
class ContraindicationRuleAdmin(admin.ModelAdmin):
    list_display = ["flag_kind", "effect", "scope", "message", "active"]
    list_filter = ["effect", "flag_kind", "active", "oil_modalities_only"]
    search_fields = ["message", "modality__name"]
    list_select_related = ["modality"]

    @admin.display(description="applies to")
    def scope(self, obj: ContraindicationRule) -> str:
        if obj.modality_id:
            return str(obj.modality)
        return "Modalities with oil" if obj.oil_modalities_only else "All modalities"


@admin.register(BreakGlassAccess)
class BreakGlassAccessAdmin(admin.ModelAdmin):
    """Read-only: an emergency access is a fact to review, made only through the chart's form."""

    list_display = ["created_at", "user", "patient", "expires_at", "address"]
    search_fields = ["patient__last_name", "patient__first_name", "user__username", "reason"]
    date_hierarchy = "created_at"
    list_select_related = ["user", "patient"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
