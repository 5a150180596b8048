"""The admin for the clinic's set-up: catalogue, therapists, rooms, working hours and closures.

It also replaces Django's user admin so that a manager (staff, with the user permissions the
Manager group holds) cannot hand out superuser status or raw permissions, nor take over a
superuser's account: roles are given through the groups of clinic.roles.
"""

from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.admin.widgets import AdminSplitDateTime
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.forms.utils import pretty_name
from django.http import HttpResponseRedirect
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy

from clinic import roles
from clinic import services as setup
from clinic.accounts import USERNAME_TAKEN, username_taken
from clinic.date_windows import WindowedSplitDateTimeField
from clinic.models import Closure, ClosureKind, Location, Modality, Room, Therapist, WorkingHours, location_default
from clinic.refusals import Refused

# --- shared by the admins of every app -------------------------------------------------------------


class RefusedOnSave(Exception):
    """A service refused, at save time, what the admin form had accepted (another booking took the
    slot meanwhile, a rule the form cannot check first). The admin's transaction rolls back."""

    def __init__(self, reasons: list[str]):
        super().__init__(" ".join(reasons))
        self.reasons = reasons


def _name_input(field: forms.Field, name: str, *, labelled: bool) -> None:
    """Give `field`'s input an accessible name (WCAG 4.1.2): `name`, or for each box of a split
    date and time "<name>: date" and "<name>: time". A `labelled` field already has a <label for>,
    which names a single input but not the boxes of a split one (Django's label has no `for`
    there, and its "Date:" and "Time:" are bare text)."""
    widget = getattr(field.widget, "widget", field.widget)  # inside RelatedFieldWidgetWrapper
    if widget.is_hidden:
        return
    if isinstance(widget, forms.MultiWidget):
        if isinstance(widget, forms.SplitDateTimeWidget):
            # Translators: the spoken names of a date-and-time field's two boxes, "Starts at: date".
            names = [gettext("%(name)s: date") % {"name": name}, gettext("%(name)s: time") % {"name": name}]
        else:
            names = [f"{name}: {part}" for part in range(1, len(widget.widgets) + 1)]
        for box_name, box in zip(names, widget.widgets, strict=False):
            box.attrs["aria-label"] = box_name
    elif not labelled:
        widget.attrs["aria-label"] = name


class ClinicAdmin(admin.ModelAdmin):
    """The base of every ModelAdmin here (tests/pages/admin/test_admin_pages.py checks it).

    - A date and time at the calendar's edge gets a form error (clinic.date_windows) instead of
      overflowing; autocomplete fields are guarded for every admin by clinic.admin_guards.
    - Each box of a split date and time has its own accessible name.
    - After an invalid edit the page's title and breadcrumb name the object as it is saved, not
      as the refused form left it.
    """

    formfield_overrides = {
        models.DateTimeField: {"form_class": WindowedSplitDateTimeField, "widget": AdminSplitDateTime},
    }

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        for field_name, field in form.base_fields.items():
            _name_input(field, str(field.label or pretty_name(field_name)), labelled=True)
        return form

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None and context.get("errors"):
            # The admin's instance took the refused values while the form was validated.
            saved = type(obj)._default_manager.filter(pk=obj.pk).first()
            if saved is not None:
                context["subtitle"] = str(saved)
                context["original"] = saved
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)


class NamedInlineFormSet(BaseInlineFormSet):
    """A tabular inline's inputs have no <label>, only the column's heading: each is named by its
    heading and its row ("Weekday, row 2"), the delete box too."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for field_name, field in form.fields.items():
            label = field.label or pretty_name(field_name)
            if index is not None:
                # Translators: the spoken name of a table's input, "Weekday, row 2".
                label = gettext("%(label)s, row %(row)s") % {"label": label, "row": index + 1}
            _name_input(field, str(label), labelled=False)


class ClinicTabularInline(admin.TabularInline):
    """The base of every inline here: a table whose inputs are named (NamedInlineFormSet)."""

    formset = NamedInlineFormSet


class ServiceAdmin(ClinicAdmin):
    """An admin that writes through the domain's services: one form to add (`add_form`), one to
    change (`change_form`) in which only `get_editable_fields` may change, and a refusal at save
    time shown as messages with nothing saved."""

    add_form: type | None = None
    change_form: type | None = None

    def get_editable_fields(self, request, obj) -> set[str] | None:
        """What may still change on the existing row `obj`; every other field shown is read-only.
        None: only `readonly_fields` are. (With a set, the admin needs `fields` or get_fieldsets.)"""
        return None

    def get_readonly_fields(self, request, obj=None):
        editable = None if obj is None else self.get_editable_fields(request, obj)
        if editable is None:
            return super().get_readonly_fields(request, obj)
        return [name for name in flatten_fieldsets(self.get_fieldsets(request, obj)) if name not in editable]

    def get_form(self, request, obj=None, change=False, **kwargs):
        chosen = self.change_form if obj is not None else self.add_form
        if chosen is not None:
            kwargs["form"] = chosen
        return super().get_form(request, obj, change=change, **kwargs)

    def _refusal_as_messages(self, request, view, *args):
        try:
            return view(request, *args)
        except RefusedOnSave as refusal:
            # The admin's transaction has rolled back; nothing was saved.
            for reason in refusal.reasons:
                self.message_user(request, reason, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return self._refusal_as_messages(request, super().changeform_view, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        return self._refusal_as_messages(request, super().delete_view, object_id, extra_context)

    def changelist_view(self, request, extra_context=None):
        # The list's actions (delete the selected rows) run inside it.
        return self._refusal_as_messages(request, transaction.atomic(super().changelist_view), extra_context)


def through_service(service, **arguments):
    """Call a domain service from an admin's save. Its refusal (Refused, or the ValidationError
    of the clinical-record services) becomes RefusedOnSave: messages, and nothing saved."""
    try:
        return service(**arguments)
    except Refused as error:
        raise RefusedOnSave(error.reasons + error.warnings) from error
    except ValidationError as error:
        raise RefusedOnSave(error.messages) from error


def adopt(obj: models.Model, saved: models.Model) -> models.Model:
    """Give the admin's unsaved `obj` the row a service saved: the admin goes on with `obj`
    (log entry, message, redirect, inline formsets)."""
    for field in type(saved)._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    return obj


class NoChange:
    """Mixin for a ModelAdmin or an inline: rows, once saved, are never changed here."""

    def has_change_permission(self, request, obj=None):
        return False


class NoDelete:
    """Mixin for a ModelAdmin or an inline: rows are never deleted here; their history matters."""

    def has_delete_permission(self, request, obj=None):
        return False


class AddOnly(NoChange, NoDelete):
    """Rows are added and then stay as they were: a dated statement, a correction is a new row."""


class ReadOnly(AddOnly):
    """Rows are only read here; the app makes them."""

    def has_add_permission(self, request, obj=None):
        return False


class YesNoFilter(admin.SimpleListFilter):
    """A list filter with two choices: the rows that meet `condition()`, or the others."""

    # (value, label) of the rows that meet the condition, then of the others.
    options: tuple[tuple[str, str], tuple[str, str]] = (("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No")))

    def condition(self) -> Q:
        raise NotImplementedError

    def lookups(self, request, model_admin):
        return list(self.options)

    def queryset(self, request, queryset):
        (yes, _), (no, _) = self.options
        if self.value() == yes:
            return queryset.filter(self.condition())
        if self.value() == no:
            return queryset.exclude(self.condition())
        return queryset


# --- the clinic's set-up ---------------------------------------------------------------------------
# The manager edits these on her own pages (pages/manager/clinic_editors.py); the admin, kept for
# superusers, saves through the same services (clinic/services.py), so it refuses what they refuse:
# a closure over booked sessions, a room or a qualification taken from a session ahead.


def _site(obj: Room | WorkingHours) -> Location:
    """Where a room or a block is: the first site unless the row names one."""
    return obj.location if obj.location_id else Location.objects.get(pk=location_default())


def week_set(therapist: Therapist, rows) -> None:
    """Set the therapist's week to these rows (saved or not) through the weekly grid's service."""
    blocks = [setup.HoursBlock(weekday=r.weekday, starts=r.starts, ends=r.ends, location=_site(r)) for r in rows]
    through_service(setup.working_hours_set, therapist=therapist, blocks=blocks)


def closure_spec(data: dict, therapist: Therapist | None) -> setup.ClosureSpec:
    return setup.ClosureSpec(
        kind=data.get("kind", ClosureKind.CLOSED),
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
        reason=data["reason"],
        therapist=therapist,
    )


@admin.register(Modality)
class ModalityAdmin(ServiceAdmin):
    list_display = [
        "name",
        "session_minutes",
        "course_sessions",
        "cadence",
        "sessions_per_week",
        "uses_oils",
        "therapist_count",
        "room_count",
        "active",
    ]
    list_filter = ["active", "cadence", "uses_oils"]
    search_fields = ["name", "description"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                therapist_total=Count("therapists", distinct=True),
                room_total=Count("rooms", distinct=True),
            )
        )

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        defaults = setup.CourseDefaults(**{name: data[name] for name in setup.CourseDefaults.__dataclass_fields__})
        common = {"name": obj.name, "defaults": defaults, "uses_oils": obj.uses_oils, "description": obj.description}
        if change:
            saved = through_service(
                setup.modality_update, modality=Modality.objects.get(pk=obj.pk), active=obj.active, **common
            )
        else:
            saved = through_service(setup.modality_create, active=obj.active, **common)
        adopt(obj, saved)

    # Translators: a column of the modalities: how many sessions a course has ("12–15").
    @admin.display(description=gettext_lazy("course"))
    def course_sessions(self, obj: Modality) -> str:
        if obj.course_min_sessions == obj.course_max_sessions:
            return str(obj.course_max_sessions)
        return f"{obj.course_min_sessions}–{obj.course_max_sessions}"

    @admin.display(description=gettext_lazy("therapists"), ordering="therapist_total")
    def therapist_count(self, obj: Modality) -> int:
        return obj.therapist_total

    @admin.display(description=gettext_lazy("rooms"), ordering="room_total")
    def room_count(self, obj: Modality) -> int:
        return obj.room_total


class WorkingHoursInline(ClinicTabularInline):
    model = WorkingHours
    extra = 0
    fields = ["weekday", "starts", "ends"]


class TherapistClosureInline(ClinicTabularInline):
    model = Closure
    extra = 0
    fields = ["starts_on", "ends_on", "reason"]
    verbose_name = gettext_lazy("day off")
    verbose_name_plural = gettext_lazy("days off (the therapist's own closures)")


@admin.register(Therapist)
class TherapistAdmin(ServiceAdmin):
    list_display = ["__str__", "username", "colour", "modality_names", "active"]
    list_filter = ["active", "modalities"]
    search_fields = ["user__first_name", "user__last_name", "user__username", "user__email"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["modalities"]
    inlines = [WorkingHoursInline, TherapistClosureInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("modalities")

    def save_model(self, request, obj, form, change):
        if not change:  # a new therapist has nothing booked that an edit could strand
            return super().save_model(request, obj, form, change)
        saved = through_service(
            setup.therapist_update,
            therapist=Therapist.objects.get(pk=obj.pk),
            modalities=form.cleaned_data["modalities"],
            calendar_colour=obj.calendar_colour,
            active=obj.active,
        )
        adopt(obj, saved)

    def save_formset(self, request, form, formset, change):
        therapist = form.instance
        if formset.model is WorkingHours:
            # The inline forms' instances carry what was typed (the form's clean puts it there).
            week_set(
                therapist, [f.instance for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
            )
        elif formset.model is Closure:
            for f in formset.forms:
                if not f.has_changed() and not f.cleaned_data.get("DELETE"):
                    continue
                if f.cleaned_data.get("DELETE"):
                    if f.instance.pk:
                        through_service(setup.closure_delete, closure=f.instance)
                elif f.instance.pk:
                    closure = Closure.objects.get(pk=f.instance.pk)
                    through_service(setup.closure_update, closure=closure, spec=closure_spec(f.cleaned_data, therapist))
                else:
                    through_service(setup.closure_create, spec=closure_spec(f.cleaned_data, therapist))
        else:
            super().save_formset(request, form, formset, change)

    @admin.display(description=gettext_lazy("username"), ordering="user__username")
    def username(self, obj: Therapist) -> str:
        return obj.user.get_username()

    @admin.display(description=gettext_lazy("calendar colour"))
    def colour(self, obj: Therapist) -> str:
        return format_html(
            '<span style="display:inline-block;width:1em;height:1em;background:{};'
            'border:1px solid #888;vertical-align:middle"></span> {}',
            obj.calendar_colour,
            obj.calendar_colour,
        )

    @admin.display(description=gettext_lazy("qualified for"))
    def modality_names(self, obj: Therapist) -> str:
        return ", ".join(m.name for m in obj.modalities.all()) or "—"


@admin.register(Room)
class RoomAdmin(ServiceAdmin):
    list_display = ["name", "modality_names", "active"]
    list_filter = ["active", "modalities"]
    search_fields = ["name"]
    filter_horizontal = ["modalities"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("modalities")

    def save_model(self, request, obj, form, change):
        common = {
            "name": obj.name,
            "location": _site(obj),
            "modalities": form.cleaned_data["modalities"],
            "active": obj.active,
        }
        if change:
            adopt(obj, through_service(setup.room_update, room=Room.objects.get(pk=obj.pk), **common))
        else:
            adopt(obj, through_service(setup.room_create, **common))

    @admin.display(description=gettext_lazy("set up for"))
    def modality_names(self, obj: Room) -> str:
        return ", ".join(m.name for m in obj.modalities.all()) or "—"


@admin.register(WorkingHours)
class WorkingHoursAdmin(ServiceAdmin):
    """One block at a time here, but saved as a change of the therapist's whole week (the weekly
    grid's service), so that no block strands a session booked ahead."""

    list_display = ["therapist", "weekday", "starts", "ends"]
    list_filter = ["weekday", "therapist"]
    search_fields = ["therapist__user__first_name", "therapist__user__last_name", "therapist__user__username"]
    list_select_related = ["therapist__user"]

    def get_readonly_fields(self, request, obj=None):
        return ["therapist"] if obj else []  # a block moves to another therapist as a new one

    def save_model(self, request, obj, form, change):
        others = obj.therapist.working_hours.exclude(pk=obj.pk)
        week_set(obj.therapist, [*others, obj])
        saved = obj.therapist.working_hours.get(
            weekday=obj.weekday, starts=obj.starts, ends=obj.ends, location=_site(obj)
        )
        adopt(obj, saved)

    def delete_model(self, request, obj):
        week_set(obj.therapist, obj.therapist.working_hours.exclude(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        for therapist in Therapist.objects.filter(working_hours__in=queryset).distinct():
            week_set(therapist, therapist.working_hours.exclude(pk__in=queryset.values("pk")))


class ClosureScopeFilter(YesNoFilter):
    title = gettext_lazy("scope")
    parameter_name = "scope"
    options = (("clinic", gettext_lazy("Whole clinic")), ("therapist", gettext_lazy("One therapist")))

    def condition(self) -> Q:
        return Q(therapist__isnull=True)


@admin.register(Closure)
class ClosureAdmin(ServiceAdmin):
    """The manager's closures. Public holidays close the clinic without a row (the
    CLINIC_HOLIDAYS_* settings); a row of kind "open on a public holiday" opens on the ones it
    covers."""

    list_display = ["starts_on", "ends_on", "kind", "reason", "who"]
    list_filter = ["kind", ClosureScopeFilter, "therapist"]
    search_fields = ["reason", "therapist__user__first_name", "therapist__user__last_name"]
    date_hierarchy = "starts_on"
    list_select_related = ["therapist__user"]

    def save_model(self, request, obj, form, change):
        spec = closure_spec(form.cleaned_data, obj.therapist)
        if change:
            adopt(obj, through_service(setup.closure_update, closure=Closure.objects.get(pk=obj.pk), spec=spec))
        else:
            adopt(obj, through_service(setup.closure_create, spec=spec))

    def delete_model(self, request, obj):
        through_service(setup.closure_delete, closure=obj)

    def delete_queryset(self, request, queryset):
        for closure in queryset:
            through_service(setup.closure_delete, closure=closure)

    # Translators: a column of the closures: who is closed, the whole clinic or one therapist.
    @admin.display(description=gettext_lazy("closed"), ordering="therapist")
    def who(self, obj: Closure) -> str:
        return str(obj.therapist) if obj.therapist_id else gettext("Whole clinic")


# Fields only a superuser may set: they grant rights beyond the clinic's four roles.
_SUPERUSER_ONLY_FIELDS = ("is_superuser", "user_permissions")

admin.site.unregister(User)


class UsernameIgnoringCase:
    """User forms: a username differing from another only in case is taken (clinic.accounts)."""

    def clean_username(self):
        username = self.cleaned_data.get("username")
        if username and username_taken(username, exclude_pk=self.instance.pk):
            raise ValidationError(USERNAME_TAKEN, code="unique")
        return username


class ClinicUserCreationForm(UsernameIgnoringCase, AdminUserCreationForm):
    pass


class ClinicUserChangeForm(UsernameIgnoringCase, UserChangeForm):
    pass


@admin.register(User)
class ClinicUserAdmin(ClinicAdmin, UserAdmin):
    add_form = ClinicUserCreationForm
    form = ClinicUserChangeForm
    list_display = ["username", "first_name", "last_name", "email", "role_names", "is_staff", "is_active"]
    list_filter = ["groups", "is_staff", "is_active"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=gettext_lazy("roles"))
    def role_names(self, obj: User) -> str:
        return roles.role_labels(obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += [field for field in _SUPERUSER_ONLY_FIELDS if field not in readonly]
        return readonly

    def has_change_permission(self, request, obj=None):
        # A manager may look after staff accounts, but not a superuser's (its password included).
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)


admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class AuditLogEntryAdmin(NoDelete, ClinicAdmin, LogEntryAdmin):
    """The audit log, read-only: django-auditlog's admin already refuses add and change; it
    would still delete entries along with a deleted object, which the log must outlive."""
