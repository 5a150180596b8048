"""The schedule's version over a span of days: one token for every session and held offer that
may take time in the span, so that what a search of the span finds (the availability JSON) can be
kept while nothing in the span is written.

A database trigger on the sessions and the offers adds a row to a log for the UTC day the written
row starts on, before and after, in the writing transaction, whatever writes (the app, the admin,
SQL by hand; clinic/migrations/_frozen.py, LogScheduleDays). Rows are only ever added, so the
rows of a span only grow, and each committed write to the span adds at least one: two readings
with as many rows saw the same span. A token read before the span is searched therefore names a
state no newer than what the search sees, and a later write gives the next reader another token.

Adding rows instead of changing one row per day (as the record version does per patient) keeps
two bookings of the same day from queueing on one row, and keeps a transaction that moves
sessions across days from waiting for another that moves them the other way. The log grows by a
row or two per write of a session, about 60 bytes each."""

import datetime as dt

from django.db import router

from clinic.setup_cache import with_setup_token
from sessions.models import Appointment, ScheduleChange
from sessions.schedule import LONGEST_SESSION, busy_window

_TOKEN_SQL = (
    f'SELECT COUNT(*), COALESCE(SUM(nonce), 0) FROM "{ScheduleChange._meta.db_table}" WHERE day >= %s AND day <= %s'
)


def schedule_token(starts_on: dt.date, ends_on: dt.date) -> str:
    """The version of everything a schedule of the local days from `starts_on` to `ends_on`
    (sessions.schedule.Schedule.load) reads of the sessions and offers, on the database it reads
    them from (with the set-up's token in the same statement, clinic.setup_cache.with_setup_token)."""
    window_start, window_end = busy_window(starts_on, ends_on)
    first, last = (moment.astimezone(dt.UTC).date() for moment in (window_start - LONGEST_SESSION, window_end))
    count, nonces = with_setup_token(router.db_for_read(Appointment), _TOKEN_SQL, [first, last])
    return f"{count}:{nonces}"
