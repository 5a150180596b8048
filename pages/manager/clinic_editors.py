"""Running the clinic without the admin: the manager's editors for sites, therapists (their
qualifications, colour, whether active, and their weekly hours), rooms, modalities with their
course defaults, closures, and contraindication rules (the questionnaire and consent texts are
pages/manager/intake_consent.py).

Every write goes through the domain's services (clinic.services, patients.services), which refuse
in sentences that land on the form, with nothing saved; django-auditlog records each change with
the manager who made it. Each list is a fixed number of queries however long it grows.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib import messages
from django.db.models import Count, Model, Prefetch, QuerySet
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic import roles
from clinic import services as clinic_services
from clinic.models import Closure, Location, Modality, Room, Therapist, WorkingHours
from clinic.refusals import Refused
from pages.manager.clinic_forms import (
    ClosureForm,
    LocationForm,
    ModalityForm,
    RoomForm,
    RuleForm,
    TherapistForm,
    WeekForm,
)
from pages.refusals import refusal_message, refusal_on_form, saved_or_refused
from pages.roles import role_required
from pages.routes import Routes
from patients.models import ContraindicationRule
from patients.services import contraindication_rule_save

EDIT_METHODS = ["GET", "POST"]


@dataclass
class Column:
    title: str
    value: Callable


@dataclass(frozen=True)
class Editor:
    """One kind of thing the manager edits, as data: its list page, its add page (when it has one)
    and its edit page are the same three views for every kind, driven by this row. Their addresses
    are under `address`, named manager:<key>_list, _create and _edit. Messages and titles are format
    strings of the row."""

    key: str
    address: str
    title: str
    lead: str
    rows: QuerySet
    columns: list[Column]
    form: type
    edited: QuerySet
    edit_title: str
    update: Callable[[Model, object], Model]
    saved: str
    add: str = ""
    add_title: str = ""
    create: Callable[[object], Model] | None = None
    added: str = ""
    create_initial: Callable[[], dict] = dict
    # The add page's form when it asks more than the edit page (a consent's first text).
    create_form: type | None = None
    edit_extra: Callable[[Model], dict] = field(default=lambda row: {})

    def back(self) -> str:
        return reverse(f"manager:{self.key}_list")

    def urls(self) -> list[URLPattern]:
        pages = [("", "list", self.list_view()), ("<int:pk>/", "edit", self.edit_view())]
        if self.create is not None:
            pages.append(("new/", "create", self.create_view()))
        return [path(f"{self.address}{route}", view, name=f"{self.key}_{kind}") for route, kind, view in pages]

    def list_view(self):
        @require_GET
        @role_required(roles.MANAGER)
        def view(request):
            # .all(): a fresh query each time, not the rows the module's queryset read once.
            rows = self.rows.all()
            table = [
                (row, reverse(f"manager:{self.key}_edit", args=[row.pk]), [c.value(row) for c in self.columns])
                for row in rows
            ]
            context = {
                "title": self.title,
                "lead": self.lead,
                "columns": [column.title for column in self.columns],
                "table": table,
                "add": (reverse(f"manager:{self.key}_create"), self.add) if self.add else None,
            }
            return render(request, "manager/editor_list.html", context)

        return view

    def create_view(self):
        @require_http_methods(EDIT_METHODS)
        @role_required(roles.MANAGER)
        def view(request):
            form = (self.create_form or self.form)(_post(request), initial=self.create_initial())
            form.user = request.user  # for services that record who saved (a consent's versions)
            title = self.add_title or self.add
            return _edit(request, self, form=form, save=lambda: self.create(form), title=title, done=self.added)

        return view

    def edit_view(self):
        @require_http_methods(EDIT_METHODS)
        @role_required(roles.MANAGER)
        def view(request, pk: int):
            row = get_object_or_404(self.edited, pk=pk)
            form = self.form(_post(request), initial=self.form.initial_of(row))
            form.user = request.user
            title = self.edit_title.format(row)
            save = lambda: self.update(row, form)  # noqa: E731
            return _edit(request, self, form=form, save=save, title=title, done=self.saved, **self.edit_extra(row))

        return view


def _edit(request, editor: Editor, *, form, save: Callable, title: str, done: str, **extra):
    """Show `form`; on a valid POST, `save()` through the service. A refusal goes on the form
    (nothing saved); success says what changed and returns to the list."""
    back = editor.back()
    if saved_or_refused(request, form, save, done.format):
        return redirect(back)
    context = {"form": form, "title": title, "lead": editor.lead, "back": back, **extra}
    return render(request, "manager/editor_form.html", context)


def _post(request):
    return request.POST if request.method == "POST" else None


def _names(objects) -> str:
    return ", ".join(str(o) for o in objects) or "–"


def _yes(value: bool) -> str:
    return gettext("yes") if value else gettext("no")


def _weekly_hours(blocks) -> str:
    minutes = sum((b.ends.hour * 60 + b.ends.minute) - (b.starts.hour * 60 + b.starts.minute) for b in blocks)
    return f"{minutes / 60:g}"


SITES = Editor(
    key="location",
    address="manager/sites/",
    title=_("Sites"),
    lead=_("Where the clinic works. Each room is at one site, and each block of a therapist's hours names where."),
    rows=Location.objects.annotate(room_count=Count("rooms")).order_by("name"),
    columns=[Column(_("Address"), lambda s: s.address or "–"), Column(_("Rooms"), lambda s: s.room_count)],
    form=LocationForm,
    add=_("Add a site"),
    create=lambda form: clinic_services.location_create(**form.cleaned_data),
    added=_("Added the site {}."),
    edited=Location.objects.all(),
    edit_title=_("Site: {}"),
    update=lambda location, form: clinic_services.location_update(location=location, **form.cleaned_data),
    saved=_("Saved the site {}."),
)

THERAPISTS = Editor(
    key="therapist",
    address="manager/therapists/",
    title=_("Therapists"),
    lead=_(
        "What each therapist gives, the colour of her sessions, and whether she still works here. A new "
        "therapist needs a login first (the admin's Users). Taking away what a booked session needs is refused "
        "with the sessions to move or cancel first."
    ),
    rows=Therapist.objects.select_related("user").prefetch_related(
        "modalities", Prefetch("working_hours", queryset=WorkingHours.objects.select_related("location"))
    ),
    columns=[
        Column(_("Qualifications"), lambda t: _names(t.modalities.all())),
        Column(_("Hours a week"), lambda t: _weekly_hours(t.working_hours.all())),
        Column(_("Active"), lambda t: _yes(t.active)),
    ],
    form=TherapistForm,
    edited=Therapist.objects.select_related("user"),
    edit_title=_("Therapist: {}"),
    update=lambda therapist, form: clinic_services.therapist_update(therapist=therapist, **form.cleaned_data),
    saved=_("Saved {}."),
    edit_extra=lambda therapist: {
        "extra_link": (reverse("manager:therapist_hours", args=[therapist.pk]), gettext("Weekly hours"))
    },
)

ROOMS = Editor(
    key="room",
    address="manager/rooms/",
    title=_("Rooms"),
    lead=_(
        "The rooms, the site each is at, and what each is set up for. A room out of use, or losing what a "
        "booked session needs, is refused while such sessions are booked."
    ),
    rows=Room.objects.select_related("location").prefetch_related("modalities").order_by("location__name", "name"),
    columns=[
        Column(_("Site"), lambda r: r.location),
        Column(_("Set up for"), lambda r: _names(r.modalities.all())),
        Column(_("In use"), lambda r: _yes(r.active)),
    ],
    form=RoomForm,
    add=_("Add a room"),
    create=lambda form: clinic_services.room_create(**form.cleaned_data),
    create_initial=lambda: {"location": Location.objects.order_by("pk").first()},
    added=_("Added {}."),
    edited=Room.objects.select_related("location"),
    edit_title=_("Room: {}"),
    update=lambda room, form: clinic_services.room_update(room=room, **form.cleaned_data),
    saved=_("Saved {}."),
)

MODALITIES = Editor(
    key="modality",
    address="manager/modalities/",
    title=_("Modalities"),
    lead=_(
        "What the clinic offers, and the course a therapist starts from when prescribing it. New defaults "
        "apply to courses prescribed from now on; a course keeps its plan and a booked session its length."
    ),
    rows=Modality.objects.order_by("name"),
    columns=[
        Column(_("Minutes"), lambda m: m.session_minutes),
        Column(_("Sessions"), lambda m: f"{m.course_min_sessions}–{m.course_max_sessions}"),
        Column(
            _("Cadence"),
            lambda m: (
                ngettext("%(count)s a week", "%(count)s a week", m.sessions_per_week) % {"count": m.sessions_per_week}
                if m.sessions_per_week
                else m.get_cadence_display()
            ),
        ),
        Column(_("Oil"), lambda m: _yes(m.uses_oils)),
        Column(_("Offered"), lambda m: _yes(m.active)),
    ],
    form=ModalityForm,
    add=_("Add a modality"),
    create=lambda form: clinic_services.modality_create(**form.service_arguments()),
    create_initial=lambda: {"course_min_sessions": 1, "course_max_sessions": 10},
    added=_("Added {}."),
    edited=Modality.objects.all(),
    edit_title=_("Modality: {}"),
    update=lambda modality, form: clinic_services.modality_update(modality=modality, **form.service_arguments()),
    saved=_("Saved {}."),
)

CLOSURES = Editor(
    key="closure",
    address="manager/closures/",
    title=_("Closures"),
    lead=_(
        "Days the clinic or one therapist does not work, and public holidays the clinic opens on. Closing a "
        "day with sessions booked is refused with those sessions, to move or cancel first."
    ),
    rows=Closure.objects.select_related("therapist__user").order_by("-starts_on"),
    columns=[
        Column(_("From"), lambda c: c.starts_on),
        Column(_("To"), lambda c: c.ends_on),
        Column(_("Who"), lambda c: c.therapist or gettext("Whole clinic")),
        Column(_("Kind"), lambda c: c.get_kind_display()),
    ],
    form=ClosureForm,
    add=_("Add a closure"),
    create=lambda form: clinic_services.closure_create(spec=form.spec()),
    added=_("Added: {}."),
    edited=Closure.objects.all(),
    edit_title=_("Closure: {0.reason}"),
    update=lambda closure, form: clinic_services.closure_update(closure=closure, spec=form.spec()),
    saved=_("Saved: {}."),
    edit_extra=lambda closure: {"delete_url": reverse("manager:closure_delete", args=[closure.pk])},
)

RULES = Editor(
    key="rule",
    address="manager/rules/",
    title=_("Contraindication rules"),
    lead=_(
        "Which health flags block or warn for which modalities, and whether a booking without the patient's "
        "current consent warns or is refused. A rule applies from the moment it is saved: the booking pages show "
        "it, and a session already booked is stopped at check-in by a new block. The acute-phase block is built in."
    ),
    rows=ContraindicationRule.objects.select_related("modality").order_by("condition", "flag_kind", "effect", "pk"),
    columns=[
        Column(
            _("Modalities"),
            lambda r: r.modality or (gettext("Those with oil") if r.oil_modalities_only else gettext("Every one")),
        ),
        Column(_("Effect"), lambda r: r.get_effect_display()),
        Column(_("Message"), lambda r: r.message),
        Column(_("Active"), lambda r: _yes(r.active)),
    ],
    form=RuleForm,
    add=_("Add a rule"),
    add_title=_("Add a contraindication rule"),
    create=lambda form: contraindication_rule_save(**form.cleaned_data),
    added=_("Added the rule {}."),
    edited=ContraindicationRule.objects.all(),
    edit_title=_("Rule: {}"),
    update=lambda rule, form: contraindication_rule_save(rule=rule, **form.cleaned_data),
    saved=_("Saved the rule {}."),
)

routes = Routes()
for editor in (SITES, THERAPISTS, ROOMS, MODALITIES, CLOSURES, RULES):
    routes.extend(editor.urls())


# The pages that are not an editor's three --------------------------------------------------------


@routes("manager/therapists/<int:pk>/hours/")
@require_http_methods(EDIT_METHODS)
@role_required(roles.MANAGER)
def therapist_hours(request, pk: int):
    """The weekly grid: for each weekday a few blocks, the gaps between them being breaks."""
    therapist = get_object_or_404(Therapist.objects.select_related("user"), pk=pk)
    locations = list(Location.objects.order_by("pk"))
    initial, blocks_a_day = WeekForm.initial_of(therapist.working_hours.all())
    if request.method == "POST":
        # As many blocks a day as were posted (the page may have shown more than the default).
        blocks_a_day = max(blocks_a_day, *(_posted_blocks(request.POST)), 1)
    form = WeekForm(_post(request), initial=initial, blocks_a_day=blocks_a_day, locations=locations)
    if request.method == "POST" and form.is_valid():
        try:
            clinic_services.working_hours_set(therapist=therapist, blocks=form.blocks())
        except Refused as error:
            refusal_on_form(form, error)
        else:
            messages.success(request, gettext("Saved the weekly hours of %(therapist)s.") % {"therapist": therapist})
            return redirect("manager:therapist_hours", pk=therapist.pk)
    context = {"form": form, "therapist": therapist, "several_sites": len(locations) > 1}
    return render(request, "manager/therapist_hours.html", context)


def _posted_blocks(data) -> list[int]:
    """The block numbers a posted week uses (d<weekday>_<i>_starts), one more than the highest;
    at most 12 a day, whatever is posted."""
    numbers = [0]
    for key in data:
        parts = key.split("_")
        if len(parts) == 3 and parts[0][:1] == "d" and parts[1].isdigit():
            numbers.append(min(int(parts[1]) + 1, 12))
    return numbers


@routes("manager/closures/<int:pk>/delete/")
@require_POST
@role_required(roles.MANAGER)
def closure_delete(request, pk: int):
    closure = get_object_or_404(Closure, pk=pk)
    try:
        clinic_services.closure_delete(closure=closure)
    except Refused as error:
        refusal_message(request, error)
        return redirect("manager:closure_edit", pk=closure.pk)
    messages.success(request, gettext("Removed: %(closure)s.") % {"closure": closure})
    return redirect("manager:closure_list")
