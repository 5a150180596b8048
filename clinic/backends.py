"""Log-in: by username in any case (everyone), or by e-mail address in any case (patients)."""

import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group

from clinic import roles


class RolesWithUserBackend(ModelBackend):
    """Loads the logged-in user of each request together with their roles, in one query.

    Every signed-in page asks for the roles (the second-factor check, the navigation), so
    fetching them with the user saves a query per request; clinic.roles.user_roles reads them.
    """

    def get_user(self, user_id):
        UserModel = get_user_model()
        users = list(UserModel._default_manager.raw(_user_with_roles_sql(), [*roles.ROLES, user_id]))
        if not users or not self.user_can_authenticate(users[0]):
            return None
        user = users[0]
        roles.user_roles_set(user, {role for index, role in enumerate(roles.ROLES) if getattr(user, f"role_{index}")})
        return user


@functools.cache
def _user_with_roles_sql() -> str:
    """The user's row and one yes/no column per role. Written as SQL once: the ORM would compile
    the same four subqueries on every request, which costs more than the query it saves."""
    UserModel = get_user_model()
    memberships = UserModel.groups.through._meta
    group = Group._meta
    user_column = memberships.get_field("user").column
    group_column = memberships.get_field("group").column
    flags = ", ".join(
        f"EXISTS (SELECT 1 FROM {memberships.db_table} m JOIN {group.db_table} g ON g.id = m.{group_column}"
        f" WHERE m.{user_column} = u.id AND g.name = %s) AS role_{index}"
        for index in range(len(roles.ROLES))
    )
    return f"SELECT u.*, {flags} FROM {UserModel._meta.db_table} u WHERE u.id = %s"


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
