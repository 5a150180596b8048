"""The log-in forms with limits on what they take, and the second-factor code."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy

from clinic.accounts import LOGIN_NAME_MAX_LENGTH, PASSWORD_MAX_LENGTH


class LimitedLogin:
    """Django's log-in form sets only the browser's maxlength on the username; this checks the
    lengths on the server too, before authenticate() (and the lockout's records) see the name."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].max_length = LOGIN_NAME_MAX_LENGTH
        self.fields["username"].widget.attrs["maxlength"] = LOGIN_NAME_MAX_LENGTH
        self.fields["username"].validators.append(MaxLengthValidator(LOGIN_NAME_MAX_LENGTH))
        self.fields["password"].max_length = PASSWORD_MAX_LENGTH
        self.fields["password"].widget.attrs["maxlength"] = PASSWORD_MAX_LENGTH
        self.fields["password"].validators.append(MaxLengthValidator(PASSWORD_MAX_LENGTH))


class LoginForm(LimitedLogin, AuthenticationForm):
    pass


class AdminLoginForm(LimitedLogin, AdminAuthenticationForm):
    pass


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=20,
        help_text=gettext_lazy("The six digits your authenticator app shows now, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class EnrolForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code from the app"),
        max_length=20,
        help_text=gettext_lazy("The six digits the app shows for this account once it has read the QR code."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
