"""A forgotten password, in the app's own look: the request form, rate-limited, and the e-mail in
the clinic's name that names the login the person uses (clinic.password_reset)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.views import PasswordResetView
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy

from clinic.audit import client_address
from clinic.password_reset import PASSWORD_RESET_LIMIT, login_name, password_reset_allow

LIMITED = gettext_lazy(
    "We have had too many requests for a new password from here or for this address (%(limit)s an hour). Please "
    "try again in an hour, or call us."
)


class ClinicPasswordResetForm(PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = gettext("E-mail address")

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        """The link goes to CLINIC_BASE_URL when it is set (the address the clinic publishes),
        otherwise to the host the request came to; the e-mail names the clinic and the login."""
        protocol, domain = context["protocol"], context["domain"]
        if settings.CLINIC_BASE_URL:
            base = urlsplit(settings.CLINIC_BASE_URL)
            protocol, domain = base.scheme, base.netloc
        path = reverse("password_reset_confirm", kwargs={"uidb64": context["uid"], "token": context["token"]})
        context.update(
            protocol=protocol,
            domain=domain,
            reset_url=f"{protocol}://{domain}{path}",
            site_name=settings.CLINIC_NAME,
            clinic_name=settings.CLINIC_NAME,
            clinic_phone=settings.CLINIC_PHONE,
            login_name=login_name(context["user"]),
        )
        super().send_mail(subject_template_name, email_template_name, context, from_email, to_email, **kwargs)


class PasswordReset(PasswordResetView):
    """The same answer whether or not an account uses the address; a request over the limit is
    told so, again whether or not the account exists, and sends nothing."""

    http_method_names = ["get", "post"]
    form_class = ClinicPasswordResetForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        if not password_reset_allow(email=form.cleaned_data["email"], client_address=client_address(self.request)):
            form.add_error(None, LIMITED % {"limit": PASSWORD_RESET_LIMIT})
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().form_valid(form)
