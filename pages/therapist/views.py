"""The therapist's workspace: her day, her patients, the notes she still has to sign, and the
session note she writes, signs and adds to."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic import roles
from clinic.audit import REFUSED, audit_access
from clinic.models import Therapist
from clinic.refusals import Refused
from pages.http import day_param, safe_next_url
from pages.refusals import refusal_message, refusal_on_form
from pages.roles import role_required
from pages.routes import Routes
from pages.therapist.forms import SIGN, AddendumForm, MyPatientSearchForm, SessionNoteForm
from patients.models import FlagKind
from patients.selectors import health_flags_active_by_patient
from sessions import notes
from sessions.appointments import appointment_actions
from sessions.chart_access import patients_treated_by, therapist_treats_patient
from sessions.course_progress import annotate_course_position
from sessions.models import AREA_SIDE_CHOICES, Appointment, SessionNote
from sessions.notes import SIGNED_ALREADY, notes_unsigned_for, session_note_save, session_note_sign
from sessions.schedule import local_date
from sessions.therapist_day import SESSION_WARNING_KINDS, oil_allergy_conflicts, therapist_day

routes = Routes()

AREA_LABELS = dict(AREA_SIDE_CHOICES)
PATIENTS_PER_PAGE = 25
NOTES_PER_PAGE = 50


def _my_day_url(day: dt.date) -> str:
    url = reverse("therapist:my_day")
    return url if day == timezone.localdate() else f"{url}?{urlencode({'day': day.isoformat()})}"


@routes("therapist/")
@require_GET
@role_required(roles.THERAPIST)
def my_day(request):
    day = day_param(request)
    # A user put in the Therapist group before the manager created the profile has no schedule yet.
    therapist = Therapist.objects.filter(user=request.user).first()
    appointments = therapist_day(therapist=therapist, day=day) if therapist else []
    context = {
        "therapist": therapist,
        "day": day,
        "today": timezone.localdate(),
        "now": timezone.now(),
        "previous_day": day - dt.timedelta(days=1),
        "next_day": day + dt.timedelta(days=1),
        "appointments": appointments,
        "here": request.get_full_path(),
    }
    return render(request, "therapist/my_day.html", context)


@routes("therapist/my-patients/")
@require_GET
@role_required(roles.THERAPIST)
def my_patients(request):
    """The patients the therapist treats (sessions.chart_access), searchable as reception's list,
    each linked to the chart. Emergency access to a chart does not put a patient here."""
    search = MyPatientSearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    patients = patients_treated_by(user=request.user, query=query)
    page = Paginator(patients, PATIENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"search": search, "query": query, "page_obj": page}
    return render(request, "therapist/my_patients.html", context)


@routes("therapist/unsigned-notes/")
@require_GET
@role_required(roles.THERAPIST)
def unsigned_notes(request):
    """The sessions she gave whose note is missing or a draft, oldest first, across days."""
    page = Paginator(notes_unsigned_for(user=request.user), NOTES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "therapist/unsigned_notes.html", {"page_obj": page})


def _note_reader(request, appointment: Appointment) -> bool:
    """True for the session's own therapist, who writes the note; False for a manager, who
    reads it. Anyone else may not see it, and the attempt goes to the audit log."""
    if roles.has_role(request.user, roles.THERAPIST) and appointment.therapist.user_id == request.user.pk:
        return True
    if roles.has_role(request.user, roles.MANAGER) and request.method == "GET":
        return False
    audit_access(request=request, patient=appointment.patient, obj=appointment, outcome=REFUSED, detail="Session note.")
    raise PermissionDenied


def _why_not_editable(appointment: Appointment, note: SessionNote | None) -> str:
    if note is not None and note.is_signed:
        return SIGNED_ALREADY
    if not appointment.takes_note:
        return gettext("A %(status)s session gets no note.") % {"status": appointment.get_status_display().lower()}
    return ""


@routes("appointments/<int:pk>/note/")
@require_http_methods(["GET", "POST"])
@role_required(roles.THERAPIST, roles.MANAGER)
def note_edit(request, pk: int):
    appointment = get_object_or_404(
        Appointment.objects.select_related("patient", "modality", "therapist__user", "room", "course"), pk=pk
    )
    writer = _note_reader(request, appointment)
    note = SessionNote.objects.select_related("author", "signed_by").filter(appointment=appointment).first()
    flags = health_flags_active_by_patient(
        patient_ids=[appointment.patient_id],
        on=local_date(appointment.starts_at),
        kinds=SESSION_WARNING_KINDS,
    ).get(appointment.patient_id, [])
    allergies = [flag for flag in flags if flag.kind == FlagKind.OIL_ALLERGY]
    if request.htmx and request.method == "GET" and "oils_used" in request.GET:
        conflicts = oil_allergy_conflicts(allergies=allergies, oils=request.GET["oils_used"])
        return render(request, "therapist/_oil_conflict.html", {"conflicts": conflicts})

    if request.method == "GET":
        audit_access(request=request, patient=appointment.patient, obj=appointment, detail="Session note.")
    refusal = _why_not_editable(appointment, note)
    form = None
    if writer and not refusal:
        if request.method == "POST":
            signing = request.POST.get("action") == SIGN
            form = SessionNoteForm(request.POST, signing=signing, oil_check_url=request.path)
            if form.is_valid():
                try:
                    # Saving and signing stand or fall together: a refused signature keeps no half.
                    with transaction.atomic():
                        note = session_note_save(appointment=appointment, author=request.user, **form.cleaned_data)
                        if signing:
                            session_note_sign(note=note, signed_by=request.user)
                except Refused as error:
                    refusal_on_form(form, error)
                else:
                    if signing:
                        messages.success(
                            request, gettext("Signed the note for %(patient)s.") % {"patient": appointment.patient}
                        )
                        return redirect(_my_day_url(local_date(appointment.starts_at)))
                    messages.success(request, gettext("Draft saved. Sign it once the session is over."))
                    return redirect("therapist:note_edit", pk=appointment.pk)
        else:
            form = SessionNoteForm(initial=SessionNoteForm.initial_from(note), oil_check_url=request.path)
    elif request.method == "POST":
        # A signed note, or a session that gets none: nothing is saved, whatever was sent.
        messages.error(request, refusal)
        return redirect("therapist:note_edit", pk=appointment.pk)

    annotate_course_position([appointment])
    if note is not None:
        appointment.note = note  # appointment_actions reads it from here instead of asking again
    actions = appointment_actions(appointment)
    oils = form["oils_used"].value() if form is not None else (note.oils_used if note else "")
    context = {
        "appointment": appointment,
        "actions": actions,
        "note": note,
        "form": form,
        "writer": writer,
        "refusal": refusal,
        "flags": flags,
        "allergies": allergies,
        "conflicts": oil_allergy_conflicts(allergies=allergies, oils=oils or ""),
        "areas": [AREA_LABELS.get(area, area) for area in note.areas_treated] if note else [],
        "addenda": list(note.addenda.select_related("author")) if note and note.is_signed else [],
        "addendum_form": AddendumForm() if writer and note and note.is_signed else None,
    }
    return render(request, "therapist/note_edit.html", context)


@routes("notes/<int:pk>/addenda/")
@require_POST
@role_required(roles.THERAPIST)
def addendum_add(request, pk: int):
    note = get_object_or_404(SessionNote.objects.select_related("appointment__patient"), pk=pk)
    treating = note.author_id == request.user.pk or therapist_treats_patient(
        user=request.user, patient=note.appointment.patient
    )
    if not treating:
        patient = note.appointment.patient
        audit_access(request=request, patient=patient, obj=note, outcome=REFUSED, detail="Addendum.")
        raise PermissionDenied
    next_url = safe_next_url(
        request, request.POST.get("next", ""), reverse("therapist:note_edit", args=[note.appointment_id])
    )
    form = AddendumForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["text"]))
        return redirect(next_url)
    try:
        notes.addendum_add(note=note, author=request.user, text=form.cleaned_data["text"])
        messages.success(request, gettext("Addendum added; the signed note is unchanged."))
    except Refused as error:
        refusal_message(request, error)
    return redirect(next_url)
