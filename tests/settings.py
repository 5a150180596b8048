"""The production settings module, given the one value it refuses to start without."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-secret-key-not-for-production")

from clinic.settings import *  # noqa: E402, F403
