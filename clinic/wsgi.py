import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
application = get_wsgi_application()

from clinic.warm import app_load_and_freeze, freeze_enabled  # noqa: E402 (needs the settings loaded)

if freeze_enabled():
    app_load_and_freeze()
