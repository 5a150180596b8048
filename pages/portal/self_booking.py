"""The portal's self-booking pages: book the next session of a course, move a session, and choose
how the clinic sends messages. The rules are sessions.self_booking's; these pages show the free
times it offers (day chips, then the booking page's slot picker for the chosen day) and its
refusals, which are written for the patient.

Another patient's course or session is a 404, as everywhere in the portal."""

import datetime as dt

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_http_methods

from pages.booking.forms import slot_value
from pages.booking.views import slot_groups
from pages.portal.forms import ContactChannelForm, SelfBookingDayForm, SelfBookingForm
from pages.portal.views import portal_view
from pages.refusals import saved_or_refused
from pages.routes import Routes
from patients.services import patient_contact_channel_set
from sessions.models import COUNTED_STATUSES, Appointment, Course
from sessions.self_booking import (
    self_book,
    self_booking_problems,
    self_booking_slots,
    self_move_problems,
    self_reschedule,
)

routes = Routes()

# Days offered at once: about two weeks of a course's cadence fit a phone's screen.
DAYS_SHOWN = 12


def _when(starts_at: dt.datetime) -> dict[str, str]:
    """The day and the time of a session, for a message that says when it is."""
    local = timezone.localtime(starts_at)
    return {"day": date_format(local, gettext("l j F")), "time": date_format(local, "H:i")}


def _picker(request, by_day: dict, form) -> dict:
    """The chosen day (`?day=`, kept on a refused post; else the first with free times), the
    day chips, and that day's times as the booking page's slot picker shows them."""
    days = list(by_day)[:DAYS_SHOWN]
    asked = SelfBookingDayForm(request.GET)
    day = asked.cleaned_data.get("day") if asked.is_valid() else None
    if form.is_bound and form.data.get("day"):
        posted = SelfBookingDayForm({"day": form.data["day"]})
        day = posted.cleaned_data.get("day") if posted.is_valid() else day
    if day not in by_day:
        day = days[0] if days else None
    valued = [(slot, slot_value(slot.starts_at, slot.therapist, slot.room)) for slot in by_day.get(day, [])]
    chosen = form.data.get("slot", "") if form.is_bound else ""
    return {
        "days": days,
        "slot_day": day,
        "slots": valued,
        "slot_groups": slot_groups(valued, chosen=chosen, limit=None),
        "chosen_slot": chosen,
        "more_url": "",
    }


def _slot(form) -> dict:
    """The free time the patient chose, as the self-booking services take it."""
    starts_at, therapist, room = form.cleaned_data["slot"]
    return {"starts_at": starts_at, "therapist": therapist, "room": room}


def _left(course: Course) -> str:
    """How many sessions of the course may still be booked, in words."""
    left = course.max_sessions - course.appointments.filter(status__in=COUNTED_STATUSES).count()
    if left <= 0:
        return ""
    return ngettext("%(count)d session left to book", "%(count)d sessions left to book", left) % {"count": left}


@routes("portal/courses/<int:pk>/book/")
@require_http_methods(["GET", "POST"])
@portal_view
def portal_self_book(request, pk: int):
    """Book the next session of one of the patient's courses."""
    patient = request.patient
    course = get_object_or_404(Course.objects.select_related("modality", "patient"), pk=pk, patient_id=patient.pk)
    form = SelfBookingForm(request.POST if request.method == "POST" else None)
    book = lambda: self_book(patient=patient, course=course, **_slot(form))  # noqa: E731

    def done(booked) -> str:
        return gettext("Booked: %(day)s at %(time)s with %(therapist)s.") % {
            **_when(booked.starts_at),
            "therapist": booked.therapist,
        }

    if saved_or_refused(request, form, book, done):
        return redirect("portal:portal_appointments")
    problems = self_booking_problems(patient=patient, course=course)
    context = {
        "course": course,
        "modality": course.modality,
        "minutes": course.session_minutes,
        "left": _left(course),
        "form": form,
        "problems": problems,
        "action": reverse("portal:portal_self_book", args=[course.pk]),
        **(_picker(request, self_booking_slots(course=course), form) if not problems else {}),
    }
    return render(request, "portal/portal_self_book.html", context)


@routes("portal/appointments/<int:pk>/move/")
@require_http_methods(["GET", "POST"])
@portal_view
def portal_self_move(request, pk: int):
    """Move one of the patient's course sessions to another free time."""
    patient = request.patient
    appointment = get_object_or_404(
        Appointment.objects.select_related("modality", "therapist__user", "room", "course__modality"),
        pk=pk,
        patient_id=patient.pk,
    )
    form = SelfBookingForm(request.POST if request.method == "POST" else None)
    move = lambda: self_reschedule(patient=patient, appointment=appointment, **_slot(form))  # noqa: E731

    def done(moved) -> str:
        return gettext("Moved: your session is now on %(day)s at %(time)s with %(therapist)s.") % {
            **_when(moved.starts_at),
            "therapist": moved.therapist,
        }

    if saved_or_refused(request, form, move, done):
        return redirect("portal:portal_appointments")
    problems = self_move_problems(patient=patient, appointment=appointment)
    context = {
        "course": appointment.course,
        "modality": appointment.modality,
        "minutes": int((appointment.ends_at - appointment.starts_at).total_seconds() // 60),
        "appointment": appointment,
        "form": form,
        "problems": problems,
        "action": reverse("portal:portal_self_move", args=[appointment.pk]),
        **(_picker(request, self_booking_slots(course=appointment.course, exclude=appointment), form)
           if not problems else {}),
    }  # fmt: skip
    return render(request, "portal/portal_self_book.html", context)


@routes("portal/messages/")
@require_http_methods(["GET", "POST"])
@portal_view
def portal_contact_channel(request):
    """How the clinic sends the patient reminders and offers: e-mail or SMS."""
    patient = request.patient
    form = ContactChannelForm(
        request.POST if request.method == "POST" else None, initial={"contact_channel": patient.contact_channel}
    )
    save = lambda: patient_contact_channel_set(patient=patient, channel=form.cleaned_data["contact_channel"])  # noqa: E731
    if saved_or_refused(
        request,
        form,
        save,
        lambda _: (
            gettext("Saved: messages go to you by %(channel)s.") % {"channel": patient.get_contact_channel_display()}
        ),
    ):
        return redirect("portal:portal_home")
    return render(request, "portal/portal_contact_channel.html", {"form": form, "patient": patient})
