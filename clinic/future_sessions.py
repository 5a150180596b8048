"""The booked sessions ahead, as the clinic's editors need to see them.

The clinic sits below the treatment domain (docs/ARCHITECTURE.md), so it cannot import the
appointments. Yet deactivating a therapist, taking away a qualification, a room or a block of
hours, or closing a day must not strand a session that is already booked on it. The clinic
therefore states what it needs (a `FutureSession`: who, where, what, when) and the sessions app
plugs in the source when it starts (`sessions.apps` → `sessions.clinic_source`). Without a source
(the clinic on its own, in a migration) there are no sessions to protect.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext, ngettext


@dataclass(frozen=True)
class FutureSession:
    """A session booked or checked in that has not ended yet."""

    pk: int
    therapist_id: int
    room_id: int
    room_location_id: int
    modality_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    label: str  # "Mon 3 Mar 09:00 Maria Lopez with Anna Kuhn in Room Linden"

    @property
    def local_day(self) -> dt.date:
        return timezone.localtime(self.starts_at).date()


@dataclass(frozen=True)
class Wanted:
    """Which sessions ahead a change asks about: those of these therapists or rooms (every one
    when both are None), between these local days when given."""

    therapist_ids: list[int] | None = None
    room_ids: list[int] | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None


Source = Callable[[Wanted], list[FutureSession]]
_source: list[Source] = []


def future_sessions_source_set(source: Source) -> None:
    _source[:] = [source]


def future_sessions(
    *,
    therapist_ids: list[int] | None = None,
    room_ids: list[int] | None = None,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
) -> list[FutureSession]:
    if not _source:
        return []
    return _source[0](Wanted(therapist_ids=therapist_ids, room_ids=room_ids, starts_on=starts_on, ends_on=ends_on))


def session_when(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{date_format(local, gettext('D j M Y'))} {time_format(local, 'H:i')}"


LIST_AT_MOST = 10


def affected_reason(lead: str, sessions: list[FutureSession]) -> str:
    """One sentence: what the change would strand, then the sessions (the first ten, and how many
    more), so the manager knows which to move or cancel first."""
    shown = "; ".join(session.label for session in sessions[:LIST_AT_MOST])
    if len(sessions) > LIST_AT_MOST:
        more = len(sessions) - LIST_AT_MOST
        return ngettext(
            "%(lead)s Move or cancel them first: %(sessions)s; and %(more)d more.",
            "%(lead)s Move or cancel them first: %(sessions)s; and %(more)d more.",
            more,
        ) % {"lead": lead, "sessions": shown, "more": more}
    return gettext("%(lead)s Move or cancel them first: %(sessions)s.") % {"lead": lead, "sessions": shown}
