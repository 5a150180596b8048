"""PostgreSQL's plan cache: one plan kept for each prepared statement of a transaction.

psycopg prepares a statement once it has run five times on a connection (clinic.settings), and
PostgreSQL then either plans it again for each execution's values (a custom plan) or keeps one
plan for them all (a generic plan). For the booking engine's two reads, the contraindication
gate's statement and the schedule around the slot, it chose to plan again every time: their
parameters are lists of ids, whose generic estimate looks dearer than a custom plan's, though
both plans are the same index scans. Planning them was about 0.6 ms of the database's 2 ms per
booking (docs/PERFORMANCE.md, eighteenth round).

Only the transactions that ask keep their plans: for every statement at once, a generic plan is
a poor one for some of the pages' reads (the patient search by phone digits took ten times as
long), so the setting is not the connection's.
"""

from django.db import DEFAULT_DB_ALIAS, connections


def generic_plans(using: str = DEFAULT_DB_ALIAS) -> None:
    """Until the current transaction ends, PostgreSQL keeps one plan per prepared statement.
    Call it inside transaction.atomic(); elsewhere (SQLite) it does nothing."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        # LOCAL: the setting ends with the transaction, committed or rolled back.
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
