"""The admin for the clinical record.

Every new record (diagnosis, study, phase record, health flag), on its own page or in a patient's
or a diagnosis's table, goes through its service in patients.services, as in the app: the same
checks (no diagnosis or study dated in the future, an oil allergy names its oil…), the recorder
stamped, and an acute phase flagging the patient's future sessions (sessions.receivers).

A record is a dated statement by a clinician; a correction is a newer record. So phase records
and studies are never edited here, a diagnosis changes only whether it is still active, and a
health flag only its end, through health_flag_end.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext, gettext_lazy

from clinic.admin import (
    AddOnly,
    ClinicAdmin,
    ClinicTabularInline,
    NoChange,
    ReadOnly,
    ServiceAdmin,
    adopt,
    through_service,
)
from patients.models import (
    BreakGlassAccess,
    ConsentSignature,
    ConsentTopic,
    ConsentVersion,
    ContraindicationRule,
    Diagnosis,
    FlagProposal,
    HealthFlag,
    IntakeResponse,
    IntakeVersion,
    KioskSession,
    Patient,
    PhaseRecord,
    Study,
)
from patients.services import (
    PATIENT_EDITABLE_FIELDS,
    contraindication_rule_save,
    diagnosis_create,
    health_flag_create,
    health_flag_end,
    patient_create,
    patient_update,
    phase_record_create,
    study_create,
)

# How each record is created: its service, and the fields of the admin's form it takes. A record
# with a recorder is stamped with the user saving the form.
RECORD_SERVICES = {
    Diagnosis: (
        diagnosis_create,
        ["patient", "icd10_code", "title", "cause", "side", "diagnosed_on", "diagnosed_by", "recorded_by"],
    ),
    Study: (study_create, ["diagnosis", "kind", "performed_on", "findings"]),
    PhaseRecord: (phase_record_create, ["diagnosis", "phase", "effective_from", "note", "recorded_by"]),
    HealthFlag: (
        health_flag_create,
        ["patient", "kind", "substance", "active_from", "active_to", "note", "recorded_by"],
    ),
}


def _record_create(record, user):
    """Save an unsaved record built by an admin form (or inline row) through its service."""
    service, fields = RECORD_SERVICES[type(record)]
    if "recorded_by" in fields:
        record.recorded_by = user
    return adopt(record, through_service(service, **{name: getattr(record, name) for name in fields}))


class RecordAdmin(ServiceAdmin):
    """New records, on this page and in its tables, through their services; removed rows of a
    table as before."""

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        _record_create(obj, request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model not in RECORD_SERVICES:
            return super().save_formset(request, form, formset, change)
        # Existing rows are read-only (the inlines grant no change), so only new rows come back.
        for record in formset.save(commit=False):
            _record_create(record, request.user)
        for record in formset.deleted_objects:
            record.delete()


class RecordInline(NoChange, ClinicTabularInline):
    """Past rows show read-only; a new row adds a record through its service."""

    extra = 0


class ByDiagnosis:
    """The patient column of a record kept under a diagnosis."""

    @admin.display(description=gettext_lazy("patient"), ordering="diagnosis__patient__last_name")
    def patient(self, obj):
        return obj.diagnosis.patient


class DiagnosisInline(RecordInline):
    model = Diagnosis
    fields = ["icd10_code", "title", "cause", "side", "diagnosed_on", "diagnosed_by", "active"]
    readonly_fields = ["active"]
    show_change_link = True


class HealthFlagInline(RecordInline):
    model = HealthFlag
    fields = ["kind", "substance", "active_from", "active_to", "note", "recorded_by"]
    readonly_fields = ["recorded_by"]
    show_change_link = True


@admin.register(Patient)
class PatientAdmin(RecordAdmin):
    list_display = ["last_name", "first_name", "date_of_birth", "phone", "email", "has_portal_login", "consent_on"]
    list_display_links = ["last_name", "first_name"]
    search_fields = ["last_name", "first_name", "phone", "email", "user__username"]
    list_filter = ["diagnoses__cause", "health_flags__kind"]
    date_hierarchy = "date_of_birth"
    # The portal login is made only by the app's invitation (patient_portal_invite), never linked here.
    readonly_fields = ["user", "created_at", "updated_at"]
    list_select_related = ["user"]
    inlines = [DiagnosisInline, HealthFlagInline]

    @admin.display(description=gettext_lazy("portal"), boolean=True)
    def has_portal_login(self, obj: Patient) -> bool:
        return obj.user_id is not None

    def save_model(self, request, obj, form, change):
        details = {name: value for name, value in form.cleaned_data.items() if name in PATIENT_EDITABLE_FIELDS}
        if not change:
            adopt(obj, through_service(patient_create, **details))
            return
        changed = {name: value for name, value in details.items() if name in form.changed_data}
        if changed:
            adopt(obj, through_service(patient_update, patient=obj, **changed))


class StudyInline(RecordInline):
    model = Study
    fields = ["kind", "performed_on", "findings"]


class PhaseRecordInline(AddOnly, RecordInline):
    model = PhaseRecord
    fields = ["phase", "effective_from", "note", "recorded_by", "recorded_at"]
    readonly_fields = ["recorded_by", "recorded_at"]


@admin.register(Diagnosis)
class DiagnosisAdmin(RecordAdmin):
    list_display = ["icd10_code", "title", "patient", "cause", "side", "diagnosed_on", "diagnosed_by", "active"]
    list_filter = ["active", "cause", "side", "icd10_code"]
    search_fields = ["icd10_code", "title", "patient__last_name", "patient__first_name", "diagnosed_by"]
    date_hierarchy = "diagnosed_on"
    autocomplete_fields = ["patient"]
    list_select_related = ["patient"]
    fields = ["patient", "icd10_code", "title", "cause", "side", "diagnosed_on", "diagnosed_by", "active"]
    inlines = [StudyInline, PhaseRecordInline]

    def get_editable_fields(self, request, obj):
        # Once recorded, a diagnosis only stops (or starts again) being active.
        return {"active"}


@admin.register(Study)
class StudyAdmin(ByDiagnosis, NoChange, RecordAdmin):
    """A study states what was found on a day: added, never edited (a correction is a new one)."""

    list_display = ["kind", "performed_on", "diagnosis", "patient"]
    list_filter = ["kind"]
    search_fields = ["findings", "diagnosis__icd10_code", "diagnosis__patient__last_name"]
    date_hierarchy = "performed_on"
    autocomplete_fields = ["diagnosis"]
    list_select_related = ["diagnosis__patient"]


@admin.register(PhaseRecord)
class PhaseRecordAdmin(ByDiagnosis, AddOnly, RecordAdmin):
    """Add-only: a record states what a clinician found on a day, and history must stay as it was."""

    list_display = ["diagnosis", "patient", "phase", "effective_from", "recorded_by", "recorded_at"]
    list_filter = ["phase"]
    search_fields = ["diagnosis__icd10_code", "diagnosis__patient__last_name", "diagnosis__patient__first_name"]
    date_hierarchy = "effective_from"
    autocomplete_fields = ["diagnosis"]
    fields = ["diagnosis", "phase", "effective_from", "note", "recorded_by", "recorded_at"]
    readonly_fields = ["recorded_by", "recorded_at"]
    list_select_related = ["diagnosis__patient", "recorded_by"]


class HealthFlagEndForm(forms.ModelForm):
    """An existing flag changes only its end, through health_flag_end; it is never reopened."""

    class Meta:
        model = HealthFlag
        fields = ["active_to"]

    def clean_active_to(self):
        on = self.cleaned_data["active_to"]
        if on is None and self.instance.active_to is not None:
            raise forms.ValidationError(gettext("An ended flag is not reopened: add a new flag instead."))
        return on


@admin.register(HealthFlag)
class HealthFlagAdmin(RecordAdmin):
    change_form = HealthFlagEndForm
    list_display = ["patient", "kind", "substance", "active_from", "active_to", "recorded_by"]
    list_filter = ["kind", "active_from"]
    search_fields = ["patient__last_name", "patient__first_name", "substance", "note"]
    autocomplete_fields = ["patient"]
    fields = ["patient", "kind", "substance", "active_from", "active_to", "note", "recorded_by", "created_at"]
    list_select_related = ["patient", "recorded_by"]

    readonly_fields = ["recorded_by", "created_at"]

    def get_editable_fields(self, request, obj):
        return {"active_to"}

    def save_model(self, request, obj, form, change):
        if not change:
            return _record_create(obj, request.user)
        if "active_to" in form.changed_data:
            adopt(obj, through_service(health_flag_end, flag=obj, on=form.cleaned_data["active_to"]))


@admin.register(ContraindicationRule)
class ContraindicationRuleAdmin(ServiceAdmin):
    """Saved through the same service as the manager's rule editor, with the same checks."""

    list_display = ["condition", "flag_kind", "effect", "scope", "message", "active"]
    list_filter = ["condition", "effect", "flag_kind", "active", "oil_modalities_only"]
    search_fields = ["message", "modality__name"]
    list_select_related = ["modality"]

    def save_model(self, request, obj, form, change):
        fields = ("flag_kind", "modality", "oil_modalities_only", "effect", "message", "active")
        rule = ContraindicationRule.objects.get(pk=obj.pk) if change else None
        saved = through_service(
            contraindication_rule_save, rule=rule, **{name: form.cleaned_data[name] for name in fields}
        )
        adopt(obj, saved)

    @admin.display(description=gettext_lazy("applies to"))
    def scope(self, obj: ContraindicationRule) -> str:
        if obj.modality_id:
            return str(obj.modality)
        return gettext("Modalities with oil") if obj.oil_modalities_only else gettext("All modalities")


@admin.register(BreakGlassAccess)
class BreakGlassAccessAdmin(ReadOnly, ClinicAdmin):
    """Read-only: an emergency access is a fact to review, made only through the chart's form."""

    list_display = ["created_at", "user", "patient", "expires_at", "address"]
    search_fields = ["patient__last_name", "patient__first_name", "user__username", "reason"]
    date_hierarchy = "created_at"
    list_select_related = ["user", "patient"]


# Intake and consent: written by the portal, the reception tablet and the manager's pages
# (patients.intake, patients.consent, patients.kiosk), read here. A version, an answer set and a
# signature are facts that never change.


@admin.register(IntakeVersion)
class IntakeVersionAdmin(ReadOnly, ClinicAdmin):
    list_display = ["number", "created_at", "created_by"]
    list_select_related = ["created_by"]


@admin.register(IntakeResponse)
class IntakeResponseAdmin(ReadOnly, ClinicAdmin):
    list_display = ["patient", "submitted_at", "version", "channel"]
    search_fields = ["patient__last_name", "patient__first_name"]
    list_select_related = ["patient", "version"]


@admin.register(FlagProposal)
class FlagProposalAdmin(ReadOnly, ClinicAdmin):
    list_display = ["patient", "kind", "substance", "status", "decided_by", "decided_at"]
    list_filter = ["status", "kind"]
    search_fields = ["patient__last_name", "patient__first_name"]
    list_select_related = ["patient", "decided_by"]


@admin.register(ConsentTopic)
class ConsentTopicAdmin(ReadOnly, ClinicAdmin):
    list_display = ["name", "oil_modalities", "active"]


@admin.register(ConsentVersion)
class ConsentVersionAdmin(ReadOnly, ClinicAdmin):
    list_display = ["topic", "number", "created_at", "created_by", "text_sha256"]
    list_select_related = ["topic", "created_by"]


@admin.register(ConsentSignature)
class ConsentSignatureAdmin(ReadOnly, ClinicAdmin):
    list_display = ["patient", "version", "typed_name", "signed_at", "channel", "text_sha256"]
    search_fields = ["patient__last_name", "patient__first_name", "typed_name"]
    list_select_related = ["patient", "version__topic"]


@admin.register(KioskSession)
class KioskSessionAdmin(ReadOnly, ClinicAdmin):
    list_display = ["patient", "started_by", "started_at", "expires_at", "ended_at"]
    list_select_related = ["patient", "started_by"]
    exclude = ["token_hash"]
