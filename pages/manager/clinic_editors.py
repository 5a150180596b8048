"""Running the clinic without the admin: the manager's editors for sites, therapists (their
qualifications, colour, whether active, and their weekly hours), rooms, modalities with their
course defaults, closures, and contraindication rules (the questionnaire and consent texts are
pages/manager/intake_consent.py).

Every write goes through the domain's services (clinic.services, patients.services), which refuse
in sentences that land on the form, with nothing saved; django-auditlog records each change with
the manager who made it. Each list is a fixed number of queries however long it grows.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
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
from pages.refusals import refusal_message, refusal_on_form
from pages.roles import role_required
from patients.models import ContraindicationRule
from patients.services import contraindication_rule_save

EDIT_METHODS = ["GET", "POST"]


@dataclass
class Column:
    title: str
    value: Callable


def _list(
    request, *, title: str, lead: str, rows, columns: list[Column], edit: str, add: tuple[str, str] | None = None
):
    table = [(row, reverse(edit, args=[row.pk]), [column.value(row) for column in columns]) for row in rows]
    context = {
        "title": title,
        "lead": lead,
        "columns": [column.title for column in columns],
        "table": table,
        "add": (reverse(add[0]), add[1]) if add else None,
    }
    return render(request, "manager/editor_list.html", context)


def _edit(request, *, form, save: Callable, title: str, lead: str, back: str, done: Callable[[object], str], **extra):
    """Show `form`; on a valid POST, `save()` through the service. A refusal goes on the form
    (nothing saved); success says what changed and returns to the list."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save()
        except Refused as error:
            refusal_on_form(form, error)
        else:
            messages.success(request, done(saved))
            return redirect(back)
    context = {"form": form, "title": title, "lead": lead, "back": back, **extra}
    return render(request, "manager/editor_form.html", context)


def _post(request):
    return request.POST if request.method == "POST" else None


def _names(objects) -> str:
    return ", ".join(str(o) for o in objects) or "–"


def _yes(value: bool) -> str:
    return "yes" if value else "no"


# Sites ------------------------------------------------------------------------------------------

LOCATION_LEAD = "Where the clinic works. Each room is at one site, and each block of a therapist's hours names where."


@require_GET
@role_required(roles.MANAGER)
def location_list(request):
    rows = Location.objects.annotate(room_count=Count("rooms")).order_by("name")
    columns = [Column("Address", lambda s: s.address or "–"), Column("Rooms", lambda s: s.room_count)]
    return _list(
        request,
        title="Sites",
        lead=LOCATION_LEAD,
        rows=rows,
        columns=columns,
        edit="manager:location_edit",
        add=("manager:location_create", "Add a site"),
    )


@require_http_methods(EDIT_METHODS)
@role_required(roles.MANAGER)
def location_create(request):
    form = LocationForm(_post(request))
    return _edit(
        request,
        form=form,
        save=lambda: clinic_services.location_create(**form.cleaned_data),
        title="Add a site",
        lead=LOCATION_LEAD,
        back=reverse("manager:location_list"),
        done=lambda site: f"Added the site {site}.",
    )


@require_http_methods(EDIT_METHODS)
@role_required(roles.MANAGER)
def location_edit(request, pk: int):
    location = get_object_or_404(Location, pk=pk)
    form = LocationForm(_post(request), initial=LocationForm.initial_of(location))
    return _edit(
        request,
        form=form,
        save=lambda: clinic_services.location_update(location=location, **form.cleaned_data),
        title=f"Site: {location}",
        lead=LOCATION_LEAD,
        back=reverse("manager:location_list"),
        done=lambda site: f"Saved the site {site}.",
    )


# Therapists -------------------------------------------------------------------------------------

THERAPIST_LEAD = (
    "What each therapist gives, the colour of her sessions, and whether she still works here. A new "
    "therapist needs a login first (the admin's Users). Taking away what a booked session needs is refused "
    "with the sessions to move or cancel first."
)


@require_GET
@role_required(roles.MANAGER)
def therapist_list(request):
    rows = Therapist.objects.select_related("user").prefetch_related(
        "modalities", Prefetch("working_hours", queryset=WorkingHours.objects.select_related("location"))
    )
    columns = [
        Column("Qualifications", lambda t: _names(t.modalities.all())),
        Column("Hours a week", lambda t: _weekly_hours(t.working_hours.all())),
        Column("Active", lambda t: _yes(t.active)),
    ]
    return _list(
        request, title="Therapists", lead=THERAPIST_LEAD, rows=rows, columns=columns, edit="manager:therapist_edit"
    )


def _weekly_hours(blocks) -> str:
    minutes = sum((b.ends.hour * 60 + b.ends.minute) - (b.starts.hour * 60 + b.starts.minute) for b in blocks)
    return f"{minutes / 60:g}"


@require_http_methods(EDIT_METHODS)
@role_required(roles.MANAGER)
def therapist_edit(request, pk: int):
    therapist = get_object_or_404(Therapist.objects.select_related("user"), pk=pk)
    form = TherapistForm(_post(request), initial=TherapistForm.initial_of(therapist))
    return _edit(
        request,
        form=form,
        save=lambda: clinic_services.therapist_update(therapist=therapist, **form.cleaned_data),
        title=f"Therapist: {therapist}",
        lead=THERAPIST_LEAD,
        back=reverse("manager:therapist_list"),
        done=lambda t: f"Saved {t}.",
        extra_link=(reverse("manager:therapist_hours", args=[therapist.pk]), "Weekly hours"),
    )


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
            messages.success(request, f"Saved the weekly hours of {therapist}.")
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


# Rooms ------------------------------------------------------------------------------------------

ROOM_LEAD = (
    "The rooms, the site each is at, and what each is set up for. A room out of use, or losing what a "
    "booked session needs, is refused while such sessions are booked."
)


@require_GET
@role_required(roles.MANAGER)
def room_list(request):
    rows = Room.objects.select_related("location").prefetch_related("modalities").order_by("location__name", "name")
    columns = [
        Column("Site", lambda r: r.location),
        Column("Set up for", lambda r: _names(r.modalities.all())),
        Column("In use", lambda r: _yes(r.active)),
    ]
    return _list(
        request,
        title="Rooms",
        lead=ROOM_LEAD,
        rows=rows,
        columns=columns,
        edit="manager:room_edit",
        add=("manager:room_create", "Add a room"),
    )


@require_http_methods(EDIT_METHODS)
@role_required(roles.MANAGER)
def room_create(request):
    form = RoomForm(_post(request), initial={"location": Location.objects.order_by("pk").first()})
    return _edit(
        request,
        form=form,
        save=lambda: clinic_services.room_create(**form.cleaned_data),
        title="Add a room",
        lead=ROOM_LEAD,
        back=reverse("manager:room_list"),
        done=lambda room: f"Added {room}.",
    )


@require_http_methods(EDIT_METHODS)
@role_required(roles.MANAGER)
def room_edit(request, pk: int):
    room = get_object_or_404(Room.objects.select_related("location"), pk=pk)
    form = RoomForm(_post(request), initial=RoomForm.initial_of(room))
    return _edit(
        request,
        form=form,
        save=lambda: clinic_services.room_update(room=room, **form.cleaned_data),
        title=f"Room: {room}",
        lead=ROOM_LEAD,
        back=reverse("manager:room_list"),
        done=lambda saved: f"Saved {saved}.",
    )


# Modalities -------------------------------------------------------------------------------------

MODALITY_LEAD = (
    "What the clinic offers, and the course a therapist starts from when prescribing it. New defaults "
    "apply to courses prescribed from now on; a course keeps its plan and a booked session its length."
)


@require_GET
@role_required(roles.MANAGER)
def modality_list(request):
    columns = [
        Column("Minutes", lambda m: m.session_minutes),
        Column("Sessions", lambda m: f"{m.course_min_sessions}–{m.course_max_sessions}"),
        Column(
            "Cadence",
            lambda m: f"{m.sessions_per_week} a week" if m.sessions_per_week else m.get_cadence_display(),
        ),
        Column("Oil", lambda m: _yes(m.uses_oils)),
        Column("Offered", lambda m: _yes(m.active)),
    ]
    return _list(
        request,
        title="Modalities",
        lead=MODALITY_LEAD,
        rows=Modality.objects.order_by("name"),
        columns=columns,
        edit="manager:modality_edit",
        add=("manager:modality_create", "Add a modality"),
    )


@require_http_methods(EDIT_METHODS)
@role_required(roles.MANAGER)
def modality_create(request):
    form = ModalityForm(_post(request), initial={"course_min_sessions": 1, "course_max_sessions": 10})
    return _edit(
        request,
        form=form,
        save=lambda: clinic_services.modality_create(**form.service_arguments()),
        title="Add a modality",
        lead=MODALITY_LEAD,
        back=reverse("manager:modality_list"),
        done=lambda modality: f"Added {modality}.",
    )


@require_http_methods(EDIT_METHODS)
@role_required(roles.MANAGER)
def modality_edit(request, pk: int):
    modality = get_object_or_404(Modality, pk=pk)
    form = ModalityForm(_post(request), initial=ModalityForm.initial_of(modality))
    return _edit(
        request,
        form=form,
        save=lambda: clinic_services.modality_update(modality=modality, **form.service_arguments()),
        title=f"Modality: {modality}",
        lead=MODALITY_LEAD,
        back=reverse("manager:modality_list"),
        done=lambda saved: f"Saved {saved}.",
    )


# Closures ---------------------------------------------------------------------------------------

CLOSURE_LEAD = (
    "Days the clinic or one therapist does not work, and public holidays the clinic opens on. Closing a "
    "day with sessions booked is refused with those sessions, to move or cancel first."
)


@require_GET
@role_required(roles.MANAGER)
def closure_list(request):
    columns = [
        Column("From", lambda c: c.starts_on),
        Column("To", lambda c: c.ends_on),
        Column("Who", lambda c: c.therapist or "Whole clinic"),
        Column("Kind", lambda c: c.get_kind_display()),
    ]
    rows = Closure.objects.select_related("therapist__user").order_by("-starts_on")
    return _list(
        request,
        title="Closures",
        lead=CLOSURE_LEAD,
        rows=rows,
        columns=columns,
        edit="manager:closure_edit",
        add=("manager:closure_create", "Add a closure"),
    )


@require_http_methods(EDIT_METHODS)
@role_required(roles.MANAGER)
def closure_create(request):
    form = ClosureForm(_post(request))
    return _edit(
        request,
        form=form,
        save=lambda: clinic_services.closure_create(spec=form.spec()),
        title="Add a closure",
        lead=CLOSURE_LEAD,
        back=reverse("manager:closure_list"),
        done=lambda closure: f"Added: {closure}.",
    )


@require_http_methods(EDIT_METHODS)
@role_required(roles.MANAGER)
def closure_edit(request, pk: int):
    closure = get_object_or_404(Closure, pk=pk)
    form = ClosureForm(_post(request), initial=ClosureForm.initial_of(closure))
    return _edit(
        request,
        form=form,
        save=lambda: clinic_services.closure_update(closure=closure, spec=form.spec()),
        title=f"Closure: {closure.reason}",
        lead=CLOSURE_LEAD,
        back=reverse("manager:closure_list"),
        done=lambda saved: f"Saved: {saved}.",
        delete_url=reverse("manager:closure_delete", args=[closure.pk]),
    )


@require_POST
@role_required(roles.MANAGER)
def closure_delete(request, pk: int):
    closure = get_object_or_404(Closure, pk=pk)
    try:
        clinic_services.closure_delete(closure=closure)
    except Refused as error:
        refusal_message(request, error)
        return redirect("manager:closure_edit", pk=closure.pk)
    messages.success(request, f"Removed: {closure}.")
    return redirect("manager:closure_list")


# Contraindication rules -------------------------------------------------------------------------

RULE_LEAD = (
    "Which health flags block or warn for which modalities, and whether a booking without the patient's "
    "current consent warns or is refused. A rule applies from the moment it is saved: the booking pages show "
    "it, and a session already booked is stopped at check-in by a new block. The acute-phase block is built in."
)


@require_GET
@role_required(roles.MANAGER)
def rule_list(request):
    columns = [
        Column("Modalities", lambda r: r.modality or ("Those with oil" if r.oil_modalities_only else "Every one")),
        Column("Effect", lambda r: r.get_effect_display()),
        Column("Message", lambda r: r.message),
        Column("Active", lambda r: _yes(r.active)),
    ]
    return _list(
        request,
        title="Contraindication rules",
        lead=RULE_LEAD,
        rows=ContraindicationRule.objects.select_related("modality").order_by("condition", "flag_kind", "effect", "pk"),
        columns=columns,
        edit="manager:rule_edit",
        add=("manager:rule_create", "Add a rule"),
    )


@require_http_methods(EDIT_METHODS)
@role_required(roles.MANAGER)
def rule_create(request):
    form = RuleForm(_post(request))
    return _edit(
        request,
        form=form,
        save=lambda: contraindication_rule_save(**form.cleaned_data),
        title="Add a contraindication rule",
        lead=RULE_LEAD,
        back=reverse("manager:rule_list"),
        done=lambda rule: f"Added the rule {rule}.",
    )


@require_http_methods(EDIT_METHODS)
@role_required(roles.MANAGER)
def rule_edit(request, pk: int):
    rule = get_object_or_404(ContraindicationRule, pk=pk)
    form = RuleForm(_post(request), initial=RuleForm.initial_of(rule))
    return _edit(
        request,
        form=form,
        save=lambda: contraindication_rule_save(rule=rule, **form.cleaned_data),
        title=f"Rule: {rule}",
        lead=RULE_LEAD,
        back=reverse("manager:rule_list"),
        done=lambda saved: f"Saved the rule {saved}.",
    )
