from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class SessionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "sessions"
    # Django's own session framework already owns the label "sessions".
    label = "treatment_sessions"
    verbose_name = gettext_lazy("Treatment sessions")

    def ready(self):
        from clinic.future_sessions import future_sessions_source_set
        from sessions import receivers  # noqa: F401  (connects the signal handlers)
        from sessions.clinic_source import sessions_ahead

        # The clinic's editors refuse a change that strands a booked session (clinic.future_sessions).
        future_sessions_source_set(sessions_ahead)
