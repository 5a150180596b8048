"""Calls released together, each in its own thread and database connection, as requests that arrive
at the same moment (the PostgreSQL concurrency tests)."""

import threading

from django.db import connection

from clinic.refusals import Refused


def at_once(calls) -> list[tuple[str, object]]:
    """Run each call in its own thread and connection, released together: (outcome, detail) each,
    ("done", what it returned), ("refused", the reasons) or ("error", what went wrong)."""
    barrier = threading.Barrier(len(calls), timeout=30)
    results: list[tuple[str, object]] = []
    lock = threading.Lock()

    def run(call):
        try:
            barrier.wait()
            outcome = ("done", call())
        except Refused as error:
            outcome = ("refused", error.reasons)
        except Exception as error:  # anything else is a failure the test must show
            outcome = ("error", repr(error))
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results
