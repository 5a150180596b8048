"""Reads that may lag a second go to the streaming replica; everything else reads the primary.

With DATABASE_REPLICA_URL set, clinic/settings.py adds the database alias `replica` and installs
`ReplicaRouter`. A read goes to the replica only when all four hold:

1. the code said it may lag: inside `reads_may_lag()`, or a GET (or HEAD) of a view decorated
   with `@view_reads_may_lag`. Nothing else does, so a new page or service reads the primary
   until someone decides otherwise;
2. no transaction is open on the primary. A service checks and then writes inside
   `transaction.atomic` (booking, cancelling, signing...): its checks must see the rows it is
   about to change, and a transaction reads its own writes. So a service called from a lagging
   page still reads the primary;
3. the block has not written the clinic's data yet: after a write, what was written is read back
   from where it was written (the replica may not have it yet), commit hooks included. Django
   also asks for the write database when an object is linked to an unsaved one (a draft the
   booking checks look at); that counts as a write too, on the safe side;
4. the model is the clinic's own data (`MAY_LAG_APPS`), not who is logged in, which groups they
   are in, whether they are locked out, or which tokens and devices they hold: a log-out, a
   lockout or a role taken away holds on the next request, on every server.

Every write goes to the primary; the replica is read-only anyway. Which pages may lag, and why
those, is written in docs/ARCHITECTURE.md ("The read replica").
"""

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from functools import wraps

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
# The domain's apps (clinic, patients, outcomes, treatment sessions). Not auth, sessions, axes,
# django-otp, the API's tokens, the audit log or content types: those stay on the primary.
MAY_LAG_APPS = frozenset({"clinic", "patients", "outcomes", "treatment_sessions"})
# Only what is read to show it: a POST (or any other write method) of the same view reads the primary.
LAGGING_METHODS = frozenset({"GET", "HEAD"})


class _Block:
    """One `reads_may_lag()` block: whether it has written the clinic's data yet."""

    __slots__ = ("wrote",)

    def __init__(self) -> None:
        self.wrote = False


# A context variable, so each request (thread or task) has its own.
_block: contextvars.ContextVar[_Block | None] = contextvars.ContextVar("reads_may_lag", default=None)


@contextmanager
def reads_may_lag() -> Iterator[None]:
    """Within this block, reads outside a transaction may come from the replica, a second or so
    behind the primary. For what is only shown (a report, a list, free times to browse), never
    for what a decision or a write depends on. Inside another block it is that block."""
    if _block.get() is not None:
        yield
        return
    token = _block.set(_Block())
    try:
        yield
    finally:
        _block.reset(token)


def view_reads_may_lag(view):
    """A view whose GET and HEAD run under `reads_may_lag()`; any other method reads the
    primary. Put it below the role check, which then reads the primary too."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in LAGGING_METHODS:
            return view(request, *args, **kwargs)
        with reads_may_lag():
            return view(request, *args, **kwargs)

    # The decorators above copy it (functools.wraps), so the URL's view says it: tests list them.
    wrapper.reads_may_lag = True
    return wrapper


def lagging_reads_allowed() -> bool:
    """Whether a read of the clinic's data now may come from the replica (rules 1 to 3 above)."""
    block = _block.get()
    return block is not None and not block.wrote and not connections[DEFAULT_DB_ALIAS].in_atomic_block


class ReplicaRouter:
    """Installed by clinic/settings.py only when the replica alias exists. Answers the primary
    explicitly rather than None, so that outside `reads_may_lag()` an object read from the replica
    does not pull its related rows from there (Django's fallback follows the instance's database)."""

    def db_for_read(self, model, **hints) -> str:
        if model._meta.app_label in MAY_LAG_APPS and lagging_reads_allowed():
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints) -> str:
        block = _block.get()
        if block is not None and model._meta.app_label in MAY_LAG_APPS:
            block.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # Both aliases hold the same database: a row read from the replica may be linked to one
        # read from the primary (and is saved to the primary).
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        # The replica copies the primary's schema by streaming; nothing migrates it.
        return db == DEFAULT_DB_ALIAS
