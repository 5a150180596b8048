from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClinicConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "clinic"
    verbose_name = _("Clinic")

    def ready(self):
        # Connects the receiver that starts a session's idle and age clocks at login.
        from django.core.checks import register

        # A deactivated account's sessions end at once (receivers); the admin's autocomplete
        # widgets ignore ids that are not ids (admin_guards).
        from clinic import (
            admin_guards,
            middleware,  # noqa: F401
            receivers,  # noqa: F401
        )
        from clinic.lookups import lookups_register
        from clinic.public_holidays import holiday_settings_check

        register(holiday_settings_check)
        lookups_register()
        admin_guards.autocomplete_guard_install()
