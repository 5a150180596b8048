"""Project settings. Everything that differs between machines comes from the environment.

With no environment at all the app refuses to start without a secret key, because the
defaults are the production ones (debug off, secure cookies). `make run` sets DJANGO_DEBUG=1.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=1 for local development).")
    SECRET_KEY = "insecure-development-key-never-used-in-production"

# Old secret keys, while sessions, password-reset links and seals made with them should still work.
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "bootstrap",
    "django_htmx",
    "crispy_forms",
    "crispy_bootstrap5",
    "auditlog",
    "axes",
    "csp",
    # Two-factor log-in: time-based one-time passwords, and one-time recovery codes (clinic.two_factor).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "clinic",
    "patients",
    # Outcome measures (their items, scales, scoring, MCID): between patients and sessions.
    "outcomes",
    "sessions",
    # Webhooks: the manager's endpoints and the outbox of signed deliveries; above the domain,
    # which announces its events through clinic.events and never imports it.
    "webhooks",
    # The REST API (api/): Django REST framework and its OpenAPI schema (drf-spectacular).
    "rest_framework",
    "drf_spectacular",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # First after the HTTPS redirect: a NUL byte or an impossible date-drill-down value in a request
    # is answered 400 before any page or the database sees it (clinic.middleware).
    "clinic.middleware.HostileInputMiddleware",
    # Permissions-Policy, cross-origin isolation and no-store caching on every page (clinic.middleware).
    "clinic.middleware.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions, before anything that renders: the language of the user's profile (kept in
    # the session at log-in), else the language cookie, else the browser's (clinic.languages).
    "clinic.languages.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, taking the user's row from the session's own statement when it is there.
    "clinic.middleware.AuthenticationMiddleware",
    # After auth: request.user.is_verified() says whether this session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    # After auth: stamps the user and address on every audit log entry (clinic.audit).
    "clinic.audit.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After auth and messages: logs out idle or too-old sessions with a message.
    "clinic.middleware.SessionTimeoutMiddleware",
    # After the timeout: a user who needs a second factor sees no page before giving it.
    "clinic.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clinic.context_processors.clinic",
            ],
            # A string, not an import: the settings name the pages' tag library without importing it.
            "libraries": {"pages": "pages.page_tags"},
        },
    },
]


def database(url: str) -> dict:
    """A DATABASES entry for `url`, with the connection options of its engine."""
    config = dj_database_url.parse(
        url, conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")), conn_health_checks=True
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # IMMEDIATE transactions take the write lock at BEGIN, which serialises bookings instead of
        # failing them with "database is locked".
        config["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
        config["CONN_MAX_AGE"] = 0
        return config
    # PostgreSQL binds the parameters itself, and psycopg prepares a statement once it has run a
    # few times on a connection, so repeated queries skip parsing and planning (a quarter more
    # patient searches a second under load, docs/PERFORMANCE.md). A pooler in transaction mode that cannot keep
    # prepared statements (PgBouncer before 1.21) needs DATABASE_PREPARE_THRESHOLD=off.
    prepare = os.environ.get("DATABASE_PREPARE_THRESHOLD", "5")
    config["OPTIONS"] = {
        "server_side_binding": True,
        "prepare_threshold": None if prepare == "off" else int(prepare),
        # Just-in-time compilation off: it pays off for long analytical scans, not for pages. It
        # compiled the reports' queries for 1.8 s of their 2 s at full scale (docs/PERFORMANCE.md).
        # A pooler that refuses startup options (PgBouncer without ignore_startup_parameters =
        # options) needs DATABASE_OPTIONS="" and jit = off in postgresql.conf instead.
        "options": os.environ.get("DATABASE_OPTIONS", "-c jit=off"),
    }
    return config


# SQLite by default so the app runs with nothing installed.
DATABASES = {"default": database(os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))}
# A PostgreSQL streaming replica of the primary: the reads that may lag a second go there, through
# clinic.replica's router (which reads, and why those: docs/ARCHITECTURE.md). Unset: one database.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = database(os.environ["DATABASE_REPLICA_URL"])
    if {DATABASES["default"]["ENGINE"], DATABASES["replica"]["ENGINE"]} != {"django.db.backends.postgresql"}:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL needs PostgreSQL for both DATABASE_URL and the replica (a streaming replica)."
        )
    DATABASE_ROUTERS = ["clinic.replica.ReplicaRouter"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The reports' covering indexes carry extra columns (INCLUDE) on PostgreSQL; SQLite builds
    # the same indexes without them, which is all the demo needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    # First: refuses any login attempt while its username and address are locked out.
    "axes.backends.AxesStandaloneBackend",
    # Usernames are matched without regard to case (and unique so, clinic migration 0002).
    "clinic.backends.UsernameBackend",
    # Patients log in with their e-mail address; staff keep their usernames.
    "clinic.backends.PatientEmailBackend",
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
# The interface's languages. English is the source text; German and Russian are in locale/
# (`make messages` extracts, tests/test_translations.py fails on anything left untranslated).
# A browser asking for any English ("en-us") gets en-gb.
LANGUAGES = [("en-gb", "English"), ("de", "Deutsch"), ("ru", "Русский")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# en-gb with the 24-hour clock ("14:30", not "2:30 p.m."): clinic/formats/en_GB/formats.py.
FORMAT_MODULE_PATH = ["clinic.formats"]
# The clinic's own zone: appointments are stored in UTC and shown in this zone. The default
# observes daylight saving, so the code that keeps a series at its wall-clock time is exercised.
TIME_ZONE = os.environ.get("CLINIC_TIME_ZONE", "Europe/Berlin")
USE_I18N = True
USE_TZ = True

CLINIC_NAME = os.environ.get("CLINIC_NAME", "Riverside Back Care")
CLINIC_PHONE = os.environ.get("CLINIC_PHONE", "+49 30 1234 5678")
# How long before a session a patient may still cancel it online.
CANCELLATION_NOTICE_HOURS = int(os.environ.get("CLINIC_CANCELLATION_NOTICE_HOURS", "24"))
# The app's public address, e.g. https://clinic.example.org. Reminder e-mails, sent from cron
# with no request to take it from, link to the portal with it; calendar event UIDs use its host.
CLINIC_BASE_URL = os.environ.get("CLINIC_BASE_URL", "").rstrip("/")
# The waitlist (sessions.waitlist): how long an offer holds a freed slot for the patient, and
# how many patients are offered one slot at once (the first to accept books it).
CLINIC_WAITLIST_HOLD_MINUTES = max(1, int(os.environ.get("CLINIC_WAITLIST_HOLD_MINUTES", "30")))
CLINIC_WAITLIST_BATCH = max(1, int(os.environ.get("CLINIC_WAITLIST_BATCH", "1")))
# Public holidays close the clinic (clinic.holidays, the `holidays` library): an ISO 3166 country
# and its subdivision (Berlin by default); an empty country means no public holidays.
CLINIC_HOLIDAYS_COUNTRY = os.environ.get("CLINIC_HOLIDAYS_COUNTRY", "DE").strip().upper()
CLINIC_HOLIDAYS_SUBDIVISION = os.environ.get("CLINIC_HOLIDAYS_SUBDIVISION", "BE").strip().upper()
# Self-booking in the portal (sessions.self_booking): on for the clinic, how far ahead, how many
# sessions a patient may have booked ahead at once, and whether any therapist qualified for the
# course's modality may be chosen (otherwise only the course's own therapist).
CLINIC_SELF_BOOKING = env_bool("CLINIC_SELF_BOOKING", True)
CLINIC_SELF_BOOKING_HORIZON_DAYS = int(os.environ.get("CLINIC_SELF_BOOKING_HORIZON_DAYS", "28"))
CLINIC_SELF_BOOKING_MAX_OPEN = int(os.environ.get("CLINIC_SELF_BOOKING_MAX_OPEN", "3"))
CLINIC_SELF_BOOKING_ANY_THERAPIST = env_bool("CLINIC_SELF_BOOKING_ANY_THERAPIST")
# Threads per app server process for read-only queries run side by side, each with its own database
# connection (clinic.side_by_side): the reports page's six reports. Count them in PostgreSQL's
# max_connections: up to (1 + this) connections per process. 1 runs them one after the other.
CLINIC_READ_THREADS = max(1, int(os.environ.get("CLINIC_READ_THREADS", "3")))
# Megabytes of charts, portal homes and day boards kept by each app-server process between looks, under the
# version tokens of what they show (pages/kept_pages.py), the least recently read dropped first
# beyond it: a chart is some 20 KB, a board of 60 therapists half a megabyte. 0 keeps none.
CLINIC_KEPT_PAGES_MB = max(0, int(os.environ.get("CLINIC_KEPT_PAGES_MB", "64")))
# Serve the benchmark's constant page at /bench/baseline/ (bench/run.sh sets it; never in production).
BENCH_BASELINE = env_bool("CLINIC_BENCH_BASELINE")

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "clinic@localhost")

# Text messages (clinic.messaging): the console backend prints them; the HTTP gateway backend
# POSTs JSON to CLINIC_SMS_GATEWAY_URL with the token as a Bearer header.
CLINIC_SMS_BACKEND = os.environ.get("CLINIC_SMS_BACKEND", "clinic.messaging.ConsoleSmsBackend")
CLINIC_SMS_GATEWAY_URL = os.environ.get("CLINIC_SMS_GATEWAY_URL", "")
CLINIC_SMS_GATEWAY_TOKEN = os.environ.get("CLINIC_SMS_GATEWAY_TOKEN", "")
CLINIC_SMS_SENDER = os.environ.get("CLINIC_SMS_SENDER", "")
CLINIC_SMS_TIMEOUT_SECONDS = float(os.environ.get("CLINIC_SMS_TIMEOUT_SECONDS", "10"))

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Pages send the CSRF token from the page itself (a form field, htmx's X-CSRFToken header set on
# <body>); no script reads the cookie.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
if SESSION_COOKIE_SECURE:
    # __Host-: the browser keeps the cookie only if it is Secure, for path / and for this host
    # alone (no Domain), so a sibling subdomain can neither set nor overwrite it.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
# On unless debugging; a proxy that terminates TLS and redirects itself may turn it off.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
# Nothing of an address leaves the site; "no-referrer" would also make browsers send
# "Origin: null" on the site's own form posts, which Django's CSRF check rightly refuses.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Sessions: staff and patients alike are logged out after CLINIC_SESSION_IDLE_MINUTES without
# a request and CLINIC_SESSION_MAX_HOURS after logging in (clinic.middleware). The cookie
# lives no longer than the longest session.
CLINIC_SESSION_IDLE_MINUTES = int(os.environ.get("CLINIC_SESSION_IDLE_MINUTES", "30"))
CLINIC_SESSION_MAX_HOURS = int(os.environ.get("CLINIC_SESSION_MAX_HOURS", "12"))
SESSION_COOKIE_AGE = CLINIC_SESSION_MAX_HOURS * 60 * 60

# Several app servers, one database: everything a login depends on is kept in the database, so a
# request may land on any server (tests/clinic/test_several_servers.py). Sessions, with their two
# clocks: a log-out or an expiry on one server holds on all of them at once, which neither a signed
# cookie (nothing to end on the server) nor a per-process cache would give.
SESSION_ENGINE = "clinic.session_store"
# Nothing relies on the cache: the log-in lockout (AXES_HANDLER below), the password-reset limit
# and the API's throttle count in the database. This per-process memory is all Django gets, so
# anything added that must hold across servers or workers belongs in the database too.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Log-in lockout (django-axes): five failures for one account from one address lock that pair
# out for 15 minutes, whether or not the name exists; a success clears the count. The account is
# found however the name is spelled (case, surrounding spaces, username or a patient's e-mail
# address, any log-in form): clinic.accounts.axes_username gives axes one key per account, and
# the casefolded name for a name that is nobody's. Wrong second-factor codes count too.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_HTTP_RESPONSE_CODE = 429
# Keep every failed log-in (name tried, address, browser, time), not only the current count:
# AccessLog already keeps the successful ones with their log-out time.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_USERNAME_CALLABLE = "clinic.accounts.axes_username"
# Failed log-ins and lockouts in the database, shared by every server (axes' cache handler would keep
# them in each process's memory, and failures spread over servers would never add up).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"

# Two-factor log-in (clinic.two_factor): managers and superusers always need a second factor;
# every staff account too when the clinic turns this on. Patients may opt in from the portal.
CLINIC_REQUIRE_2FA_FOR_STAFF = env_bool("CLINIC_REQUIRE_2FA_FOR_STAFF")
# The issuer name authenticator apps show beside the account.
OTP_TOTP_ISSUER = CLINIC_NAME
# django-otp's own throttling: each wrong code doubles the wait before the next one is tried.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# The signed-note seal (sessions.note_seal): HMAC-SHA256 keys, kept outside the database.
# "id:secret,id:secret", the first seals new notes; the others still verify old seals until they
# are removed. Unset: one key derived from SECRET_KEY (and SECRET_KEY_FALLBACKS), see the README.
CLINIC_NOTE_SEAL_KEYS = os.environ.get("CLINIC_NOTE_SEAL_KEYS", "")
# Content Security Policy (django-csp): only this site's own files, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "frame-src": ["'none'"],
        "worker-src": ["'none'"],
        "manifest-src": ["'self'"],
    },
}

# Audit log (clinic.audit): django-auditlog records every change to these models; views add
# reads and refused attempts. The client address is REMOTE_ADDR unless a proxy of ours sets
# X-Forwarded-For (anyone can send that header, so it is not believed by default).
AUDITLOG_INCLUDE_TRACKING_MODELS = (
    "patients.Patient",
    "patients.Diagnosis",
    "patients.Study",
    "patients.PhaseRecord",
    "patients.HealthFlag",
    # A course's first and last pain are copies of its signed notes, which the log already has.
    {"model": "treatment_sessions.Course", "exclude_fields": ["first_pain", "last_pain"]},
    "treatment_sessions.SessionNote",
    "treatment_sessions.Addendum",
    "treatment_sessions.OutcomeScore",
    "patients.BreakGlassReview",
    # The clinic as the manager's editors change it (pages/manager): who changed which therapist,
    # room, modality, site, hours, closure or contraindication rule, and when.
    {"model": "clinic.Therapist", "m2m_fields": {"modalities"}},
    {"model": "clinic.Room", "m2m_fields": {"modalities"}},
    "clinic.Modality",
    "clinic.Location",
    "clinic.WorkingHours",
    "clinic.Closure",
    "patients.ContraindicationRule",
    # The waitlist: every wish, freed slot and offer, and each change of their state.
    "treatment_sessions.WaitlistEntry",
    "treatment_sessions.FreedSlot",
    "treatment_sessions.WaitlistOffer",
    # Intake and consent (patients.intake, patients.consent, patients.kiosk): the clinic's texts as
    # the manager edits them, the patient's answers and signatures, the therapist's decisions, and
    # each tablet handed to a patient.
    "patients.IntakeVersion",
    "patients.IntakeResponse",
    "patients.FlagProposal",
    {"model": "patients.ConsentTopic", "m2m_fields": {"modalities"}},
    "patients.ConsentVersion",
    "patients.ConsentSignature",
    "patients.KioskSession",
    # The manager's webhook endpoints (webhooks/): who added or changed which, and when; the secret
    # never reaches the log.
    {"model": "webhooks.WebhookEndpoint", "mask_fields": ["secret"]},
)
AUDIT_TRUST_X_FORWARDED_FOR = env_bool("AUDIT_TRUST_X_FORWARDED_FOR")
# How long a therapist's emergency ("break-glass") access to a patient's chart lasts.
CLINIC_BREAK_GLASS_HOURS = int(os.environ.get("CLINIC_BREAK_GLASS_HOURS", "12"))
# How long the reception tablet stays open for the patient it was handed to (patients.kiosk).
CLINIC_KIOSK_MINUTES = int(os.environ.get("CLINIC_KIOSK_MINUTES", "30"))
# How long a patient's record is kept after their last treatment or contact before it may be
# erased (sessions.patient_erasure): German law keeps treatment records ten years (§630f BGB).
CLINIC_RETENTION_YEARS = max(1, int(os.environ.get("CLINIC_RETENTION_YEARS", "10")))
# Webhooks (webhooks/sending.py): how long one POST may take, the waits between attempts (minutes;
# the last repeats), and after how many failed attempts a delivery is given up.
CLINIC_WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("CLINIC_WEBHOOK_TIMEOUT_SECONDS", "5"))
CLINIC_WEBHOOK_RETRY_MINUTES = [
    int(m) for m in os.environ.get("CLINIC_WEBHOOK_RETRY_MINUTES", "1,5,30,120,720").split(",") if m.strip()
]
CLINIC_WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("CLINIC_WEBHOOK_MAX_ATTEMPTS", "6"))
# Off in production: webhooks may not point into the clinic's own network (localhost, 10.x, ...).
# On for development and the tests, whose receiving server listens on 127.0.0.1.
CLINIC_WEBHOOK_ALLOW_PRIVATE = env_bool("CLINIC_WEBHOOK_ALLOW_PRIVATE", DEBUG)

# The REST API under /api/v1/ (api/): personal tokens only (a session's cookie does not open it, so
# no CSRF question arises); what a user may do is their role's, as on the pages.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "api.permissions.TokenScopeAllows",
        "api.permissions.RoleAllows",
    ],
    "DEFAULT_PARSER_CLASSES": ["api.http.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "api.http.Pages",
    "DEFAULT_THROTTLE_CLASSES": ["api.throttle.ApiUserThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.http.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Requests per user and hour (per address without a valid token): DRF's rate syntax, n/second|minute|hour|day.
CLINIC_API_THROTTLE_RATE = os.environ.get("CLINIC_API_THROTTLE_RATE", "1000/hour")
SPECTACULAR_SETTINGS = {
    "TITLE": f"{CLINIC_NAME} REST API",
    "DESCRIPTION": (
        "The clinic's patients, availability, appointments, courses and session notes, with the "
        "permissions of your role. Send a personal API token with every request, as the header "
        "Authorization: Bearer followed by the token."
    ),
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema: for anyone logged in (a session, or a token). Its page is api.docs_page.
    "SERVE_AUTHENTICATION": [
        "rest_framework.authentication.SessionAuthentication",
        "api.authentication.BearerTokenAuthentication",
    ],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Docstrings speak to the code's readers; the API's readers get the views' own descriptions.
    "DISABLE_DOCSTRING_DESCRIPTIONS": True,
    "ENUM_NAME_OVERRIDES": {
        "AppointmentStatusEnum": "sessions.models.AppointmentStatus",
        "CourseStatusEnum": "sessions.models.CourseStatus",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
