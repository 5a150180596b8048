"""Django's database sessions, read with one statement written once, with the session's user in it.

Every signed-in request reads its session row, then its user with their roles. The ORM would build
and compile the same query each time, which costs more CPU than the database spends answering it.
The session stays in the database so that log-out, idle expiry and the lockout hold across every
worker and app server (docs/PERFORMANCE.md).

Once a process has loaded a session's user, it remembers whose the session key is: a key never
changes hands (a log-in always gives a new one), so the next read of that session brings the
user's row and roles in the same statement (clinic.backends), one round trip instead of two. Only
the id is remembered; the row, the roles and the session itself are read on every request.
"""

import functools

from django.contrib.auth import get_user_model
from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from clinic import roles
from clinic.backends import role_columns

# Session key -> the id of the user this process last loaded for it. Emptied when full: a key
# that is forgotten costs its next request the second statement, nothing else.
_users_of_keys: dict[str, int] = {}
_USERS_OF_KEYS_KEPT = 10_000


def remember_user(session_key: str | None, user_id: int) -> None:
    """Remembers that `session_key` belongs to `user_id`, for the session's next reads."""
    if not session_key:
        return
    if len(_users_of_keys) >= _USERS_OF_KEYS_KEPT:
        _users_of_keys.clear()
    _users_of_keys[session_key] = user_id


# The same row Django's own query finds: the key, if it has not expired (the user's table has
# neither column, so the join needs no prefix).
_SESSION_FOUND = "session_key = %s AND expire_date > %s"


@functools.cache
def _session_sql() -> str:
    return f"SELECT session_key, session_data, expire_date FROM {Session._meta.db_table} WHERE {_SESSION_FOUND}"


@functools.cache
def _session_with_user_sql() -> str:
    """The session's data (as `session_data_read`) beside the row and role flags of the user given
    first, all nulls when there is no such user. Parameters: the role names, the user's id, the
    session key, the moment now."""
    return (
        f"SELECT s.session_data AS session_data_read, u.*, {role_columns()} FROM {Session._meta.db_table} s"
        f" LEFT JOIN {get_user_model()._meta.db_table} u ON u.id = %s WHERE {_SESSION_FOUND}"
    )


def _now():
    # As the database stores it (SQLite: naive UTC text), for the statements written as SQL.
    return connection.ops.adapt_datetimefield_value(timezone.now())


class SessionStore(db.SessionStore):
    # The user's row (with their roles) read in the session's statement; clinic.backends takes it.
    user_read_with = None

    def _get_session_from_db(self):
        user_id = _users_of_keys.get(self.session_key)
        if user_id is None:
            found = list(Session.objects.raw(_session_sql(), [self.session_key, _now()]))
        else:
            found = self._get_session_with_user(user_id)
        if not found:
            self._session_key = None
            return None
        return found[0]

    def _get_session_with_user(self, user_id: int) -> list[Session]:
        params = [*roles.ROLES, user_id, self.session_key, _now()]
        rows = list(get_user_model()._default_manager.raw(_session_with_user_sql(), params))
        if not rows:
            return []
        user = rows[0]
        session = Session(session_key=self.session_key, session_data=user.session_data_read)
        del user.session_data_read
        self.user_read_with = user if user.pk is not None else None
        return [session]
