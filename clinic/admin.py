"""The admin for the clinic's set-up: catalogue, therapists, rooms, working hours and closures.

It also replaces Django's user admin so that a manager (staff, with the user permissions the
Manager group holds) cannot hand out superuser status or raw permissions, nor take over a
superuser's account: roles are given through the groups of clinic.roles.
"""

from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db.models import Count
from django.utils.html import format_html

from clinic.models import Closure, Modality, Room, Therapist, WorkingHours


@admin.register(Modality)
class ModalityAdmin(admin.ModelAdmin):
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

    @admin.display(description="course")
    def course_sessions(self, obj: Modality) -> str:
        if obj.course_min_sessions == obj.course_max_sessions:
            return str(obj.course_max_sessions)
        return f"{obj.course_min_sessions}–{obj.course_max_sessions}"

    @admin.display(description="therapists", ordering="therapist_total")
    def therapist_count(self, obj: Modality) -> int:
        return obj.therapist_total

    @admin.display(description="rooms", ordering="room_total")
    def room_count(self, obj: Modality) -> int:
        return obj.room_total


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0
    fields = ["weekday", "starts", "ends"]


class TherapistClosureInline(admin.TabularInline):
    model = Closure
    extra = 0
    fields = ["starts_on", "ends_on", "reason"]
    verbose_name = "day off"
    verbose_name_plural = "days off (the therapist's own closures)"


@admin.register(Therapist)
class TherapistAdmin(admin.ModelAdmin):
    list_display = ["__str__", "username", "colour", "modality_names", "active"]
    list_filter = ["active", "modalities"]
    search_fields = ["user__first_name", "user__last_name", "user__username", "user__email"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["modalities"]
    inlines = [WorkingHoursInline, TherapistClosureInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("modalities")

    @admin.display(description="username", ordering="user__username")
    def username(self, obj: Therapist) -> str:
        return obj.user.get_username()

    @admin.display(description="calendar colour")
    def colour(self, obj: Therapist) -> str:
        return format_html(
            '<span style="display:inline-block;width:1em;height:1em;background:{};'
            'border:1px solid #888;vertical-align:middle"></span> {}',
            obj.calendar_colour,
            obj.calendar_colour,
        )

    @admin.display(description="qualified for")
    def modality_names(self, obj: Therapist) -> str:
        return ", ".join(m.name for m in obj.modalities.all()) or "—"


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "modality_names", "active"]
    list_filter = ["active", "modalities"]
    search_fields = ["name"]
    filter_horizontal = ["modalities"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("modalities")

    @admin.display(description="set up for")
    def modality_names(self, obj: Room) -> str:
        return ", ".join(m.name for m in obj.modalities.all()) or "—"


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin):
    list_display = ["therapist", "weekday", "starts", "ends"]
    list_filter = ["weekday", "therapist"]
    search_fields = ["therapist__user__first_name", "therapist__user__last_name", "therapist__user__username"]
    list_select_related = ["therapist__user"]


class ClosureScopeFilter(admin.SimpleListFilter):
    title = "scope"
    parameter_name = "scope"

    def lookups(self, request, model_admin):
        return [("clinic", "Whole clinic"), ("therapist", "One therapist")]

    def queryset(self, request, queryset):
        if self.value() == "clinic":
            return queryset.filter(therapist__isnull=True)
        if self.value() == "therapist":
            return queryset.filter(therapist__isnull=False)
        return queryset


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ["starts_on", "ends_on", "reason", "who"]
    list_filter = [ClosureScopeFilter, "therapist"]
    search_fields = ["reason", "therapist__user__first_name", "therapist__user__last_name"]
    date_hierarchy = "starts_on"
    list_select_related = ["therapist__user"]

    @admin.display(description="closed", ordering="therapist")
    def who(self, obj: Closure) -> str:
        return str(obj.therapist) if obj.therapist_id else "Whole clinic"


# Fields only a superuser may set: they grant rights beyond the clinic's four roles.
_SUPERUSER_ONLY_FIELDS = ("is_superuser", "user_permissions")

admin.site.unregister(User)


@admin.register(User)
class ClinicUserAdmin(UserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "role_names", "is_staff", "is_active"]
    list_filter = ["groups", "is_staff", "is_active"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="roles")
    def role_names(self, obj: User) -> str:
        return ", ".join(group.name for group in obj.groups.all()) or "—"

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
class AuditLogEntryAdmin(LogEntryAdmin):
    """The audit log, read-only: django-auditlog's admin already refuses add and change; it
    would still delete entries along with a deleted object, which the log must outlive."""

    def has_delete_permission(self, request, obj=None):
        return False
