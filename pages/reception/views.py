"""Reception's workspace: the day and week boards, the sessions flagged for review, and the
patient register (find, register, edit, the overview) with the portal invitation."""

import datetime as dt
import logging
import smtplib
import sys

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic import roles
from clinic.refusals import Refused
from clinic.replica import view_reads_may_lag
from pages.booking.forms import CancelForm
from pages.http import day_param
from pages.kept_pages import day_page
from pages.locations import clinic_locations, location_param
from pages.paging import CappedPaginator
from pages.reception import board
from pages.reception.forms import BookingIntentForm, PatientForm, PatientSearchForm
from pages.reception.patient_rows import patient_rows_html
from pages.refusals import refusal_message
from pages.roles import FRONT_DESK, role_required
from pages.routes import Routes
from patients import services
from patients.contraindications import patient_booking_status
from patients.models import Patient
from patients.selectors import patients_search
from sessions.appointments import (
    appointment_review_cancel,
    appointment_review_keep,
    appointments_review_cancel,
    sessions_flagged_ahead,
)
from sessions.course_progress import courses_with_progress
from sessions.models import Appointment
from sessions.portal import before_treatment_due

routes = Routes()

logger = logging.getLogger(__name__)

PATIENTS_PER_PAGE = 25
RESULTS_TARGET = "patient-results"


@routes("reception/")
@require_GET
@role_required(*FRONT_DESK)
def day_board(request):
    day = day_param(request)
    by = "room" if request.GET.get("by") == "room" else "therapist"
    locations = clinic_locations()
    location = location_param(request, locations)
    location_id = location.pk if location else None
    # A free cell books through the patient search ("book for"): therapist and time are added.
    book_url = reverse("reception:patient_list") + "?" + urlencode({"day": day.isoformat()})
    # The body refreshes itself from the board it shows: today's (no day asked) rolls over at midnight.
    asked_day = "day" in request.GET
    refresh = {"day": day.isoformat()} if asked_day else {}
    refresh |= {"by": by} if by == "room" else {}
    refresh |= {"location": location_id} if location else {}
    refresh_url = reverse("reception:day_board") + ("?" + urlencode(refresh) if refresh else "")

    def draw():
        drawn = board.day_board(day=day, by=by, location_id=location_id)
        # The top and the table are drawn (and kept) together: all of it changes with the day alone.
        context = {
            "board": drawn,
            "column_heads": drawn.column_heads_html(book_url),
            "rows_html": drawn.rows_html(),
            "locations": locations,
            "location": location,
            "location_query": f"&location={location.pk}" if location else "",
            "previous_day": day - dt.timedelta(days=1),
            "next_day": day + dt.timedelta(days=1),
            "today": timezone.localdate(),
            "book_url": book_url,
            "refresh_url": refresh_url,
        }
        head = render_to_string("reception/_day_board_head.html", context)
        return (head, render_to_string("reception/_day_board_table.html", context)), drawn.steady_until

    def size(kept) -> int:
        return sum(sys.getsizeof(html) for html in kept)

    head_html, table_html = day_page("day board", day, (by, location_id, asked_day), draw, size)
    context = {
        "day": day,
        "head_html": head_html,
        "table_html": table_html,
        "review_count": sessions_flagged_ahead(),
    }
    return render(request, "reception/day_board.html", context)


@routes("reception/week/")
@require_GET
@role_required(*FRONT_DESK)
def week_board(request):
    day = day_param(request)
    monday = day - dt.timedelta(days=day.weekday())
    context = {
        "days": board.week_board(monday=monday),
        "monday": monday,
        "previous_week": monday - dt.timedelta(days=7),
        "next_week": monday + dt.timedelta(days=7),
    }
    return render(request, "reception/week_board.html", context)


@routes("reception/review/")
@require_GET
@role_required(*FRONT_DESK)
def review_list(request):
    """The flagged sessions, by patient (with the phone number to call), so one call settles them all."""
    appointments = list(
        Appointment.objects.needing_review()
        .select_related("patient", "modality", "therapist__user", "room")
        .order_by("patient__last_name", "patient__first_name", "patient_id", "starts_at")
    )
    by_patient: dict[int, dict] = {}
    for appointment in appointments:
        group = by_patient.setdefault(appointment.patient_id, {"patient": appointment.patient, "appointments": []})
        group["appointments"].append(appointment)
    groups = sorted(by_patient.values(), key=lambda group: group["appointments"][0].starts_at)
    context = {"appointments": appointments, "groups": groups, "cancel_form": CancelForm()}
    return render(request, "reception/review_list.html", context)


@routes("reception/patients/<int:pk>/review-cancel/")
@require_POST
@role_required(*FRONT_DESK)
def review_cancel_all(request, pk: int):
    """Cancel all of one patient's flagged sessions at once (sessions.appointments)."""
    patient = get_object_or_404(Patient, pk=pk)

    def cancel(reason: str) -> str:
        cancelled = appointments_review_cancel(patient=patient, reason=reason)
        return ngettext(
            "Cancelled %(count)d session of %(patient)s.",
            "Cancelled %(count)d sessions of %(patient)s.",
            len(cancelled),
        ) % {"count": len(cancelled), "patient": patient}

    return _cancel_with_reason(request, cancel)


def _cancel_with_reason(request, cancel):
    """A cancellation from the review list: `cancel(reason)` with the reason the form gives, which
    returns the message to show; a refusal (e.g. the session was completed meanwhile) is shown
    instead, and nothing is cancelled without a reason."""
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            messages.success(request, cancel(form.cleaned_data["reason"]))
        except Refused as error:
            refusal_message(request, error)
    else:
        messages.error(request, gettext("Give a reason for the cancellation."))
    return redirect("reception:review_list")


@routes("appointments/<int:pk>/keep/")
@require_POST
@role_required(*FRONT_DESK)
def review_keep(request, pk: int):
    appointment = get_object_or_404(Appointment, pk=pk, needs_review=True)
    try:
        appointment_review_keep(appointment=appointment)
        messages.success(
            request, gettext("Kept the session of %(patient)s on the schedule.") % {"patient": appointment.patient}
        )
    except Refused as error:
        refusal_message(request, error)
    return redirect("reception:review_list")


@routes("appointments/<int:pk>/review-cancel/")
@require_POST
@role_required(*FRONT_DESK)
def review_cancel(request, pk: int):
    appointment = get_object_or_404(Appointment, pk=pk, needs_review=True)

    def cancel(reason: str) -> str:
        appointment_review_cancel(appointment=appointment, reason=reason)
        return gettext("Cancelled the session of %(patient)s.") % {"patient": appointment.patient}

    return _cancel_with_reason(request, cancel)


@routes("patients/")
@require_GET
@role_required(*FRONT_DESK)
@view_reads_may_lag
def patient_list(request):
    search = PatientSearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    # Counted up to a cap: the list without a search would otherwise count every patient on each visit.
    page = CappedPaginator(patients_search(query=query), PATIENTS_PER_PAGE).get_page(request.GET.get("page"))
    intent = BookingIntentForm(request.GET).intent() if "therapist" in request.GET else {}
    context = {
        "search": search,
        "query": query,
        "page_obj": page,
        # "Book for": a free cell of the day board chose the therapist, day and time; each result books.
        "intent": intent,
    }
    # The rows are written in Python (pages.reception.patient_rows): the template took longer over them than the rest.
    book_query = urlencode({key: value for key, value in intent.items() if key != "therapist_name"}) if intent else None
    context["patient_rows"] = patient_rows_html(page.object_list, book_query=book_query)
    # The search box and the page links swap only the results; a history restore needs the whole page.
    partial = request.htmx and request.htmx.target == RESULTS_TARGET and not request.htmx.history_restore_request
    template = "reception/_patient_results.html" if partial else "reception/patient_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


@routes("patients/new/")
@require_http_methods(["GET", "POST"])
@role_required(*FRONT_DESK)
def patient_create(request):
    form = PatientForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        patient = services.patient_create(**form.patient_data)
        messages.success(request, gettext("%(patient)s is registered.") % {"patient": patient})
        return redirect(patient.get_absolute_url())
    return render(request, "reception/patient_create.html", {"form": form})


@routes("patients/<int:pk>/edit/")
@require_http_methods(["GET", "POST"])
@role_required(*FRONT_DESK)
def patient_edit(request, pk: int):
    patient = get_object_or_404(Patient, pk=pk)
    form = PatientForm(request.POST if request.method == "POST" else None, patient=patient)
    if request.method == "POST" and form.is_valid():
        services.patient_update(patient=patient, **form.patient_data)
        messages.success(request, gettext("%(patient)s's details are saved.") % {"patient": patient})
        return redirect(patient.get_absolute_url())
    return render(request, "reception/patient_edit.html", {"form": form, "patient": patient})


# The patient's old address: redirects to the overview.
@routes("patients/<int:pk>/")
@require_GET
@role_required(roles.RECEPTIONIST, roles.THERAPIST, roles.MANAGER)
def patient_detail(request, pk: int):
    """The patient's old address: the reception overview replaced the page."""
    return redirect("reception:patient_overview", pk=pk)


@routes("reception/patients/<int:pk>/")
@require_GET
@role_required(*FRONT_DESK)
def patient_overview(request, pk: int):
    patient = get_object_or_404(Patient, pk=pk)
    now = timezone.now()
    appointments = patient.appointments.select_related("modality", "therapist__user", "room", "course")
    context = {
        "patient": patient,
        "booking_status": patient_booking_status(patient=patient),
        "courses": courses_with_progress(patient=patient),
        "upcoming": list(appointments.filter(starts_at__gte=now).order_by("starts_at")[:20]),
        "past": list(appointments.filter(starts_at__lt=now).order_by("-starts_at")[:20]),
        "book_url": reverse("booking:appointment_book") + "?" + urlencode({"patient": patient.pk}),
        # Before treatment: whether the questions are answered (never the answers) and the consents.
        "before": before_treatment_due(patient=patient),
    }
    return render(request, "reception/patient_overview.html", context)


@routes("reception/patients/<int:pk>/invite/")
@require_POST
@role_required(*FRONT_DESK)
def portal_invite(request, pk: int):
    patient = get_object_or_404(Patient, pk=pk)
    base_url = settings.CLINIC_BASE_URL or request.build_absolute_uri("/").rstrip("/")
    try:
        user = services.patient_portal_invite(patient=patient, invited_by=request.user, base_url=base_url)
    except Refused as error:
        refusal_message(request, error)
    except (smtplib.SMTPException, OSError):
        logger.exception("Portal invitation e-mail for patient %s failed", patient.pk)
        messages.error(
            request, gettext("The invitation could not be e-mailed, so no login was created. Try again later.")
        )
    else:
        messages.success(
            request,
            gettext("Invited %(patient)s to the portal: a link to set a password went to %(email)s.")
            % {"patient": patient, "email": user.email},
        )
    return redirect(patient.get_absolute_url())
