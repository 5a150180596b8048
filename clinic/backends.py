"""Log-in: by username in any case (everyone), or by e-mail address in any case (patients)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from clinic import roles


class UsernameBackend(ModelBackend):
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


class PatientEmailBackend(ModelBackend):
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
