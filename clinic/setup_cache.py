"""The clinic's set-up read once per change instead of on every request: who is qualified for
what, the rooms, the working hours, the contraindication rules, the consent topics.

Every booking page and availability search read those same rows again: a few milliseconds of
queries each, for data a manager changes a few times a month (docs/PERFORMANCE.md). Here a
process keeps what it read under the set-up's **version token**, a random value in the one row
of clinic_setupversion. A database trigger on every set-up table gives that row a new token on
any write, whatever writes (the app, the admin, a migration, SQL typed by hand), in the writing
transaction (clinic/migrations/0008, with WatchSetupTable of clinic/migrations/_frozen.py). So:

- A token names one state of the set-up: a random token never comes back, not even after a
  rolled-back write (a counter would, with other data behind it in another process).
- What is kept under a token is read after the token, from the same database, so it is never
  older than the token says. Reads that may lag go to the replica for both.
- With no row (a test database just flushed), nothing is kept: every read goes to the database.
- Within a request the token is read once, on the first set-up read, and forgotten at the
  request's end and whenever the request itself saves or deletes a row (the signals below): a
  request sees one state of the set-up, and its own changes.

What is kept is shared by every request of the process: a value must not be changed by its
reader. Model instances are handed out as copies (`copies`)."""

import threading
from collections.abc import Callable, Iterable

from asgiref.local import Local
from django.core.signals import request_finished, request_started
from django.db import connections, router
from django.db.models.base import ModelState
from django.db.models.signals import m2m_changed, post_delete, post_save

from clinic.models import SetupVersion

_MISSING = object()
_TOKEN_SQL = f'SELECT token FROM "{SetupVersion._meta.db_table}" WHERE id = 1'

# What is kept of a therapist: the therapist, and of the user the columns whose change gives a
# new token (clinic/migrations/0008); the rest is read when asked for.
THERAPIST_FIELDS = ("active", "calendar_colour", "user__username", "user__first_name", "user__last_name")


class _Kept:
    """The values kept for one token; the newest token's only (an older one never returns)."""

    def __init__(self) -> None:
        self.token: str | None = None
        self.values: dict = {}
        self.lock = threading.Lock()

    def get(self, token: str, key, build: Callable):
        with self.lock:
            if self.token == token:
                value = self.values.get(key, _MISSING)
                if value is not _MISSING:
                    return value
        value = build()
        with self.lock:
            if self.token != token:
                self.token, self.values = token, {}
            self.values[key] = value
        return value


_kept = _Kept()
# The token read by the current request, per database: {alias: token or None}.
_request = Local()


def setup_token(using: str) -> str | None:
    """The set-up's version token on database `using`: read once per request (see the module)."""
    tokens = getattr(_request, "tokens", None)
    if tokens is not None and using in tokens:
        return tokens[using]
    with connections[using].cursor() as cursor:
        cursor.execute(_TOKEN_SQL)
        row = cursor.fetchone()
    token = row[0] if row else None
    if tokens is not None:
        tokens[using] = token
    return token


def with_setup_token(using: str, sql: str, params: list) -> tuple | None:
    """The row `sql` reads on database `using` (one row at most; None without one), read in one
    statement with the set-up's token when this request has not read that yet: setup_token then
    finds it. A kept page asks for its own version and the set-up's on every look, and this makes
    that one round trip instead of two. Outside a request the statement is `sql` alone."""
    tokens = getattr(_request, "tokens", None)
    both = tokens is not None and using not in tokens
    if both:
        # A LEFT JOIN: the token comes back even when `sql` finds no row.
        sql = f"SELECT ({_TOKEN_SQL}), q.* FROM (SELECT 1) AS one LEFT JOIN ({sql}) AS q ON 1 = 1"
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if both:
        tokens[using], row = row[0], row[1:]
        # The columns `sql` reads are never all NULL in a row it finds.
        row = None if all(value is None for value in row) else row
    return row


def setup_cached(key, build: Callable[[str], object], *, model):
    """What `build(using)` reads, kept while the set-up does not change: `using` is the database
    the router gives for reading `model`, where the token is read too. `key` names the value
    (with what it depends on: ("suited rooms", modality id)). `build` reads the set-up tables only
    (tests/clinic/test_setup_cache.py holds every builder to it)."""
    using = router.db_for_read(model)
    token = setup_token(using)
    if token is None:
        return build(using)
    return _kept.get(token, key, lambda: build(using))


def copies(instances: Iterable) -> list:
    """Copies of kept model instances for one reader, with the related instances loaded through
    select_related copied too: a reader may set attributes on what it is given."""
    return [_copy(instance, {}) for instance in instances]


def _copy(instance, made: dict):
    """What copy.copy makes of a model instance, at a fraction of the cost (it goes through
    pickling's __reduce_ex__, about 20 microseconds an instance: sixty therapists with their
    users are a few milliseconds a page). Related instances are copied once (a therapist's user
    refers back to the therapist): `made` holds the copies made so far."""
    mine = made[id(instance)] = object.__new__(type(instance))
    mine.__dict__.update(instance.__dict__)
    state = mine._state = ModelState()
    state.db, state.adding = instance._state.db, instance._state.adding
    related = instance._state.__dict__.get("fields_cache")
    if related:
        state.fields_cache = {
            name: other if other is None else made.get(id(other)) or _copy(other, made)
            for name, other in related.items()
        }
    return mine


def _request_begins(**kwargs) -> None:
    _request.tokens = {}


def _request_ends(**kwargs) -> None:
    _request.tokens = None


def _request_wrote(**kwargs) -> None:
    """A request that writes reads the token again on its next set-up read: if it changed the
    set-up, the trigger has given its transaction a new token."""
    tokens = getattr(_request, "tokens", None)
    if tokens:
        tokens.clear()


request_started.connect(_request_begins, dispatch_uid="setup_cache_request_begins")
request_finished.connect(_request_ends, dispatch_uid="setup_cache_request_ends")
post_save.connect(_request_wrote, dispatch_uid="setup_cache_request_saved")
post_delete.connect(_request_wrote, dispatch_uid="setup_cache_request_deleted")
m2m_changed.connect(_request_wrote, dispatch_uid="setup_cache_request_linked")
