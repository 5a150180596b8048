"""Log-in: by username in any case (everyone), or by e-mail address in any case (patients)."""

import contextlib
import functools
from contextvars import ContextVar

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import Group

from clinic import roles

# The user's row as the session's own statement read it (clinic.session_store), for the request
# whose user is being loaded (clinic.middleware.AuthenticationMiddleware); None otherwise.
_read_with_session: ContextVar[AbstractBaseUser | None] = ContextVar("user read with the session", default=None)


@contextlib.contextmanager
def user_read_with(session):
    """While the request's user is loaded: the row `session` read with itself, if it did."""
    token = _read_with_session.set(getattr(session, "user_read_with", None))
    try:
        yield
    finally:
        _read_with_session.reset(token)


class RolesWithUserBackend(ModelBackend):
    """Loads the logged-in user of each request together with their roles, in one query, or in
    none of its own when the session's statement brought them (clinic.session_store).

    Every signed-in page asks for the roles (the second-factor check, the navigation), so
    fetching them with the user saves a query per request; clinic.roles.user_roles reads them.
    """

    def get_user(self, user_id):
        user = _read_with_session.get()
        if user is None or user.pk != user_id:
            UserModel = get_user_model()
            users = list(UserModel._default_manager.raw(_user_with_roles_sql(), [*roles.ROLES, user_id]))
            if not users:
                return None
            user = users[0]
        if not self.user_can_authenticate(user):
            return None
        roles.user_roles_set(user, {role for index, role in enumerate(roles.ROLES) if getattr(user, f"role_{index}")})
        return user


@functools.cache
def role_columns() -> str:
    """One yes/no column per role of the user `u`, each taking its role's name as a parameter (here,
    and in the session's statement: clinic.session_store)."""
    memberships = get_user_model().groups.through._meta
    group = Group._meta
    user_column = memberships.get_field("user").column
    group_column = memberships.get_field("group").column
    return ", ".join(
        f"EXISTS (SELECT 1 FROM {memberships.db_table} m JOIN {group.db_table} g ON g.id = m.{group_column}"
        f" WHERE m.{user_column} = u.id AND g.name = %s) AS role_{index}"
        for index in range(len(roles.ROLES))
    )


@functools.cache
def _user_with_roles_sql() -> str:
    """The user's row and one yes/no column per role. Written as SQL once: the ORM would compile
    the same four subqueries on every request, which costs more than the query it saves."""
    return f"SELECT u.*, {role_columns()} FROM {get_user_model()._meta.db_table} u WHERE u.id = %s"


class UsernameBackend(RolesWithUserBackend):
    """Django's ModelBackend, matching the username without regard to case or surrounding spaces
    (usernames are unique so: clinic migration 0002)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if not username or password is None:
            return None
        UserModel = get_user_model()
        matches = list(UserModel._default_manager.filter(username__iexact=username.strip())[:2])
        if len(matches) != 1:
            UserModel().set_password(password)  # the same hashing work as a match, see below
            return None
        user = matches[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


class PatientEmailBackend(RolesWithUserBackend):
    """Matches the e-mail address case-insensitively, among users in the Patient group only.

    A staff member's e-mail address is not a second username: that would widen what an
    attacker can guess for the accounts that can see every patient.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None or "@" not in username:
            return None
        UserModel = get_user_model()
        matches = list(
            UserModel._default_manager.filter(email__iexact=username.strip(), groups__name=roles.PATIENT)[:2]
        )
        if len(matches) != 1:
            # None, or an ambiguous address: refuse, after the same hashing work a match costs,
            # so the answer's timing does not tell whether the address has an account.
            UserModel().set_password(password)
            return None
        user = matches[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
