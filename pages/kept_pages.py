"""Pages, or the costly part of them, kept by each process while what they are drawn from and the
clock leave them as they are: the chart and the portal's home, drawn from a dozen tables of one
patient's record, and the day board, from hundreds of sessions and their patients' records
(docs/PERFORMANCE.md, fifteenth round).

A drawing is kept for a **slot**, what it is asked for: the page and its address (the patient, or
the board's day, columns and site), the language and the time zone, and for a patient's page the
reader (a therapist's own drafts) with their CSRF secret (the chart's forms carry a token made
from it). It is served only under the **versions** it was drawn at, the tokens of what it is
drawn from, each read **before** the drawing so a drawing is never older than its versions say:
a patient's record (patients/record_version.py) or a day's sessions with their patients' records
(sessions/day_version.py), and the clinic's set-up (clinic/setup_cache.py). A new drawing
replaces its slot's stale one. And it is not served from the moment the drawing said it would
read differently with no write: the next local midnight, a phase dated ahead, a session's end, an
offer's hold, the board's next quarter hour or session start.

A drawing from a patient's record (the chart, the portal's home) is shared with the app's other
processes through the database (clinic/kept_drawings.py), under the same slot, versions and
clock: a process that has not kept it looks there before drawing it.

The callers check access and write the audit log before asking: every look is logged, kept or
not. Only what is drawn from the record or the day is kept, and every page's top bar, for its
reader and address: the rest of the frame (messages, counts of the whole clinic) is drawn every
time."""

import datetime as dt
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.db import router
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from clinic import kept_drawings
from clinic.setup_cache import setup_token
from patients.models import Patient
from patients.record_version import record_token
from sessions.day_version import day_token
from sessions.models import Appointment
from sessions.schedule_version import schedule_token

T = TypeVar("T")


class _Kept:
    """The drawings of one process: one per slot (what the address and the reader ask for), under
    the versions it was drawn at, so that a new drawing replaces its stale one at once; beyond the
    budget of bytes, the least recently read slots are dropped first."""

    def __init__(self) -> None:
        self.drawings: OrderedDict[tuple, tuple[tuple, object, dt.datetime, dt.datetime, int]] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, slot: tuple, versions: tuple, now: dt.datetime):
        with self.lock:
            kept = self.drawings.get(slot)
            if kept is None:
                return None
            kept_versions, value, drawn, until, _ = kept
            # A clock set back (a test's) must not see a later drawing either.
            if kept_versions != versions or not drawn <= now < until:
                return None
            self.drawings.move_to_end(slot)
            return value

    def put(self, slot: tuple, versions: tuple, value, drawn: dt.datetime, until: dt.datetime, size: int) -> None:
        budget = settings.CLINIC_KEPT_PAGES_MB * 1024 * 1024
        with self.lock:
            stale = self.drawings.pop(slot, None)
            self.size -= stale[4] if stale else 0
            if size > budget:
                return
            self.drawings[slot] = (versions, value, drawn, until, size)
            self.size += size
            while self.size > budget:
                self.size -= self.drawings.popitem(last=False)[1][4]


_kept = _Kept()


def _kept_or_drawn(
    slot: tuple,
    versions: Callable[[], tuple | None],
    draw: Callable[[], tuple[T, dt.datetime]],
    size: Callable[[T], int],
    *,
    shared_for: int | None = None,
) -> T:
    """What `draw()` returns (its value, and the moment it stops holding), kept for `slot` under
    `versions()`: None when it cannot be kept (a version token missing). `size`: the bytes the
    value holds, counted against CLINIC_KEPT_PAGES_MB. With `shared_for` (the patient whose
    record an HTML drawing shows), the drawing is shared with the other processes too
    (clinic.kept_drawings): one not kept here is looked for there before it is drawn."""
    known = versions() if settings.CLINIC_KEPT_PAGES_MB else None
    if known is None:
        return draw()[0]
    now = timezone.now()
    value = _kept.get(slot, known, now)
    if value is not None:
        return value
    shared = kept_drawings.drawing_shared(slot, known, now) if shared_for is not None else None
    if shared is not None:
        # Drawn from our own templates by another process of this app, under the same versions.
        value, drawn, until = mark_safe(shared.html), shared.drawn_at, shared.until
    else:
        value, until = draw()
        drawn = now
        if shared_for is not None:
            kept_drawings.drawing_share(slot, known, value, patient_id=shared_for, drawn=now, until=until)
    _kept.put(slot, known, value, drawn, until, size(value))
    return value


def _reading() -> tuple[str, str]:
    return translation.get_language(), timezone.get_current_timezone_name()


def record_page(request, name: str, patient: Patient, draw: Callable[[Patient], tuple[str, dt.datetime]]) -> str:
    """The part of page `name` drawn from `patient`'s record (HTML with the reader's forms), kept
    or drawn. `draw` is given the patient's row read again after the tokens (the caller's was read
    before them, and a drawing must be no older than its versions); it returns the HTML and the
    moment it stops holding (patients.record_version.record_steady_until)."""

    def draw_again() -> tuple[str, dt.datetime]:
        return draw(Patient.objects.get(pk=patient.pk))

    # Without a CSRF secret the drawing makes the reader's first one: nothing to match it with yet.
    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        return draw_again()[0]

    def versions() -> tuple | None:
        record, setup = record_token(patient), setup_token(router.db_for_read(Patient))
        return None if record is None or setup is None else (record, setup)

    slot = (name, patient.pk, request.user.pk, *_reading(), secret)
    return _kept_or_drawn(slot, versions, draw_again, sys.getsizeof, shared_for=patient.pk)


def day_page(
    name: str, day: dt.date, asked: tuple, draw: Callable[[], tuple[T, dt.datetime]], size: Callable[[T], int]
) -> T:
    """What page `name` draws from the sessions of `day` (no reader's own data, no form token),
    for what its address `asked`, kept or drawn. `draw` returns it and the moment it stops
    holding; `size` the bytes it holds."""

    def versions() -> tuple | None:
        sessions, setup = day_token(day), setup_token(router.db_for_read(Appointment))
        return None if sessions is None or setup is None else (sessions, setup)

    return _kept_or_drawn((name, day, *asked, *_reading()), versions, draw, size)


def schedule_answer(
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    asked: tuple,
    draw: Callable[[], tuple[T, dt.datetime]],
    size: Callable[[T], int],
) -> T:
    """What `name` finds in the schedule of the days from `starts_on` to `ends_on` (a search of
    free time: the sessions and held offers of those days and the set-up, nobody's record), for
    what its address `asked`, kept or drawn. `draw` returns it and the moment it stops holding;
    `size` the bytes it holds."""

    def versions() -> tuple | None:
        schedule, setup = schedule_token(starts_on, ends_on), setup_token(router.db_for_read(Appointment))
        return None if setup is None else (schedule, setup)

    return _kept_or_drawn((name, starts_on, ends_on, *asked, *_reading()), versions, draw, size)


# A drawing of the top bar holds until it is dropped for room: nothing it shows changes by the clock.
_NEVER = dt.datetime.max.replace(tzinfo=dt.UTC)


def top_bar(request, reader: tuple, draw: Callable[[], str]) -> str:
    """The page's top bar (the navigation, the reader's menu, the log-out and language forms),
    kept or drawn. It shows who the reader is, `reader` (their name, roles and staff status,
    what `draw` reads of them), and the page's address, the language and the forms' CSRF token;
    nothing of anyone's record, so no version to read."""
    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        return draw()
    slot = ("top bar", request.user.pk, request.path, *reader, *_reading(), secret)
    return _kept_or_drawn(slot, tuple, lambda: (draw(), _NEVER), sys.getsizeof)
