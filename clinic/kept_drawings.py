"""Drawings of pages from one patient's record, shared by every app process through the database.

Each process keeps its own drawings (pages.kept_pages), so without a shared copy every worker of
every app server draws each state of a chart once for itself: four workers, four drawings of
the same chart, each costing several times what serving a kept one does. Here a drawing made by
one process is found by the others, under the same rule as their own: only for the same slot
(page, patient, reader, language, time zone, CSRF secret), only under the version tokens it was
drawn at, and only until the moment it said it stops holding. The tokens are read from the
database before the drawing, so a shared drawing is exactly as current as a process's own.

The table is a cache (clinic.models.KeptDrawing, unlogged on PostgreSQL): one row per slot, a
new drawing replacing the old; rows past their time are deleted as new ones are written (every
drawing stops holding by the next midnight at the latest), and a patient's erasure deletes the
patient's rows at once. Everything here runs on the primary database: the replica has no copy of
an unlogged table.
"""

import datetime as dt
import functools

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.crypto import salted_hmac

from clinic.models import KeptDrawing

_DB = DEFAULT_DB_ALIAS
# Expired rows deleted with each new drawing: enough to keep up with the writes, few enough that
# the first drawings after midnight do not each carry a whole day's clean-up.
_EXPIRED_DELETED_PER_WRITE = 20


def _slot_key(slot: tuple) -> str:
    # An HMAC rather than the slot itself: the slot holds the reader's CSRF secret.
    return salted_hmac("clinic.kept_drawings", repr(slot), algorithm="sha256").hexdigest()


@functools.cache
def _sql() -> dict[str, str]:
    table = KeptDrawing._meta.db_table
    return {
        "find": f"SELECT slot, html, drawn_at, until FROM {table}"
        " WHERE slot = %s AND versions = %s AND drawn_at <= %s AND until > %s",
        "write": f"INSERT INTO {table} (slot, patient_id, versions, drawn_at, until, html)"
        " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (slot) DO UPDATE SET patient_id = excluded.patient_id,"
        " versions = excluded.versions, drawn_at = excluded.drawn_at, until = excluded.until, html = excluded.html",
        "expired": f"DELETE FROM {table} WHERE slot IN (SELECT slot FROM {table} WHERE until <= %s LIMIT %s)",
    }


def _moment(value: dt.datetime):
    return connections[_DB].ops.adapt_datetimefield_value(value)


def drawing_shared(slot: tuple, versions: tuple, now: dt.datetime) -> KeptDrawing | None:
    """What another process drew for `slot` under `versions`, if it still holds at `now` (its
    `html`, `drawn_at` and `until`); None otherwise."""
    params = [_slot_key(slot), repr(versions), _moment(now), _moment(now)]
    return next(iter(KeptDrawing.objects.using(_DB).raw(_sql()["find"], params)), None)


def drawing_share(
    slot: tuple, versions: tuple, html: str, *, patient_id: int, drawn: dt.datetime, until: dt.datetime
) -> None:
    """Shares the HTML drawn for `slot` under `versions` at `drawn`, holding until `until`, from
    the record of patient `patient_id`, replacing the slot's earlier drawing."""
    with connections[_DB].cursor() as cursor:
        cursor.execute(
            _sql()["write"],
            [_slot_key(slot), patient_id, repr(versions), _moment(drawn), _moment(until), str(html)],
        )
        cursor.execute(_sql()["expired"], [_moment(drawn), _EXPIRED_DELETED_PER_WRITE])


def drawings_of_patient_forget(patient_id: int) -> None:
    """Deletes every shared drawing of the patient's record (their erasure)."""
    KeptDrawing.objects.using(_DB).filter(patient_id=patient_id).delete()
