from django.apps import AppConfig


class SessionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "sessions"
    # Django's own session framework already owns the label "sessions".
    label = "treatment_sessions"
    verbose_name = "Treatment sessions"
