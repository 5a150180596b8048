"""Booking: a session for a patient, a course's series of sessions, the free slots over a span
of days, and one appointment: its page, check-in, no-show, completion, cancellation and move."""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.refusals import Refused
from clinic.replica import view_reads_may_lag
from pages.booking.forms import (
    AvailabilityForm,
    BookingForm,
    CancelForm,
    RescheduleForm,
    RescheduleSearchForm,
    SeriesConfirmForm,
    SeriesStartForm,
    slot_value,
    slot_values,
)
from pages.http import safe_next_url
from pages.kept_pages import schedule_answer
from pages.refusals import refusal_message, refusal_on_form, saved_or_refused
from pages.roles import BOOKERS, role_required
from pages.routes import Routes
from patients.contraindications import contraindications_check
from patients.models import Patient
from sessions import appointments, booking
from sessions.appointments import appointment_actions
from sessions.availability import (
    NEXT_FREE_DAYS,
    course_booked_days,
    course_series_propose,
    search_steady_until,
    slots_by_day,
    slots_next_free,
)
from sessions.booking_checks import person_name
from sessions.course_progress import annotate_course_position, course_sessions_counted
from sessions.models import Appointment, Course
from sessions.schedule import at_local, local_date

routes = Routes()


@routes("appointments/<int:pk>/")
@require_GET
@role_required(*BOOKERS)
def appointment_detail(request, pk: int):
    appointment = get_object_or_404(
        Appointment.objects.select_related("patient", "modality", "therapist__user", "room", "course"), pk=pk
    )
    annotate_course_position([appointment])
    return render(
        request,
        "booking/appointment_detail.html",
        {"appointment": appointment, "actions": appointment_actions(appointment), "cancel_form": CancelForm()},
    )


def _status_action(action, done: str):
    """The page behind a button that moves a session on (check in, no-show, complete): `action`
    through the service, then back to where the button was, saying what happened or why not."""

    @require_POST
    @role_required(*BOOKERS)
    def view(request, pk: int):
        appointment = get_object_or_404(Appointment, pk=pk)
        try:
            changed = action(appointment=appointment)
            messages.success(request, done.format(patient=appointment.patient))
            for warning in getattr(changed, "treatment_warnings", []):
                messages.warning(request, gettext("Before treating: %(warning)s") % {"warning": warning})
        except Refused as error:
            refusal_message(request, error)
        return redirect(safe_next_url(request, request.POST.get("next", ""), appointment.get_absolute_url()))

    return view


appointment_check_in = _status_action(appointments.appointment_check_in, gettext_lazy("{patient} is checked in."))
appointment_no_show = _status_action(
    appointments.appointment_no_show, gettext_lazy("Recorded that {patient} did not come.")
)
appointment_complete = _status_action(
    appointments.appointment_complete, gettext_lazy("The session of {patient} is completed.")
)
routes.add("appointments/<int:pk>/check-in/", appointment_check_in, "appointment_check_in")
routes.add("appointments/<int:pk>/no-show/", appointment_no_show, "appointment_no_show")
routes.add("appointments/<int:pk>/complete/", appointment_complete, "appointment_complete")


@routes("appointments/<int:pk>/cancel/")
@require_http_methods(["GET", "POST"])
@role_required(*BOOKERS)
def appointment_cancel(request, pk: int):
    appointment = get_object_or_404(Appointment.objects.select_related("patient", "modality"), pk=pk)
    form = CancelForm(request.POST if request.method == "POST" else None)
    if saved_or_refused(
        request,
        form,
        lambda: appointments.appointment_cancel(appointment=appointment, reason=form.cleaned_data["reason"]),
        lambda _: (
            gettext("Cancelled the session of %(patient)s; the slot is free again.") % {"patient": appointment.patient}
        ),
    ):
        return redirect(appointment.get_absolute_url())
    return render(request, "booking/appointment_cancel.html", {"appointment": appointment, "form": form})


@routes("appointments/<int:pk>/reschedule/")
@require_http_methods(["GET", "POST"])
@role_required(*BOOKERS)
def appointment_reschedule(request, pk: int):
    """Move a session: the same slot picker as booking (qualified therapists, suited rooms, the
    session's own length, its own time not in the way), or a time typed on the quarter hour."""
    appointment = get_object_or_404(
        Appointment.objects.select_related("patient", "modality", "therapist__user", "room"), pk=pk
    )
    modality = appointment.modality
    local_start = timezone.localtime(appointment.starts_at)
    initial = {
        "day": local_start.date(),
        "time": local_start.time(),
        "therapist": appointment.therapist,
        "room": appointment.room,
    }
    form = RescheduleForm(request.POST if request.method == "POST" else None, initial=initial, modality=modality)
    search_form = RescheduleSearchForm(request.GET, modality=modality)
    back = safe_next_url(request, request.POST.get("next") or request.GET.get("next", ""), "")
    warnings = []

    def move():
        return booking.appointment_reschedule(
            appointment=appointment,
            starts_at=form.starts_at(),
            therapist=form.cleaned_data["therapist"],
            room=form.cleaned_data["room"],
            confirm_warnings=form.cleaned_data["confirm_warnings"],
        )

    def done(_) -> str:
        return gettext("Moved the session of %(patient)s.") % {"patient": appointment.patient}

    if saved_or_refused(request, form, move, done, warnings):
        return redirect(back or appointment.get_absolute_url())
    searched = search_form.cleaned_data if search_form.is_valid() else {}
    minutes = int((appointment.ends_at - appointment.starts_at).total_seconds() // 60)
    search = {
        "modality": modality,
        "therapist": searched.get("therapist"),
        "patient": appointment.patient,
        "minutes": minutes,
        "exclude_appointment_id": appointment.pk,
    }
    asked = None if searched.get("next_free") else searched.get("day")
    slots, day, moved_from = _free_slots(asked, search)
    valued = slot_values(slots)
    chosen = form.data.get("slot", "") if form.is_bound else ""
    check = contraindications_check(
        patient=appointment.patient, modality=modality, at=max(appointment.starts_at, timezone.now())
    )
    more_url = reverse("booking:appointment_reschedule", args=[appointment.pk]) + "?" + urlencode({"next": back})
    context = {
        "appointment": appointment,
        "form": form,
        "search_form": search_form,
        "warnings": warnings,
        # The box to confirm warnings, only when there are warnings to read.
        "has_warnings": bool(warnings or check.warnings),
        "slots": valued,
        "slot_day": day,
        "nothing_free_on": moved_from,
        "next_free_days": NEXT_FREE_DAYS,
        "session_minutes": minutes,
        "slot_groups": slot_groups(
            valued,
            chosen=chosen,
            limit=None if search["therapist"] else SLOTS_PER_THERAPIST,
            more_url=more_url,
            day=day,
        ),
        "chosen_slot": chosen,
        "more_url": more_url,
        "next": back,
    }
    return render(request, "booking/appointment_reschedule.html", context)


# The picker shows each therapist's first few times; "all N times" narrows the page to one
# therapist. At 60 therapists that keeps the page small (docs/PERFORMANCE.md).
SLOTS_PER_THERAPIST = 3


@dataclass
class SlotGroup:
    """One therapist's free times in the picker: the first few shown, how many more there are,
    and where "all N times" leads (the page narrowed to this therapist on this day)."""

    therapist: object
    shown: list = field(default_factory=list)
    more: int = 0
    chosen: str = ""
    more_url: str = ""

    @property
    def total(self) -> int:
        return len(self.shown) + self.more

    @property
    def chips(self) -> str:
        """The times shown, as radios with their labels (the chosen one checked). Written here
        rather than in the template: 60 therapists make 180 of them, and the template's work per
        chip was most of the booking page's rendering (docs/PERFORMANCE.md)."""
        pk, zone = self.therapist.pk, timezone.get_current_timezone()
        return mark_safe(
            "".join(
                f'<input class="btn-check" type="radio" name="slot" id="s{pk}-{n}" value="{escape(value)}"'
                f'{" checked" if value == self.chosen else ""}><label class="chip" for="s{pk}-{n}">'
                f"{timezone.localtime(slot.starts_at, zone):%H:%M}</label>"
                for n, (slot, value) in enumerate(self.shown, 1)
            )
        )

    @property
    def more_link(self) -> str:
        """The "all N times" link when some times are not shown: written here like the chips."""
        if not self.more:
            return ""
        label = gettext("all %(total)s times") % {"total": self.total}
        return format_html('<a class="slot-more" href="{}">{}</a>', self.more_url, label)


def slot_groups(
    slots: list[tuple], *, chosen: str, limit: int | None, more_url: str = "", day: dt.date | None = None
) -> list[SlotGroup]:
    """The slots grouped by therapist (in the order their first slot comes), the first `limit`
    of each shown (all when None), and the chosen one always among them; "all N times" leads to
    `more_url` with the therapist and `day` added."""
    groups: dict[int, SlotGroup] = {}
    for slot, value in slots:
        group = groups.get(slot.therapist.id)
        if group is None:
            therapist = slot.therapist
            link = f"{more_url}&therapist={therapist.id}&day={day.isoformat()}" if more_url and day else ""
            group = groups[therapist.id] = SlotGroup(therapist=therapist, chosen=chosen, more_url=link)
        if limit is None or len(group.shown) < limit or value == chosen:
            group.shown.append((slot, value))
        else:
            group.more += 1
    return list(groups.values())


def _chosen_slot(form: BookingForm, slots: list[tuple]) -> str:
    """The slot sent back, else the one the day board's free cell asked for (?time=HH:MM)."""
    if form.data.get("slot"):
        return form.data["slot"]
    wanted = form.data.get("time", "")
    if wanted:
        for slot, value in slots:
            if timezone.localtime(slot.starts_at).strftime("%H:%M") == wanted:
                return value
    return ""


def _booking_options(form: BookingForm, patient: Patient) -> dict:
    """The contraindication result and the free slots for what the form says so far: the chosen
    day's, or, with no day (or "Next free"), the first day with a free slot in the coming two
    weeks; a chosen day with nothing free shows the next free day instead."""
    data = form.cleaned_data
    modality, course = data.get("modality"), data.get("course")
    if modality is None or "day" in form.errors:
        return {}
    asked = None if form.data.get("next_free") else data.get("day")
    search = {
        "modality": modality,
        "therapist": data.get("therapist"),
        "patient": patient,
        "minutes": course.session_minutes if course else None,
        "location": data.get("location"),
    }
    today = timezone.localdate()
    check = contraindications_check(
        patient=patient, modality=modality, at=max(at_local(asked or today, dt.time(12)), timezone.now())
    )
    slots, day, moved_from = _free_slots(asked, search) if check.allowed else ([], asked or today, None)
    valued = slot_values(slots)
    chosen = _chosen_slot(form, valued)
    # "all N times": the same choice narrowed to one therapist (each group adds who and when).
    more_url = (
        reverse("booking:appointment_book")
        + "?"
        + urlencode({"patient": patient.pk, "course": course.pk if course else "", "modality": modality.pk})
    )
    return {
        "check": check,
        "slots": valued,
        "slot_day": day,
        "nothing_free_on": moved_from,
        "next_free_days": NEXT_FREE_DAYS,
        "session_minutes": search["minutes"] or modality.session_minutes,
        "slot_groups": slot_groups(
            valued,
            chosen=chosen,
            limit=None if data.get("therapist") else SLOTS_PER_THERAPIST,
            more_url=more_url,
            day=day,
        ),
        "chosen_slot": chosen,
        "more_url": more_url,
    }


def _free_slots(asked: dt.date | None, search: dict) -> tuple[list, dt.date, dt.date | None]:
    """The free slots on the day asked for, or on the next free day (from today when none was
    asked, from the day after when the day asked for has nothing): the slots, their day, and the
    day asked for when it had nothing."""
    today = timezone.localdate()
    # One search: its first window is the day asked for, and who and where are read once.
    if asked:
        slots = slots_next_free(starts_on=asked, days=NEXT_FREE_DAYS + 1, **search)
    else:
        slots = slots_next_free(starts_on=today, **search)
    day = local_date(slots[0].starts_at) if slots else (asked or today)
    return slots, day, (asked if asked and asked != day else None)


def _booking_choice(request, patient: Patient) -> dict | None:
    """What a GET asks the booking page for, or None when it asks nothing yet. The day board's
    free cell sends therapist, day and time; a patient with one open course books on it."""
    if not set(request.GET) - {"patient"}:
        return None
    data = request.GET.copy()
    if not data.get("course") and not data.get("modality"):
        open_courses = list(BookingForm(patient=patient).fields["course"].queryset.values_list("pk", flat=True)[:2])
        if len(open_courses) == 1:
            data["course"] = str(open_courses[0])
        elif "therapist" in request.GET and not set(request.GET) - {"patient", "therapist", "day", "time"}:
            return None  # from the board: nothing chosen yet to complain about
    return data


@routes("book/")
@require_http_methods(["GET", "POST"])
@role_required(*BOOKERS)
@view_reads_may_lag
def appointment_book(request):
    try:
        patient_id = int(request.POST.get("patient") or request.GET.get("patient") or 0)
    except ValueError:
        raise Http404("No such patient.") from None
    patient = get_object_or_404(Patient, pk=patient_id)
    if request.method == "POST":
        form = BookingForm(request.POST, patient=patient)
    else:
        # Arriving from the patient's page (?patient= only) is not a choice to validate yet; from
        # the day board's free cell, the therapist and day are filled in for the choice to come.
        initial = {"patient": patient.pk, **{k: request.GET[k] for k in ("therapist", "day") if request.GET.get(k)}}
        form = BookingForm(_booking_choice(request, patient), patient=patient, initial=initial)
    options, warnings = {}, []
    if form.is_bound:
        valid = form.is_valid()
        if valid and request.method == "POST" and form.require_slot():
            starts_at, therapist, room = form.cleaned_data["slot"]
            try:
                appointment = booking.appointment_book(
                    patient=patient,
                    course=form.cleaned_data["course"],
                    modality=form.cleaned_data["modality"],
                    therapist=therapist,
                    room=room,
                    starts_at=starts_at,
                    booked_by=request.user,
                    confirm_warnings=form.cleaned_data["confirm_warnings"],
                )
            except Refused as error:
                warnings = refusal_on_form(form, error)
            else:
                messages.success(
                    request,
                    gettext("Booked %(modality)s for %(patient)s.")
                    % {"modality": appointment.modality, "patient": patient},
                )
                return redirect(appointment.get_absolute_url())
        # Shown even when the rest is invalid (a bad slot), so there is a slot to choose instead.
        # Worked out only for a page that shows them: a booking that succeeds redirects, and
        # the day's free slots across every therapist are the dearest part of the request.
        options = _booking_options(form, patient)
    context = {"patient": patient, "form": form, "warnings": warnings, **options}
    template = (
        "booking/_booking_options.html" if request.htmx and request.method == "GET" else "booking/appointment_book.html"
    )
    return render(request, template, context)


@routes("courses/<int:pk>/series/")
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

    def book():
        return booking.course_series_book(
            course=course,
            slots=confirm_form.cleaned_data["slots"],
            booked_by=request.user,
            confirm_warnings=confirm_form.cleaned_data["confirm_warnings"],
        )

    def done(booked) -> str:
        # Both English forms say "sessions", as the message always has; other languages get their plural forms.
        return ngettext(
            "Booked %(count)d sessions of %(modality)s for %(patient)s.",
            "Booked %(count)d sessions of %(modality)s for %(patient)s.",
            len(booked),
        ) % {"count": len(booked), "modality": course.modality, "patient": course.patient}

    if saved_or_refused(request, confirm_form, book, done, warnings):
        return redirect(course.patient.get_absolute_url())
    context = {
        "course": course,
        "start_form": start_form,
        "confirm_form": confirm_form,
        "plan": [(session, _value(session), _value(session.alternative)) for session in plan],
        "chosen": set(confirm_form.data.getlist("slots") if confirm_form.is_bound else initial_slots),
        "warnings": warnings,
        "remaining": course.max_sessions - course_sessions_counted(course=course),
        "last_booked": booked[-1] if (booked := course_booked_days(course)) else None,
    }
    return render(request, "booking/course_series_book.html", context)


def _value(slot) -> str:
    return slot_value(slot.starts_at, slot.therapist, slot.room) if slot else ""


@routes("availability/")
@require_GET
@role_required(*BOOKERS)
@view_reads_may_lag
def availability(request):
    """Free slots over a span of days, as JSON: what the booking page shows one day at a time,
    for a front desk planning weeks ahead (and for the benchmark, docs/PERFORMANCE.md).

    `?modality=<id>[&therapist=<id>][&start=YYYY-MM-DD][&days=1..31]`: every free start, by day,
    as [local "HH:MM", therapist id, room id], with the names of those therapists and rooms."""
    form = AvailabilityForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    modality, start = form.cleaned_data["modality"], form.cleaned_data["start"]
    end = start + dt.timedelta(days=form.cleaned_data["days"] - 1)
    therapist = form.cleaned_data["therapist"]
    # Kept while nothing in the span is written (pages.kept_pages): a month's search is tens of
    # milliseconds of Python, asked for again and again while the front desk plans.
    asked = (modality.pk, therapist.pk if therapist else None)
    content = schedule_answer(
        "availability", start, end, asked, lambda: _availability_json(modality, start, end, therapist), len
    )
    return HttpResponse(content, content_type="application/json")


def _availability_json(modality, start: dt.date, end: dt.date, therapist) -> tuple[bytes, dt.datetime]:
    """The availability answer, and until when it holds with no write (search_steady_until)."""
    now = timezone.now()
    by_day = slots_by_day(modality=modality, starts_on=start, ends_on=end, therapist=therapist, now=now)
    days: dict[dt.date, list] = {}
    therapists, rooms = {}, {}
    count = 0
    first_start = None
    # Once, not per slot: a month's search lists thousands of them.
    zone = timezone.get_current_timezone()
    starts_at = day_slots = hour_minute = None
    # A day at a time (sessions.availability.slots_by_day): a month's slots are never all held.
    for _, slots in by_day:
        count += len(slots)
        for slot in slots:
            # The slots come in time order, and those at the same time share one datetime: its
            # day and "HH:MM" are worked out once for all of them.
            if slot.starts_at is not starts_at:
                starts_at = slot.starts_at
                first_start = first_start or starts_at
                local = starts_at if starts_at.tzinfo is zone else starts_at.astimezone(zone)
                day_slots = days.setdefault(local.date(), [])
                hour_minute = f"{local.hour:02d}:{local.minute:02d}"
            who, room = slot.therapist, slot.room
            # A tuple (a JSON array as a list is): a month's thousands of them for the garbage
            # collector to track for no purpose.
            day_slots.append((hour_minute, who.id, room.id))
            therapists[who.id] = who
            rooms[room.id] = room
    answer = JsonResponse(
        {
            "modality": {"id": modality.pk, "name": modality.name, "minutes": modality.session_minutes},
            "start": start.isoformat(),
            "end": end.isoformat(),
            "time_zone": settings.TIME_ZONE,
            "count": count,
            "days": [{"day": day.isoformat(), "slots": day_slots} for day, day_slots in days.items()],
            "therapists": {pk: person_name(who) for pk, who in therapists.items()},
            "rooms": {pk: room.name for pk, room in rooms.items()},
        }
    )
    return answer.content, search_steady_until(starts_on=start, ends_on=end, first_start=first_start, now=now)
