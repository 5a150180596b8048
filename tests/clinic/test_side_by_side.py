"""Read-only jobs side by side (clinic.side_by_side): on PostgreSQL, outside a transaction, each
on a connection of its own, in the caller's language, time zone and replica routing; otherwise
one after the other in the caller's thread. The reports page's tables come out the same either way."""

import datetime as dt
import threading
import zoneinfo
from contextlib import contextmanager

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone, translation

from clinic import side_by_side as module
from clinic.replica import lagging_reads_allowed, reads_may_lag
from clinic.side_by_side import side_by_side
from pages.manager.report_tables import report_tables
from sessions.models import AppointmentStatus
from sessions.reports import ReportFilter
from tests.factories import AppointmentFactory, CourseFactory, SessionNoteFactory, local

# Committed rows, which the jobs' own connections can read; serialized_rollback puts back the roles
# and catalogue that the migrations created, which a transactional test flushes away.
committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="side by side only on PostgreSQL")


@pytest.fixture
def three_threads():
    with override_settings(CLINIC_READ_THREADS=3):
        yield
    # The threads keep their connections open, as a request thread does; the test database can
    # be dropped only once they are closed.
    module.stop()


def backend() -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return threading.get_ident(), cursor.fetchone()[0]


@postgresql_only
@committed
def test_on_postgresql_each_job_runs_on_a_connection_of_its_own(three_threads):
    barrier = threading.Barrier(3, timeout=10)

    def job():
        barrier.wait()  # all three at once: one after the other, the first would time out here
        return backend()

    results = side_by_side({"a": job, "b": job, "c": job}, using="default")

    assert sorted(results) == ["a", "b", "c"]
    threads, backends = zip(*results.values(), strict=True)
    assert len(set(threads)) == 3 and threading.get_ident() not in threads
    assert len(set(backends)) == 3 and backend()[1] not in backends


@postgresql_only
@committed
def test_the_jobs_keep_the_callers_language_time_zone_and_replica_routing(three_threads):
    def job():
        return translation.get_language(), timezone.get_current_timezone_name(), lagging_reads_allowed()

    with translation.override("de"), timezone.override(zoneinfo.ZoneInfo("Asia/Tokyo")), reads_may_lag():
        results = side_by_side({"a": job, "b": job}, using="default")
    assert set(results.values()) == {("de", "Asia/Tokyo", True)}

    assert set(side_by_side({"a": job, "b": job}, using="default").values()) == {
        (translation.get_language(), timezone.get_current_timezone_name(), False)
    }


@postgresql_only
@committed
def test_a_jobs_error_reaches_the_caller(three_threads):
    def fails():
        raise ValueError("the figures could not be read")

    with pytest.raises(ValueError, match="could not be read"):
        side_by_side({"fine": backend, "fails": fails}, using="default")


@postgresql_only
@committed
def test_each_job_runs_within_its_own_block(three_threads):
    @contextmanager
    def within():
        with transaction.atomic():
            yield

    def in_block():
        return connection.in_atomic_block

    assert side_by_side({"a": in_block, "b": in_block}, using="default", within=within) == {"a": True, "b": True}


@pytest.mark.django_db
def test_inside_a_transaction_the_jobs_run_one_after_the_other_in_this_thread(three_threads):
    # A test's transaction, as in a service: another connection could not see its rows.
    here = threading.get_ident()
    assert side_by_side({"a": threading.get_ident, "b": threading.get_ident}, using="default") == {"a": here, "b": here}


@committed
@pytest.mark.skipif(connection.vendor == "postgresql", reason="the other databases")
def test_on_another_database_the_jobs_run_one_after_the_other_in_this_thread(three_threads):
    here = threading.get_ident()
    assert side_by_side({"a": threading.get_ident, "b": threading.get_ident}, using="default") == {"a": here, "b": here}


@postgresql_only
@committed
def test_a_job_that_runs_jobs_of_its_own_runs_them_in_its_thread(three_threads):
    def nested():
        here = threading.get_ident()
        inner = side_by_side({"x": threading.get_ident, "y": threading.get_ident}, using="default")
        return inner == {"x": here, "y": here}

    # Three jobs hold the three threads: had they queued jobs of their own, none would ever run.
    # Asked from a thread of the test's, so that such a wait fails the test instead of hanging it.
    results = []
    caller = threading.Thread(
        target=lambda: results.append(side_by_side(dict.fromkeys("abc", nested), using="default"))
    )
    caller.start()
    caller.join(timeout=30)
    assert results == [{"a": True, "b": True, "c": True}]


@postgresql_only
@committed
def test_with_one_thread_the_jobs_run_in_this_thread():
    here = threading.get_ident()
    assert side_by_side({"a": threading.get_ident, "b": threading.get_ident}, using="default") == {"a": here, "b": here}


@postgresql_only
@committed
def test_the_reports_come_out_the_same_side_by_side(three_threads, anna_berg, blue_room, maria_keller, back_massage):
    course = CourseFactory(patient=maria_keller, modality=back_massage, starts_on=dt.date(2026, 3, 2))
    place = {"therapist": anna_berg, "room": blue_room, "modality": back_massage, "patient": maria_keller}
    done = AppointmentFactory(
        starts_at=local(2026, 3, 2, 9), status=AppointmentStatus.COMPLETED, course=course, **place
    )
    signed = {"signed_at": local(2026, 3, 2, 10), "signed_by": anna_berg.user}
    SessionNoteFactory(appointment=done, pain_before=7, pain_after=4, **signed)
    AppointmentFactory(starts_at=local(2026, 3, 3, 23, 30), status=AppointmentStatus.NO_SHOW, **place)
    cancelled = {
        "status": AppointmentStatus.CANCELLED,
        "cancellation_reason": "Ill",
        "cancelled_at": local(2026, 3, 5, 8),
    }
    AppointmentFactory(starts_at=local(2026, 3, 5, 9), **cancelled, **place)
    scope = ReportFilter(dt.date(2026, 3, 1), dt.date(2026, 3, 31))

    with translation.override("de"):
        with override_settings(CLINIC_READ_THREADS=1):
            one_after_the_other = report_tables(scope)
        side_by_side_tables = report_tables(scope)

    assert side_by_side_tables == one_after_the_other
    assert all(table.rows for table in side_by_side_tables)
    assert [table.slug for table in side_by_side_tables][:3] == ["utilisation", "cancellations", "new_patients"]
    assert side_by_side_tables[0].title == "Auslastung"
