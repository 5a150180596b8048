from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class WebhooksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "webhooks"
    verbose_name = gettext_lazy("Webhooks")

    def ready(self):
        from webhooks import receivers  # noqa: F401  (listens to clinic.events.domain_event)
