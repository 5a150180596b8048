"""Independent read-only queries run side by side, each on a database connection of its own, so a
page made of several heavy ones (the year's reports) waits for the longest, not for their sum.

Only on PostgreSQL, where each connection is a server process of its own, and only outside a
transaction: rows a transaction has written but not committed are invisible to other connections
(a test's, a service's). Anywhere else, or with CLINIC_READ_THREADS=1, the jobs run one after the
other in the caller's thread.

Each job runs in the caller's language and time zone, and reads from where the caller would (a
copy of its context says whether its reads may lag, clinic.replica). The threads live as long as
the process and keep their connections as a request thread does (CONN_MAX_AGE, checked before and
after each job): a new connection costs PostgreSQL the catalogue reads of its first queries, about
90 ms over the six reports at full scale (docs/PERFORMANCE.md, "Eleventh round")."""

import contextvars
import datetime as dt
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from typing import TypeVar

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils import timezone, translation

T = TypeVar("T")

_pool: ThreadPoolExecutor | None = None
_threads = 0
_pool_lock = threading.Lock()
_THREAD_NAME = "side-by-side"


def _executor() -> ThreadPoolExecutor:
    """The process's threads, started on first use: in each app server process, after any fork."""
    global _pool, _threads
    with _pool_lock:
        if _pool is None:
            _threads = settings.CLINIC_READ_THREADS
            _pool = ThreadPoolExecutor(max_workers=_threads, thread_name_prefix=_THREAD_NAME)
        return _pool


def _on_own_connection(
    job: Callable[[], T], within: Callable[[], AbstractContextManager], language: str | None, zone: dt.tzinfo
) -> T:
    close_old_connections()
    try:
        with translation.override(language), timezone.override(zone), within():
            return job()
    finally:
        close_old_connections()


def side_by_side(
    jobs: dict[str, Callable[[], T]], *, using: str, within: Callable[[], AbstractContextManager] = nullcontext
) -> dict[str, T]:
    """Each job's result under its name, the jobs run side by side when `using` (the alias they
    read) is PostgreSQL and no transaction is open in this thread; each inside `within()` (one for
    all of them when they run one after the other). A job's exception is raised here."""
    in_transaction = any(connection.in_atomic_block for connection in connections.all(initialized_only=True))
    # A job that asked for jobs of its own would wait for a thread held by itself or its siblings.
    in_a_job = threading.current_thread().name.startswith(_THREAD_NAME)
    if settings.CLINIC_READ_THREADS < 2 or connections[using].vendor != "postgresql" or in_transaction or in_a_job:
        with within():
            return {name: job() for name, job in jobs.items()}
    pool = _executor()
    # Django keeps the language and the time zone per thread, so they are handed over; the
    # replica's block is a context variable, carried by the copy of the context.
    language, zone = translation.get_language(), timezone.get_current_timezone()
    futures = {
        name: pool.submit(contextvars.copy_context().run, _on_own_connection, job, within, language, zone)
        for name, job in jobs.items()
    }
    return {name: future.result() for name, future in futures.items()}


def stop() -> None:
    """Close every thread's connection and end the threads (a test that ran jobs side by side
    calls it, so that the test database can be dropped). Each thread runs exactly one closing job:
    they all wait at a barrier until every thread holds one."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is None:
        return
    barrier = threading.Barrier(_threads)

    def close() -> None:
        barrier.wait(timeout=30)
        connections.close_all()

    for future in [pool.submit(close) for _ in range(_threads)]:
        future.result()
    pool.shutdown(wait=True)
