"""Why a session could not be booked: the checks shared by booking, rescheduling and the
course-series planner. They only read; sessions.booking decides and writes."""

import datetime as dt

from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext, gettext_lazy, ngettext

from clinic.date_windows import BOOKING_WINDOW, CALENDAR_WINDOW
from clinic.models import Location, Modality, Room, Therapist
from clinic.refusals import Conflict
from clinic.setup_lists import qualifications
from patients.contraindications import contraindications_check
from patients.models import Patient
from sessions.models import COUNTED_STATUSES, Appointment, Course
from sessions.schedule import Held, Schedule, local_date


def person_name(user_or_therapist) -> str:
    user = getattr(user_or_therapist, "user", user_or_therapist)
    return user.get_full_name() or user.get_username()


def when(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{date_format(local, gettext('D j M'))} {time_format(local, 'H:i')}"


def booking_problems(appointment: Appointment, *, offered_slot_id: int | None = None) -> tuple[list[str], list[str]]:
    """Every reason `appointment` would be refused, and the warnings it needs confirmed: a new,
    unsaved one, or a booked one at its new time (which never clashes with itself).

    `offered_slot_id`: the waitlist asks about offering that freed slot to this patient; the
    slot's other offers (a batch offered at once) are not in the way."""
    patient, modality, course = appointment.patient, appointment.modality, appointment.course
    therapist, room = appointment.therapist, appointment.room
    starts_at, ends_at, exclude_appointment_id = appointment.starts_at, appointment.ends_at, appointment.pk
    if not CALENDAR_WINDOW.contains(starts_at) or not CALENDAR_WINDOW.contains(ends_at):
        # Nothing to look up at the calendar's edge (the day's UTC bounds would overflow).
        return [BOOKING_WINDOW.message(starts_at)], []
    contraindications = contraindications_check(patient=patient, modality=modality, at=starts_at)
    reasons = list(contraindications.blocks)
    if course is not None:
        reasons += course_problems(course=course, patient=patient, exclude_appointment_id=exclude_appointment_id)
    day = local_date(starts_at)
    schedule = Schedule.load(
        starts_on=day,
        ends_on=day,
        therapists=[therapist],
        rooms=[room],
        patient_id=patient.pk,
        exclude_appointment_id=exclude_appointment_id,
        offered_slot_id=offered_slot_id,
    )
    reasons += slot_problems(
        schedule=schedule,
        patient=patient,
        modality=modality,
        therapist=therapist,
        room=room,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    return reasons, contraindications.warnings


def slot_problems(
    *,
    schedule: Schedule,
    patient: Patient,
    modality: Modality,
    therapist: Therapist,
    room: Room,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
) -> list[str]:
    """Whether this therapist and room can take this patient at this time (not whether the
    patient may be treated: that is the contraindication check)."""
    problems = []
    if starts_at < timezone.now():
        problems.append(gettext("The start time is in the past."))
    elif not BOOKING_WINDOW.contains(starts_at):
        problems.append(BOOKING_WINDOW.message(starts_at))
    problems += _resource_problems(modality=modality, therapist=therapist, room=room)
    problems += _time_problems(
        schedule=schedule, patient=patient, therapist=therapist, room=room, starts_at=starts_at, ends_at=ends_at
    )
    return problems


def course_problems(*, course: Course, patient: Patient, exclude_appointment_id: int | None = None) -> list[str]:
    if course.patient_id != patient.pk:
        return [gettext("The course belongs to another patient.")]
    if not course.is_bookable:
        status = course.get_status_display().lower()
        return [gettext("The course is %(status)s; only a planned or active course is booked.") % {"status": status}]
    booked = course.appointments.filter(status__in=COUNTED_STATUSES).exclude(pk=exclude_appointment_id).count()
    if booked >= course.max_sessions:
        count = course.max_sessions
        return [
            ngettext(
                "The course already has all its %(count)s sessions booked or done.",
                "The course already has all its %(count)s sessions booked or done.",
                count,
            )
            % {"count": count}
        ]
    return []


def _resource_problems(*, modality: Modality, therapist: Therapist, room: Room) -> list[str]:
    problems = []
    qualified = qualifications()
    if not therapist.active:
        problems.append(gettext("%(therapist)s is no longer active.") % {"therapist": person_name(therapist)})
    elif (modality.pk, therapist.pk) not in qualified.therapists:
        problems.append(
            gettext("%(therapist)s is not qualified for %(modality)s.")
            % {"therapist": person_name(therapist), "modality": modality}
        )
    if not room.active:
        problems.append(gettext("%(room)s is out of use.") % {"room": room})
    elif (modality.pk, room.pk) not in qualified.rooms:
        problems.append(gettext("%(room)s is not set up for %(modality)s.") % {"room": room, "modality": modality})
    return problems


def _elsewhere_reason(therapist, room, site_id: int | None, starts_at) -> str:
    sites = {location.pk: location for location in Location.objects.filter(pk__in=[site_id, room.location_id])}
    return gettext(
        "%(room)s is at %(room_site)s, but %(therapist)s works at %(site)s at %(when)s: choose a room there."
    ) % {
        "room": room,
        "room_site": sites.get(room.location_id),
        "therapist": person_name(therapist),
        "site": sites.get(site_id),
        "when": when(starts_at),
    }


# The words of HELD_FOR_OFFER, untranslated, that tell a hold among reasons given in the source
# language (sessions.waitlist books an accepted offer untranslated, to judge its reasons).
HELD_MARK = "is held for a waitlist offer"
HELD_FOR_OFFER = gettext_lazy(
    "{span} is held for a waitlist offer until {until}; reception can release it on the Waitlist page."
)


def _clash_reason(who: str, clash: Appointment | Held) -> str:
    end = time_format(timezone.localtime(clash.ends_at), "H:i")
    if isinstance(clash, Held):
        # Whom it is offered to is nobody's business here (a patient may be the one asking).
        until = time_format(timezone.localtime(clash.until), "H:i")
        return Conflict(HELD_FOR_OFFER.format(span=f"{when(clash.starts_at)}–{end}", until=until))
    return Conflict(
        gettext("%(who)s is already booked %(when)s–%(end)s.") % {"who": who, "when": when(clash.starts_at), "end": end}
    )


def _time_problems(*, schedule: Schedule, patient, therapist, room, starts_at, ends_at) -> list[str]:
    problems = []
    day = local_date(starts_at)
    closure = schedule.closure_on(therapist.pk, day)
    if closure is not None:
        closed = {
            "day": date_format(day, gettext("j F")),
            "reason": closure.reason,
            "therapist": person_name(therapist),
        }
        if closure.therapist_id is None:
            problems.append(gettext("The clinic is closed on %(day)s: %(reason)s.") % closed)
        else:
            problems.append(gettext("%(therapist)s is closed on %(day)s: %(reason)s.") % closed)
    elif not schedule.within_hours(therapist.pk, starts_at, ends_at):
        problems.append(
            gettext("%(when)s is outside %(therapist)s's working hours.")
            % {"when": when(starts_at), "therapist": person_name(therapist)}
        )
    elif (site := schedule.site_at(therapist.pk, starts_at, ends_at)) != room.location_id:
        problems.append(_elsewhere_reason(therapist, room, site, starts_at))
    if clash := schedule.therapist_clash(therapist.pk, starts_at, ends_at):
        problems.append(_clash_reason(person_name(therapist), clash))
    if clash := schedule.room_clash(room.pk, starts_at, ends_at):
        problems.append(_clash_reason(str(room), clash))
    if clash := schedule.patient_clash(starts_at, ends_at):
        problems.append(_clash_reason(str(patient), clash))
    return list(dict.fromkeys(problems))  # a hold of the therapist and the room is one reason
