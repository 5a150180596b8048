"""Pages drawn from one patient's record, kept by each process while the record, the clinic's
set-up and the clock leave them as they are: the chart, drawn again for every look, costs a few
dozen milliseconds of queries and rendering (docs/PERFORMANCE.md, fifteenth round).

A page is kept under a key that holds everything it shows and depends on:
- the record's version token (patients/record_version.py) and the set-up's (clinic/setup_cache.py),
  each read **before** the page is drawn, so a page is never older than its key says;
- the reader (their role, their own drafts), the language and the time zone;
- the reader's CSRF secret: the page's forms carry a token made from it.
And it is dropped at the moment its drawing said it would read differently with no write
(`record_steady_until`: midnight, a phase dated ahead).

The caller checks access and writes the audit log before asking: every look is logged, kept page
or not. Only the part of the page drawn from the record is kept: the frame around it (the
navigation, messages) is drawn every time."""

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable

from django.conf import settings
from django.db import router
from django.utils import timezone, translation

from clinic.setup_cache import setup_token
from patients.models import Patient
from patients.record_version import record_token


class _Kept:
    """The pages of one process, the least recently read dropped first beyond the limit."""

    def __init__(self) -> None:
        self.pages: OrderedDict[tuple, tuple[str, dt.datetime, dt.datetime]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple, now: dt.datetime) -> str | None:
        with self.lock:
            kept = self.pages.get(key)
            if kept is None:
                return None
            html, drawn, until = kept
            if not drawn <= now < until:  # a clock set back (a test's) must not see a later page
                del self.pages[key]
                return None
            self.pages.move_to_end(key)
            return html

    def put(self, key: tuple, html: str, drawn: dt.datetime, until: dt.datetime, limit: int) -> None:
        with self.lock:
            self.pages[key] = (html, drawn, until)
            self.pages.move_to_end(key)
            while len(self.pages) > limit:
                self.pages.popitem(last=False)


_kept = _Kept()


def _key(request, name: str, patient: Patient) -> tuple | None:
    """What the page of `patient` named `name` depends on, or None when it cannot be kept."""
    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        return None  # the page makes the reader's first CSRF secret: nothing to match it with yet
    record = record_token(patient)
    setup = setup_token(router.db_for_read(Patient))
    if record is None or setup is None:
        return None
    language, zone = translation.get_language(), timezone.get_current_timezone_name()
    return (name, patient.pk, record, setup, request.user.pk, language, zone, secret)


def record_page(request, name: str, patient: Patient, draw: Callable[[], tuple[str, dt.datetime]]) -> str:
    """The part of page `name` drawn from `patient`'s record: kept, or `draw()`n and kept.
    `draw` returns the HTML and the moment it stops holding (patients.record_version
    .record_steady_until)."""
    limit = settings.CLINIC_KEPT_PAGES
    key = _key(request, name, patient) if limit else None
    if key is None:
        return draw()[0]
    now = timezone.now()
    html = _kept.get(key, now)
    if html is None:
        html, until = draw()
        _kept.put(key, html, now, until, limit)
    return html
