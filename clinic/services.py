"""Changing the clinic: its sites, therapists, rooms, modalities, working hours and closures.

The manager's editors (pages/manager) write through these, as every other path should. Each
checks everything first and refuses with every reason in words (clinic.refusals.Refused), then
writes in one transaction; django-auditlog records each write with the user who made it.

What is already booked stays true: a change that would leave a booked session ahead without its
therapist, qualification, room, hours or an open day is refused, and the refusal lists those
sessions (clinic.future_sessions) so the manager can move or cancel them first. Nothing here
moves or cancels a session by itself.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.validators import RegexValidator
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from clinic.date_windows import CLOSURE_WINDOW
from clinic.future_sessions import FutureSession, affected_reason, future_sessions
from clinic.models import Cadence, Closure, ClosureKind, Location, Modality, Room, Therapist, Weekday, WorkingHours
from clinic.public_holidays import public_holidays
from clinic.refusals import Refused

COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$")
SESSION_MINUTES = (5, 240)
MAX_COURSE_SESSIONS = 100


def _name_problems(
    name: str, model, max_length: int, exclude_pk: int | None, *, missing: str, too_long: str, taken: str
) -> list[str]:
    """`missing`, `too_long` (with %(max)s) and `taken` (with %(name)s): the sentences for this kind of row."""
    name = name.strip()
    if not name:
        return [missing]
    if len(name) > max_length:
        return [too_long % {"max": max_length}]
    if model.objects.filter(name__iexact=name).exclude(pk=exclude_pk).exists():
        return [taken % {"name": name}]
    return []


def _refuse_if(problems: list[str]) -> None:
    if problems:
        raise Refused(problems)


def _names(objects: Iterable) -> str:
    return ", ".join(str(o) for o in objects)


# Sites ------------------------------------------------------------------------------------------


def _location_problems(*, name: str, address: str, exclude_pk: int | None = None) -> list[str]:
    problems = _name_problems(
        name,
        Location,
        80,
        exclude_pk,
        missing=gettext("Give the site a name."),
        too_long=gettext("The site's name is too long: %(max)s characters at most."),
        taken=gettext("There is already a site called “%(name)s”."),
    )
    if len(address) > 300:
        problems.append(gettext("The address is too long: 300 characters at most."))
    return problems


@transaction.atomic
def location_create(*, name: str, address: str = "") -> Location:
    _refuse_if(_location_problems(name=name, address=address))
    return Location.objects.create(name=name.strip(), address=address.strip())


@transaction.atomic
def location_update(*, location: Location, name: str, address: str = "") -> Location:
    _refuse_if(_location_problems(name=name, address=address, exclude_pk=location.pk))
    location.name, location.address = name.strip(), address.strip()
    location.save()
    return location


def _modalities_still_booked(holder: Therapist | Room, modalities: list[Modality], ahead) -> list[str]:
    """The reason to refuse taking modalities away from a therapist or a room while sessions of
    them are booked ahead with it (none when nothing booked needs what is taken away)."""
    kept = {m.pk for m in modalities}
    removed = {m.pk: m for m in holder.modalities.all() if m.pk not in kept}
    stranded = [s for s in ahead if s.modality_id in removed]
    if not stranded:
        return []
    which = _names(removed[pk] for pk in sorted({s.modality_id for s in stranded}))
    lead = gettext("%(holder)s has sessions of %(modalities)s booked ahead.") % {"holder": holder, "modalities": which}
    return [affected_reason(lead, stranded)]


# Therapists -------------------------------------------------------------------------------------


@transaction.atomic
def therapist_update(
    *, therapist: Therapist, modalities: Iterable[Modality], calendar_colour: str, active: bool
) -> Therapist:
    """A therapist's qualifications (the modalities she gives), calendar colour and whether she
    still works here. Refused when a booked session ahead needs what is taken away."""
    modalities = list(modalities)
    problems = []
    if not COLOUR.regex.match(calendar_colour or ""):
        problems.append(gettext("Choose the calendar colour as #rrggbb, for example #4c8bf5."))
    ahead = future_sessions(therapist_ids=[therapist.pk])
    if not active and ahead:
        problems.append(affected_reason(_booked_ahead(therapist, ahead), ahead))
    else:
        problems += _modalities_still_booked(therapist, modalities, ahead)
    _refuse_if(problems)
    therapist.calendar_colour, therapist.active = calendar_colour, active
    therapist.save()
    therapist.modalities.set(modalities)
    return therapist


# Rooms ------------------------------------------------------------------------------------------


def _booked_ahead(holder: Therapist | Room, ahead: list[FutureSession]) -> str:
    return ngettext(
        "%(holder)s has %(count)d session(s) booked ahead.",
        "%(holder)s has %(count)d session(s) booked ahead.",
        len(ahead),
    ) % {"holder": holder, "count": len(ahead)}


def _room_problems(
    *, room: Room | None, name: str, location: Location | None, modalities: list[Modality], active: bool
) -> list[str]:
    problems = _name_problems(
        name,
        Room,
        60,
        room.pk if room else None,
        missing=gettext("Give the room a name."),
        too_long=gettext("The room's name is too long: %(max)s characters at most."),
        taken=gettext("There is already a room called “%(name)s”."),
    )
    if location is None:
        problems.append(gettext("Choose the site the room is at."))
    if room is None:
        return problems
    ahead = future_sessions(room_ids=[room.pk])
    if not ahead:
        return problems
    if not active:
        problems.append(affected_reason(_booked_ahead(room, ahead), ahead))
        return problems
    if location is not None and location.pk != room.location_id:
        lead = gettext("%(room)s has sessions booked ahead at %(site)s.") % {"room": room, "site": room.location}
        problems.append(affected_reason(lead, ahead))
    problems += _modalities_still_booked(room, modalities, ahead)
    return problems


@transaction.atomic
def room_create(*, name: str, location: Location, modalities: Iterable[Modality], active: bool = True) -> Room:
    modalities = list(modalities)
    _refuse_if(_room_problems(room=None, name=name, location=location, modalities=modalities, active=active))
    room = Room.objects.create(name=name.strip(), location=location, active=active)
    room.modalities.set(modalities)
    return room


@transaction.atomic
def room_update(*, room: Room, name: str, location: Location, modalities: Iterable[Modality], active: bool) -> Room:
    """Refused when a booked session ahead needs the room, a modality it loses, or its site."""
    modalities = list(modalities)
    _refuse_if(_room_problems(room=room, name=name, location=location, modalities=modalities, active=active))
    room.name, room.location, room.active = name.strip(), location, active
    room.save()
    room.modalities.set(modalities)
    return room


# Modalities -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CourseDefaults:
    """What a modality's course starts from; the therapist may change it per course."""

    session_minutes: int
    course_min_sessions: int
    course_max_sessions: int
    cadence: str
    sessions_per_week: int | None = None


def _modality_problems(*, name: str, defaults: CourseDefaults, exclude_pk: int | None = None) -> list[str]:
    problems = _name_problems(
        name,
        Modality,
        80,
        exclude_pk,
        missing=gettext("Give the modality a name."),
        too_long=gettext("The modality's name is too long: %(max)s characters at most."),
        taken=gettext("There is already a modality called “%(name)s”."),
    )
    low, high = SESSION_MINUTES
    if not low <= defaults.session_minutes <= high:
        problems.append(gettext("A session lasts from %(low)s to %(high)s minutes.") % {"low": low, "high": high})
    if not 1 <= defaults.course_min_sessions <= MAX_COURSE_SESSIONS:
        problems.append(gettext("A course has at least 1 session and at most %(max)s.") % {"max": MAX_COURSE_SESSIONS})
    elif not 1 <= defaults.course_max_sessions <= MAX_COURSE_SESSIONS:
        problems.append(gettext("A course has at most %(max)s sessions.") % {"max": MAX_COURSE_SESSIONS})
    elif defaults.course_min_sessions > defaults.course_max_sessions:
        problems.append(
            gettext(
                "The minimum of sessions (%(min)s) is above the maximum (%(max)s): the minimum must not exceed "
                "the maximum."
            )
            % {"min": defaults.course_min_sessions, "max": defaults.course_max_sessions}
        )
    if defaults.cadence not in Cadence.values:
        problems.append(gettext("Choose how the sessions are spread: consecutive days, a number per week, or free."))
    elif defaults.cadence == Cadence.PER_WEEK:
        if defaults.sessions_per_week is None or not 1 <= defaults.sessions_per_week <= 7:
            problems.append(gettext("Say how many sessions a week, from 1 to 7."))
    elif defaults.sessions_per_week is not None:
        problems.append(
            gettext("Sessions per week go only with the “a number of sessions per week” cadence; leave it empty.")
        )
    return problems


@transaction.atomic
def modality_create(
    *, name: str, defaults: CourseDefaults, uses_oils: bool = False, description: str = "", active: bool = True
) -> Modality:
    _refuse_if(_modality_problems(name=name, defaults=defaults))
    return Modality.objects.create(
        name=name.strip(), uses_oils=uses_oils, description=description, active=active, **defaults.__dict__
    )


@transaction.atomic
def modality_update(
    *, modality: Modality, name: str, defaults: CourseDefaults, uses_oils: bool, description: str, active: bool
) -> Modality:
    """New defaults apply to courses prescribed from now on: a course keeps the plan it was
    prescribed with, and a booked session its length. An inactive modality is offered for no new
    course; its courses and sessions go on."""
    _refuse_if(_modality_problems(name=name, defaults=defaults, exclude_pk=modality.pk))
    modality.name, modality.uses_oils, modality.description, modality.active = (
        name.strip(),
        uses_oils,
        description,
        active,
    )
    for field, value in defaults.__dict__.items():
        setattr(modality, field, value)
    modality.save()
    return modality


# Working hours ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HoursBlock:
    """One block of a therapist's week, in the clinic's local time, at one site."""

    weekday: int
    starts: dt.time
    ends: dt.time
    location: Location

    def covers(self, session: FutureSession) -> bool:
        start, end = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
        return (
            start.weekday() == self.weekday
            and start.date() == end.date()
            and self.starts <= start.time()
            and end.time() <= self.ends
            and self.location.pk == session.room_location_id
        )


def _hours_problems(therapist: Therapist, blocks: list[HoursBlock]) -> list[str]:
    problems = []
    for block in blocks:
        if block.weekday not in Weekday.values:
            problems.append(gettext("A block is on a day that is not a weekday."))
        elif block.ends <= block.starts:
            span = f"{block.starts:%H:%M}–{block.ends:%H:%M}"
            problems.append(
                gettext("%(day)s %(span)s: a block must end after it starts.")
                % {"day": Weekday(block.weekday).label, "span": span}
            )
    by_day: dict[int, list[HoursBlock]] = {}
    for block in sorted(blocks, key=lambda b: (b.weekday, b.starts)):
        day = by_day.setdefault(block.weekday, [])
        if day and block.starts < day[-1].ends:
            before = day[-1]
            problems.append(
                gettext("%(day)s: %(first)s and %(second)s overlap; leave a gap for a break or make them one block.")
                % {
                    "day": Weekday(block.weekday).label,
                    "first": f"{before.starts:%H:%M}–{before.ends:%H:%M}",
                    "second": f"{block.starts:%H:%M}–{block.ends:%H:%M}",
                }
            )
        day.append(block)
    if problems:
        return problems
    stranded = [s for s in future_sessions(therapist_ids=[therapist.pk]) if not any(b.covers(s) for b in blocks)]
    if stranded:
        lead = ngettext(
            "%(count)d session(s) of %(therapist)s booked ahead would fall outside these hours "
            "(or at another site than their room).",
            "%(count)d session(s) of %(therapist)s booked ahead would fall outside these hours "
            "(or at another site than their room).",
            len(stranded),
        ) % {"count": len(stranded), "therapist": therapist}
        problems.append(affected_reason(lead, stranded))
    return problems


@transaction.atomic
def working_hours_set(*, therapist: Therapist, blocks: Iterable[HoursBlock]) -> list[WorkingHours]:
    """Replace a therapist's week with `blocks`: several on a day leave breaks between them.
    Blocks that stay the same keep their rows, so the audit log shows only what changed."""
    blocks = list(blocks)
    Therapist.objects.select_for_update().filter(pk=therapist.pk).first()
    _refuse_if(_hours_problems(therapist, blocks))
    wanted = {(b.weekday, b.starts, b.ends, b.location.pk): b for b in blocks}
    for row in list(therapist.working_hours.all()):
        if wanted.pop((row.weekday, row.starts, row.ends, row.location_id), None) is None:
            row.delete()
    for block in wanted.values():
        WorkingHours.objects.create(
            therapist=therapist, weekday=block.weekday, starts=block.starts, ends=block.ends, location=block.location
        )
    return list(therapist.working_hours.order_by("weekday", "starts"))


# Closures ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClosureSpec:
    kind: str
    starts_on: dt.date
    ends_on: dt.date
    reason: str
    therapist: Therapist | None = None


def _closure_shape_problems(spec: ClosureSpec) -> list[str]:
    problems = []
    if spec.kind not in ClosureKind.values:
        problems.append(gettext("Choose whether the clinic is closed or open on a public holiday."))
    if not spec.reason.strip():
        problems.append(gettext("Say why: the reason is what the booking pages show."))
    elif len(spec.reason) > 200:
        problems.append(gettext("The reason is too long: 200 characters at most."))
    for day in (spec.starts_on, spec.ends_on):
        if not CLOSURE_WINDOW.contains(day):
            problems.append(CLOSURE_WINDOW.message(day))
    if problems:
        return problems
    if spec.ends_on < spec.starts_on:
        return [gettext("The closure cannot end before it starts.")]
    if spec.kind == ClosureKind.HOLIDAY_OPEN:
        if spec.therapist is not None:
            problems.append(gettext("Only the whole clinic opens on a public holiday; leave the therapist empty."))
        elif not public_holidays(spec.starts_on, spec.ends_on):
            problems.append(gettext("No public holiday falls on these days, so there is nothing to open."))
    return problems


def _sessions_on(days: set[dt.date], therapist: Therapist | None) -> list[FutureSession]:
    if not days:
        return []
    ahead = future_sessions(therapist_ids=[therapist.pk] if therapist else None, starts_on=min(days), ends_on=max(days))
    return [s for s in ahead if s.local_day in days]


def _days(starts_on: dt.date, ends_on: dt.date) -> set[dt.date]:
    return {starts_on + dt.timedelta(days=n) for n in range((ends_on - starts_on).days + 1)}


def _closed_days(spec: ClosureSpec | Closure) -> set[dt.date]:
    """The days a closure closes (nothing for an "open on a public holiday" row)."""
    return set() if spec.kind == ClosureKind.HOLIDAY_OPEN else _days(spec.starts_on, spec.ends_on)


def _reopened_holidays(spec: ClosureSpec | Closure, exclude_pk: int | None) -> set[dt.date]:
    """The public holidays an "open on a public holiday" row opens that no other such row does."""
    if spec.kind != ClosureKind.HOLIDAY_OPEN:
        return set()
    others = list(
        Closure.objects.filter(
            kind=ClosureKind.HOLIDAY_OPEN, starts_on__lte=spec.ends_on, ends_on__gte=spec.starts_on
        ).exclude(pk=exclude_pk)
    )
    return {
        day
        for day in public_holidays(spec.starts_on, spec.ends_on)
        if not any(other.starts_on <= day <= other.ends_on for other in others)
    }


def _closing_problems(days: set[dt.date], therapist: Therapist | None) -> list[str]:
    stranded = _sessions_on(days, therapist)
    if not stranded:
        return []
    span = f"{date_format(min(days), gettext('j M Y'))}–{date_format(max(days), gettext('j M Y'))}"
    values = {"therapist": therapist, "count": len(stranded), "span": span}
    if therapist:
        lead = ngettext(
            "%(therapist)s has %(count)d session(s) booked on the days this closes (%(span)s).",
            "%(therapist)s has %(count)d session(s) booked on the days this closes (%(span)s).",
            len(stranded),
        )
    else:
        lead = ngettext(
            "The clinic has %(count)d session(s) booked on the days this closes (%(span)s).",
            "The clinic has %(count)d session(s) booked on the days this closes (%(span)s).",
            len(stranded),
        )
    return [affected_reason(lead % values, stranded)]


@transaction.atomic
def closure_create(*, spec: ClosureSpec) -> Closure:
    """A closed day or days, of the clinic or one therapist; or the clinic open on the public
    holidays in a span. Closing days that have sessions booked is refused, with those sessions."""
    problems = _closure_shape_problems(spec)
    if not problems:
        problems = _closing_problems(_closed_days(spec), spec.therapist)
    _refuse_if(problems)
    return Closure.objects.create(**spec.__dict__ | {"reason": spec.reason.strip()})


@transaction.atomic
def closure_update(*, closure: Closure, spec: ClosureSpec) -> Closure:
    problems = _closure_shape_problems(spec)
    if not problems:
        # What the change closes that was open: the new closed days less the old ones (same
        # person), and the holidays the old row opened that the new one does not.
        newly_closed = _closed_days(spec)
        if closure.therapist_id == (spec.therapist.pk if spec.therapist else None):
            newly_closed -= _closed_days(closure)
        reclosed = _reopened_holidays(closure, closure.pk) - _reopened_holidays(spec, closure.pk)
        problems = _closing_problems(newly_closed, spec.therapist) + _closing_problems(reclosed, None)
    _refuse_if(problems)
    for field, value in spec.__dict__.items():
        setattr(closure, field, value)
    closure.reason = spec.reason.strip()
    closure.save()
    return closure


@transaction.atomic
def closure_delete(*, closure: Closure) -> None:
    """Removing a closure opens its days again, always possible; removing an "open on a public
    holiday" row closes those holidays again, refused while sessions are booked on them."""
    _refuse_if(_closing_problems(_reopened_holidays(closure, closure.pk), None))
    closure.delete()
