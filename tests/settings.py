"""The production settings module, given the one value it refuses to start without."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-secret-key-not-for-production")

from clinic.settings import *  # noqa: E402, F403
from clinic.settings import DATABASES  # noqa: E402

# The production hasher is slow on purpose; tests create hundreds of users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Production redirects plain HTTP to HTTPS; the test client and the browser tests' live server
# speak plain HTTP on 127.0.0.1.
SECURE_SSL_REDIRECT = False

# Public holidays would move the days the tests book on, depending on the day they run; the
# holiday tests switch them on with override_settings (tests/clinic/test_public_holidays.py).
CLINIC_HOLIDAYS_COUNTRY = ""

# Between transactional tests Django restores the migrated catalogue by raw saves; those are not
# anybody's change, and logging them would point at content types the flush has just removed.
AUDITLOG_DISABLE_ON_RAW_SAVE = True

# Text messages are kept in clinic.messaging.sms_outbox (as e-mails in django.core.mail.outbox).
CLINIC_SMS_BACKEND = "clinic.messaging.LocmemSmsBackend"

# The webhook tests receive on a local server at 127.0.0.1, which production refuses.
CLINIC_WEBHOOK_ALLOW_PRIVATE = True
# A test may ask the API more often as one user than production allows in an hour (the throttle
# counts their audit entries); the throttling tests set their own low rate
# (tests/api/test_throttling_and_audit.py).
CLINIC_API_THROTTLE_RATE = "100000/hour"

# Reads one after the other (clinic.side_by_side): the threads keep their connections open, which
# would keep the test database from being dropped after a browser test of the reports page.
# tests/clinic/test_side_by_side.py runs them side by side, and closes the threads' connections.
CLINIC_READ_THREADS = 1

# The read replica (clinic.replica). In tests the "replica" alias is the test database itself,
# reached as default is (a test mirror): a test reads what it has just written, which a streaming
# replica a second behind cannot promise. tests/clinic/test_replica.py points the alias at the real
# replica (REPLICA_SERVER, which scripts/with-replica starts) for its own tests.
if "replica" in DATABASES:
    REPLICA_SERVER = DATABASES["replica"]
    DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
