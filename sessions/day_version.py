"""A day's version: one token for the sessions of a day and the records of their patients, so that
a page drawn from the day (reception's day board) can be kept while the day stays the same.

It is read off the sessions that start on the day, whatever their status, each with its patient's
record version (patients/record_version.py), which a trigger changes on every write to a session
and to anything else of its patient's record. So a session booked onto the day, moved off it,
cancelled or checked in, or a change to the record of a patient seen that day (a phase, a flag, a
consent signed) gives the day a new token, in the writing transaction."""

import datetime as dt
import hashlib

from django.db import connections, router

from clinic.setup_cache import with_setup_token
from patients.models import RecordVersion
from sessions.models import Appointment
from sessions.schedule import at_local


def day_token(day: dt.date) -> str | None:
    """The day's version on the database its sessions are read from; None when a session's
    patient has no record version (a test database just emptied): nothing may be kept under None.
    The set-up's token comes in the same statement (clinic.setup_cache.with_setup_token)."""
    using = router.db_for_read(Appointment)
    connection = connections[using]
    sessions, versions = (connection.ops.quote_name(model._meta.db_table) for model in (Appointment, RecordVersion))
    # Each session with its patient's token, joined in the database: a day's hundreds of rows
    # would cost more to turn into Python objects than the board's kept look itself.
    sql = (
        f"SELECT CAST(a.id AS TEXT) || ':' || v.token AS item, v.token FROM {sessions} a"
        f" LEFT JOIN {versions} v ON v.patient_id = a.patient_id WHERE a.starts_at >= %s AND a.starts_at < %s"
    )
    if connection.vendor == "postgresql":
        sql = f"SELECT COUNT(*) - COUNT(token), md5(string_agg(item, ';' ORDER BY item)) FROM ({sql}) AS day"
    else:  # SQLite's group_concat takes no order of its own (another order would only cost a redraw)
        sql = f"SELECT COUNT(*) - COUNT(token), group_concat(item, ';') FROM ({sql} ORDER BY a.id) AS day"
    moments = [at_local(day, dt.time.min), at_local(day + dt.timedelta(days=1), dt.time.min)]
    missing, joined = with_setup_token(using, sql, [connection.ops.adapt_datetimefield_value(m) for m in moments])
    if missing:
        return None
    return hashlib.sha256((joined or "").encode()).hexdigest()
