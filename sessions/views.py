import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic import roles
from clinic.decorators import role_required
from clinic.refusals import Refused, WarningsNotConfirmed
from patients.contraindications import contraindications_check, patient_booking_status
from patients.models import Patient
from sessions import appointments, board, booking
from sessions.appointments import appointment_review_cancel, appointment_review_keep
from sessions.availability import course_series_propose, slots_available
from sessions.course_progress import course_sessions_counted, courses_with_progress
from sessions.forms import BookingForm, CancelForm, RescheduleForm, SeriesConfirmForm, SeriesStartForm, slot_value
from sessions.models import Appointment, AppointmentStatus, Course
from sessions.schedule import at_local

FRONT_DESK = (roles.RECEPTIONIST, roles.MANAGER)
BOOKERS = (roles.RECEPTIONIST, roles.THERAPIST, roles.MANAGER)
# The boards step a day or a week either way and query the day in UTC: stay clear of the
# calendar's ends, where that arithmetic overflows.
EARLIEST_DAY, LATEST_DAY = dt.date(1900, 1, 1), dt.date(9000, 12, 31)


def _day_param(request, name: str = "day") -> dt.date:
    try:
        day = dt.date.fromisoformat(request.GET.get(name, ""))
    except ValueError:
        return timezone.localdate()
    return day if EARLIEST_DAY <= day <= LATEST_DAY else timezone.localdate()


@require_GET
@role_required(*FRONT_DESK)
def day_board(request):
    day = _day_param(request)
    by = "room" if request.GET.get("by") == "room" else "therapist"
    context = {
        "board": board.day_board(day=day, by=by),
        "previous_day": day - dt.timedelta(days=1),
        "next_day": day + dt.timedelta(days=1),
        "today": timezone.localdate(),
        # Cancelling on the appointment page leaves the flag set; the review list skips those too.
        "review_count": Appointment.objects.needing_review().filter(starts_at__gte=timezone.now())
        .exclude(status=AppointmentStatus.CANCELLED)
        .count(),
    }
    return render(request, "sessions/day_board.html", context)


@require_GET
@role_required(*FRONT_DESK)
def week_board(request):
    day = _day_param(request)
    monday = day - dt.timedelta(days=day.weekday())
    context = {
        "days": board.week_board(monday=monday),
        "monday": monday,
        "previous_week": monday - dt.timedelta(days=7),
        "next_week": monday + dt.timedelta(days=7),
    }
    return render(request, "sessions/week_board.html", context)


@require_GET
@role_required(*FRONT_DESK)
def review_list(request):
    appointments = list(
        Appointment.objects.needing_review()
        .select_related("patient", "modality", "therapist__user", "room")
        .order_by("starts_at")
    )
    return render(request, "sessions/review_list.html", {"appointments": appointments, "cancel_form": CancelForm()})


@require_POST
@role_required(*FRONT_DESK)
def review_keep(request, pk: int):
    appointment = get_object_or_404(Appointment, pk=pk, needs_review=True)
    try:
        appointment_review_keep(appointment=appointment)
        messages.success(request, f"Kept the session of {appointment.patient} on the schedule.")
    except Refused as error:
        messages.error(request, " ".join(error.reasons))
    return redirect("sessions:review_list")


@require_POST
@role_required(*FRONT_DESK)
def review_cancel(request, pk: int):
    appointment = get_object_or_404(Appointment, pk=pk, needs_review=True)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            appointment_review_cancel(appointment=appointment, reason=form.cleaned_data["reason"])
            messages.success(request, f"Cancelled the session of {appointment.patient}.")
        except Refused as error:  # e.g. the session was completed meanwhile
            messages.error(request, " ".join(error.reasons))
    else:
        messages.error(request, "Give a reason for the cancellation.")
    return redirect("sessions:review_list")


@require_GET
@role_required(*BOOKERS)
def appointment_detail(request, pk: int):
    appointment = get_object_or_404(
        Appointment.objects.select_related("patient", "modality", "therapist__user", "room", "course"), pk=pk
    )
    board.annotate_course_position([appointment])
    return render(
        request,
        "sessions/appointment_detail.html",
        {"appointment": appointment, "cancel_form": CancelForm()},
    )


def _status_action(request, pk: int, action, done: str):
    appointment = get_object_or_404(Appointment, pk=pk)
    try:
        action(appointment=appointment)
        messages.success(request, done.format(patient=appointment.patient))
    except Refused as error:
        messages.error(request, " ".join(error.reasons))
    next_url = request.POST.get("next", "")
    # A path on this site only: redirect() would take a bare word ("0", "home") for a URL name.
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}
    ):
        next_url = appointment.get_absolute_url()
    return redirect(next_url)


@require_POST
@role_required(*BOOKERS)
def appointment_check_in(request, pk: int):
    return _status_action(request, pk, appointments.appointment_check_in, "{patient} is checked in.")


@require_POST
@role_required(*BOOKERS)
def appointment_no_show(request, pk: int):
    return _status_action(request, pk, appointments.appointment_no_show, "Recorded that {patient} did not come.")


@require_POST
@role_required(*BOOKERS)
def appointment_complete(request, pk: int):
    return _status_action(request, pk, appointments.appointment_complete, "The session of {patient} is completed.")


@require_http_methods(["GET", "POST"])
@role_required(*BOOKERS)
def appointment_cancel(request, pk: int):
    appointment = get_object_or_404(Appointment.objects.select_related("patient", "modality"), pk=pk)
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            appointments.appointment_cancel(appointment=appointment, reason=form.cleaned_data["reason"])
            messages.success(request, f"Cancelled the session of {appointment.patient}; the slot is free again.")
            return redirect(appointment.get_absolute_url())
        except Refused as error:
            form.add_error(None, " ".join(error.reasons))
    return render(request, "sessions/appointment_cancel.html", {"appointment": appointment, "form": form})


def _book_through_form(form, book):
    """Run a booking service for a form. Returns (result, warnings): a refusal becomes the form's
    errors; warnings come back for the page to show next to the confirmation box."""
    try:
        return book(), []
    except WarningsNotConfirmed as error:
        form.add_error("confirm_warnings", "Confirm the warnings to go ahead.")
        return None, error.warnings
    except Refused as error:
        for reason in error.reasons:
            form.add_error(None, reason)
        return None, []


@require_http_methods(["GET", "POST"])
@role_required(*BOOKERS)
def appointment_reschedule(request, pk: int):
    appointment = get_object_or_404(
        Appointment.objects.select_related("patient", "modality", "therapist__user", "room"), pk=pk
    )
    local_start = timezone.localtime(appointment.starts_at)
    initial = {
        "day": local_start.date(),
        "time": local_start.time(),
        "therapist": appointment.therapist,
        "room": appointment.room,
    }
    form = RescheduleForm(request.POST if request.method == "POST" else None, initial=initial)
    warnings = []
    if request.method == "POST" and form.is_valid():
        moved, warnings = _book_through_form(
            form,
            lambda: booking.appointment_reschedule(
                appointment=appointment,
                starts_at=form.starts_at(),
                therapist=form.cleaned_data["therapist"],
                room=form.cleaned_data["room"],
                confirm_warnings=form.cleaned_data["confirm_warnings"],
            ),
        )
        if moved:
            messages.success(request, f"Moved the session of {appointment.patient}.")
            return redirect(appointment.get_absolute_url())
    return render(
        request,
        "sessions/appointment_reschedule.html",
        {"appointment": appointment, "form": form, "warnings": warnings},
    )


def _booking_options(form: BookingForm, patient: Patient) -> dict:
    """The contraindication result and the free slots for what the form says so far."""
    data = form.cleaned_data
    modality, course = data.get("modality"), data.get("course")
    if modality is None or data.get("day") is None:
        return {}
    day = data["day"]
    check = contraindications_check(
        patient=patient, modality=modality, at=max(at_local(day, dt.time(12)), timezone.now())
    )
    slots = []
    if check.allowed:
        slots = slots_available(
            modality=modality,
            starts_on=day,
            ends_on=day,
            therapist=data.get("therapist"),
            patient=patient,
            minutes=course.session_minutes if course else None,
        )
    return {
        "check": check,
        "slots": [(slot, slot_value(slot.starts_at, slot.therapist, slot.room)) for slot in slots],
        "chosen_slot": form.data.get("slot", ""),
    }


@require_http_methods(["GET", "POST"])
@role_required(*BOOKERS)
def appointment_book(request):
    try:
        patient_id = int(request.POST.get("patient") or request.GET.get("patient") or 0)
    except ValueError:
        raise Http404("No such patient.") from None
    patient = get_object_or_404(Patient, pk=patient_id)
    if request.method == "POST":
        form = BookingForm(request.POST, patient=patient)
    else:
        # Arriving from the patient's page (?patient= only) is not a choice to validate yet.
        chosen = request.GET if set(request.GET) - {"patient"} else None
        form = BookingForm(chosen, patient=patient, initial={"patient": patient.pk})
    options, warnings = {}, []
    if form.is_bound:
        valid = form.is_valid()
        if valid and request.method == "POST" and form.require_slot():
            starts_at, therapist, room = form.cleaned_data["slot"]
            appointment, warnings = _book_through_form(
                form,
                lambda: booking.appointment_book(
                    patient=patient,
                    course=form.cleaned_data["course"],
                    modality=form.cleaned_data["modality"],
                    therapist=therapist,
                    room=room,
                    starts_at=starts_at,
                    booked_by=request.user,
                    confirm_warnings=form.cleaned_data["confirm_warnings"],
                ),
            )
            if appointment:
                messages.success(request, f"Booked {appointment.modality} for {patient}.")
                return redirect(appointment.get_absolute_url())
        # Shown even when the rest is invalid (a bad slot), so there is a slot to choose instead.
        # Worked out only for a page that shows them: a booking that succeeds redirects, and
        # the day's free slots across every therapist are the dearest part of the request.
        options = _booking_options(form, patient)
    context = {"patient": patient, "form": form, "warnings": warnings, **options}
    template = (
        "sessions/_booking_options.html"
        if request.htmx and request.method == "GET"
        else "sessions/appointment_book.html"
    )
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@role_required(*BOOKERS)
def course_series_book(request, pk: int):
    course = get_object_or_404(Course.objects.select_related("patient", "modality"), pk=pk)
    start_form = SeriesStartForm(request.GET or None, course=course)
    plan, initial_slots = [], []
    if start_form.is_bound and start_form.is_valid():
        plan = course_series_propose(
            course=course,
            first_starts_at=start_form.starts_at(),
            therapist=start_form.cleaned_data["therapist"],
            room=start_form.cleaned_data["room"],
        )
        initial_slots = [_value(s if s.ok else s.alternative) for s in plan if s.ok or s.alternative]
    confirm_form = SeriesConfirmForm(request.POST if request.method == "POST" else None)
    warnings = []
    if request.method == "POST" and confirm_form.is_valid():
        booked, warnings = _book_through_form(
            confirm_form,
            lambda: booking.course_series_book(
                course=course,
                slots=confirm_form.cleaned_data["slots"],
                booked_by=request.user,
                confirm_warnings=confirm_form.cleaned_data["confirm_warnings"],
            ),
        )
        if booked:
            messages.success(request, f"Booked {len(booked)} sessions of {course.modality} for {course.patient}.")
            return redirect(course.patient.get_absolute_url())
    context = {
        "course": course,
        "start_form": start_form,
        "confirm_form": confirm_form,
        "plan": [(session, _value(session), _value(session.alternative)) for session in plan],
        "chosen": set(confirm_form.data.getlist("slots") if confirm_form.is_bound else initial_slots),
        "warnings": warnings,
        "remaining": course.max_sessions - course_sessions_counted(course=course),
    }
    return render(request, "sessions/course_series_book.html", context)


def _value(slot) -> str:
    return slot_value(slot.starts_at, slot.therapist, slot.room) if slot else ""


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
        "book_url": reverse("sessions:appointment_book") + "?" + urlencode({"patient": patient.pk}),
    }
    return render(request, "sessions/patient_overview.html", context)
