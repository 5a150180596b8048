from django.apps import AppConfig


class SessionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "sessions"
    # Django's own session framework already owns the label "sessions".
    label = "treatment_sessions"
    verbose_name = "Treatment sessions"

    def ready(self):
        from sessions import receivers  # noqa: F401  (connects the signal handlers)
