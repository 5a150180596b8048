import os

# Tests run with production defaults (debug off); they only need a key to start.
os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-secret-key-not-for-production")
