"""Django's database sessions, read with one statement written once.

Every signed-in request reads its session row. The ORM would build and compile the same query
each time, which costs more CPU than the database spends answering it. The session stays in the
database so that log-out, idle expiry and the lockout hold across every worker and app server
(docs/PERFORMANCE.md).
"""

import functools

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone


@functools.cache
def _session_sql() -> str:
    meta = Session._meta
    return (
        f"SELECT session_key, session_data, expire_date FROM {meta.db_table}"
        " WHERE session_key = %s AND expire_date > %s"
    )


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        # The same row Django's own query finds: the key, if it has not expired.
        found = list(Session.objects.raw(_session_sql(), [self.session_key, timezone.now()]))
        if not found:
            self._session_key = None
            return None
        return found[0]
