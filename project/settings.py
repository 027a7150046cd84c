"""Steady's settings: every knob is an environment variable, read here and nowhere else.

The embedded default (no variables set but DEBUG=1) is what `make run` uses: a SQLite
file and a file-system Celery broker under var/, email printed to the console.
Production sets DATABASE_URL, REDIS_URL, SECRET_KEY and ALLOWED_HOSTS (see README).
"""

import datetime as dt
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("STEADY_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key():
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Embedded default: one key per installation, kept across restarts.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG")
# A clinic's production server: HTTPS only, HSTS, __Host- cookies. See README, "Running it for a clinic".
PRODUCTION = env_bool("STEADY_PRODUCTION")
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("STEADY_PRODUCTION and DEBUG cannot both be on.")
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "tracker",
]

MIDDLEWARE = [
    "tracker.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # An API call with a token goes on through TOKEN_REQUEST_MIDDLEWARE (below) instead.
    "tracker.middleware.TokenRequestMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "tracker.middleware.SessionPolicyMiddleware",
    "tracker.middleware.LanguageMiddleware",
    "tracker.middleware.SecondFactorMiddleware",
    "tracker.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tracker.middleware.ParticipantTimezoneMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# What follows TokenRequestMiddleware for an API call with a token: MIDDLEWARE's rest, in its order,
# without what serves only a browser's session (tests/test_token_requests.py keeps the two lists in step).
TOKEN_REQUEST_MIDDLEWARE = [
    "django.middleware.common.CommonMiddleware",
    "tracker.middleware.LanguageMiddleware",
    "tracker.middleware.NoStoreMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tracker.middleware.ParticipantTimezoneMiddleware",
]

ROOT_URLCONF = "project.urls"
WSGI_APPLICATION = "project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "tracker.context_processors.app",
            ],
        },
    },
]
# Form widgets: the common ones written out in Python, as Django's templates write them (issue 20).
FORM_RENDERER = "tracker.web.widgets.PlainWidgets"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'steady.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
# tracker/statements.py: the few hand-composed hot statements are prepared on PostgreSQL (the ORM's
# never are). Off (0) behind a transaction-pooling PgBouncer not set up to carry prepared statements.
DATABASE_PREPARED_STATEMENTS = os.environ.get("DATABASE_PREPARED_STATEMENTS", "1") != "0"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's SQLite backend with one change: a whole-database flush may pass the audit
    # log's append-only trigger (see project/sqlite/base.py).
    DATABASES["default"]["ENGINE"] = "project.sqlite"
    # The web server, the worker and beat share one file: wait for locks instead of failing.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Test databases in a file too: an in-memory one fails requests that arrive at once (the
    # browser tests' service worker fetches pages while a form is saved) instead of waiting.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Passphrases welcome: from 10 up to 256 characters; common and all-digit passwords refused.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "tracker.security.MaximumLengthValidator", "OPTIONS": {"max_length": 256}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes: after AXES_FAILURE_LIMIT wrong passwords for one username from one address, that
# pair waits AXES_COOLOFF_TIME. Only the pair is locked, so nobody elsewhere can lock a person out.
# Steady's backend is Django's own, reading the person with what every request asks in one query
# (security.py). A session begun under Django's own backend path ends once (README: upgrading).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "tracker.security.SteadyModelBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("SIGNIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("SIGNIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the cool-off is 15 minutes, not "15 after the last try"
AXES_CLIENT_IP_CALLABLE = "tracker.audit.client_ip"
AXES_LOCKOUT_TEMPLATE = "tracker/locked_out.html"
AXES_VERBOSE = False  # Steady logs each failure itself (tracker.security), without the password.
AXES_ENABLE_ACCESS_FAILURE_LOG = False
# Password spraying: an address whose failures name this many different usernames within these
# minutes is paused as a whole (tracker.security.SprayAwareHandler). A group room shares one
# clinic address, so the limit stays well above a room's worth of people mistyping once or twice.
AXES_HANDLER = "tracker.security.SprayAwareHandler"
SIGNIN_SPRAY_USERNAMES = int(os.environ.get("SIGNIN_SPRAY_USERNAMES", "20"))
SIGNIN_SPRAY_MINUTES = int(os.environ.get("SIGNIN_SPRAY_MINUTES", "15"))
# Sessions: counselors and admins end after 30 minutes idle and 12 hours in all; participants
# stay signed in on their own phone (SESSION_COOKIE_AGE) until they sign out.
STAFF_SESSION_IDLE_SECONDS = int(os.environ.get("STAFF_SESSION_IDLE_SECONDS", str(30 * 60)))
STAFF_SESSION_MAX_SECONDS = int(os.environ.get("STAFF_SESSION_MAX_SECONDS", str(12 * 3600)))
OTP_TOTP_ISSUER = "Steady"
# Invitations and closed accounts.
INVITATION_DAYS = int(os.environ.get("INVITATION_DAYS", "7"))
ACCOUNT_RETENTION_DAYS = int(os.environ.get("ACCOUNT_RETENTION_DAYS", "30"))
# The app on the phone: how often, at most, its service worker fetches again the pages it keeps for
# use without signal (besides once per version and after each save; templates/sw.js).
STEADY_PAGES_REFRESH_SECONDS = int(os.environ.get("STEADY_PAGES_REFRESH_SECONDS", str(6 * 3600)))
LOGIN_URL = "signin"
LOGIN_REDIRECT_URL = "today"
LOGOUT_REDIRECT_URL = "signin"

# English and Spanish (issue 19). A third language is one more line here and one catalog under
# locale/ (README: "Adding a language").
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Spanish numbers and dates as US Spanish writes them (project/formats/es/formats.py).
FORMAT_MODULE_PATH = ["project.formats"]
# Before signing in, the switch on the join, sign-in and help pages remembers the choice here.
LANGUAGE_COOKIE_NAME = "steady_language"
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_PARTICIPANT_TIME_ZONE = os.environ.get("DEFAULT_PARTICIPANT_TIME_ZONE", "America/New_York")

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Email (Django 6.1 mailers): the console in the embedded default; SMTP when EMAIL_HOST is set.
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": int(os.environ.get("EMAIL_PORT", "587")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", default=True),
                "timeout": 20,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Steady <steady@localhost>")

# Celery: Redis in production; a file-system broker under var/ needs no server.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    _queue_dir = VAR_DIR / "celery-queue"
    _queue_dir.mkdir(exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    (VAR_DIR / "celery-control").mkdir(exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "control_folder": str(VAR_DIR / "celery-control"),  # else kombu writes ./control
    }
CELERY_TASK_IGNORE_RESULT = True
# If the broker is down, give up publishing quickly: the tick leaves the deliveries pending in
# the database and hands them over on a later tick.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
CELERY_BROKER_CONNECTION_TIMEOUT = 4
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Claim due reminders and hand their sends to workers.
    "reminders-tick": {"task": "tracker.tasks.reminders_tick", "schedule": 60.0},
    # Group sessions eight weeks ahead, for every program (idempotent; hourly is plenty).
    "plan-group-sessions": {"task": "tracker.tasks.plan_group_sessions", "schedule": 3600.0},
    # Questionnaires due today made and closed ones marked missed (idempotent; an hour late at most).
    "plan-questionnaires": {"task": "tracker.tasks.plan_questionnaires", "schedule": 3600.0},
    # Aftercare check-ups due today made once, closed ones marked missed (idempotent; tracker.aftercare).
    "plan-checkups": {"task": "tracker.tasks.plan_checkups", "schedule": 3600.0},
    # Closed accounts past their retention period: health data removed, audit rows kept.
    "purge-closed-accounts": {"task": "tracker.tasks.purge_closed_accounts", "schedule": 6 * 3600.0},
    # The clinic's clinical record of closed accounts, once the program's retention years have passed.
    "purge-clinical-records": {"task": "tracker.tasks.purge_clinical_records", "schedule": 24 * 3600.0},
    # Urgent notices: send any that never reached a worker, and tell the program admins about
    # those nobody acknowledged in time (tracker.urgent).
    "urgent-tick": {"task": "tracker.tasks.urgent_tick", "schedule": 60.0},
}

# The public address: links in reminder emails, and invitation links and their QR codes. Unset,
# an invitation link uses the address its page was opened at, and emails this computer's.
SITE_URL_SET = bool(os.environ.get("SITE_URL"))
SITE_URL = (os.environ.get("SITE_URL") or "http://127.0.0.1:8000").rstrip("/")
# The care team's triage (/care/): when a flag is raised. See README, "Caseload triage".
TRIAGE_NO_CHECKIN_DAYS = int(os.environ.get("TRIAGE_NO_CHECKIN_DAYS", "2"))
TRIAGE_HIGH_URGE = int(os.environ.get("TRIAGE_HIGH_URGE", "8"))
TRIAGE_HIGH_URGE_HOURS = int(os.environ.get("TRIAGE_HIGH_URGE_HOURS", "48"))
TRIAGE_RISING_DAYS = int(os.environ.get("TRIAGE_RISING_DAYS", "7"))
TRIAGE_RISING_BASELINE_DAYS = int(os.environ.get("TRIAGE_RISING_BASELINE_DAYS", "21"))
TRIAGE_RISING_POINTS = float(os.environ.get("TRIAGE_RISING_POINTS", "1.5"))
TRIAGE_RISING_MIN_URGES = int(os.environ.get("TRIAGE_RISING_MIN_URGES", "2"))
TRIAGE_SETBACK_DAYS = int(os.environ.get("TRIAGE_SETBACK_DAYS", "7"))
TRIAGE_SLEEP_DAYS = int(os.environ.get("TRIAGE_SLEEP_DAYS", "7"))
TRIAGE_SLEEP_MIN_HOURS = float(os.environ.get("TRIAGE_SLEEP_MIN_HOURS", "6"))
TRIAGE_SLEEP_MIN_EFFICIENCY = float(os.environ.get("TRIAGE_SLEEP_MIN_EFFICIENCY", "0.80"))
TRIAGE_SLEEP_MIN_NIGHTS = int(os.environ.get("TRIAGE_SLEEP_MIN_NIGHTS", "3"))
TRIAGE_FAILED_DELIVERIES = int(os.environ.get("TRIAGE_FAILED_DELIVERIES", "2"))
TRIAGE_FAILED_DELIVERY_DAYS = int(os.environ.get("TRIAGE_FAILED_DELIVERY_DAYS", "7"))
# Group: an unexcused absence in the last N days; the last N marked sessions all absent.
TRIAGE_MISSED_GROUP_DAYS = int(os.environ.get("TRIAGE_MISSED_GROUP_DAYS", "7"))
TRIAGE_MISSED_IN_A_ROW = int(os.environ.get("TRIAGE_MISSED_IN_A_ROW", "2"))
# Behind a reverse proxy: how many proxies add to X-Forwarded-For (0: use the socket's address).
TRUSTED_PROXIES = int(os.environ.get("STEADY_TRUSTED_PROXIES", "0"))

REMINDER_GRACE_SECONDS = int(os.environ.get("REMINDER_GRACE_SECONDS", str(2 * 3600)))
REMINDER_MAX_ATTEMPTS = int(os.environ.get("REMINDER_MAX_ATTEMPTS", "5"))
REMINDER_RETRY_MAX_SECONDS = int(os.environ.get("REMINDER_RETRY_MAX_SECONDS", "1800"))
REMINDER_ACTION_TOKEN_SECONDS = int(os.environ.get("REMINDER_ACTION_TOKEN_SECONDS", str(12 * 3600)))
PUSH_SEND_CONCURRENCY = int(os.environ.get("PUSH_SEND_CONCURRENCY", "16"))
# Web Push (VAPID). Without VAPID_PRIVATE_KEY a key is generated into var/ on first use.
# The subject must be a real mailto: or https: address: push services contact it about abuse.
VAPID_PRIVATE_KEY = os.environ.get("VAPID_PRIVATE_KEY", "")
VAPID_SUBJECT = os.environ.get("VAPID_SUBJECT", "mailto:" + os.environ.get("VAPID_CONTACT_EMAIL", "steady@example.org"))
# Where push endpoints may point: https on these hosts only ("*.example.com" is any name under
# example.com): the push services of Chrome/Android (Firebase), Firefox, Safari and Edge. A send
# also checks that the host resolves to public addresses only, and connects to the address checked.
PUSH_SERVICE_HOSTS = env_list("PUSH_SERVICE_HOSTS", "fcm.googleapis.com,updates.push.services.mozilla.com,"
                              "*.push.services.mozilla.com,*.push.apple.com,*.notify.windows.com")
# How long a push service's addresses are kept before they are looked up again.
PUSH_DNS_CACHE_SECONDS = int(os.environ.get("PUSH_DNS_CACHE_SECONDS", "60"))
# Tests and benchmarks only: also send to a push service on this machine (http or https on
# 127.0.0.1, ::1 or localhost). `check --deploy` refuses it.
PUSH_ALLOW_LOCAL_SERVICE = env_bool("PUSH_ALLOW_LOCAL_SERVICE")

# The largest API body accepted (bytes); a larger one is a 413. The biggest real body, a full
# safety plan (7 sections of 12 lines of 200 characters), is about 100 KB even with every
# character escaped.
API_MAX_BODY_BYTES = int(os.environ.get("API_MAX_BODY_BYTES", str(256 * 1024)))
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Session for the app's own pages (DRF enforces CSRF for it), tokens for other clients.
        "tracker.api.authentication.ParticipantTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # JSON only: what the app and any client sends (the token endpoint also takes a form), with a
    # size and a nesting limit checked before parsing (tracker/api/parsers.py).
    "DEFAULT_PARSER_CLASSES": ["tracker.api.parsers.SteadyJSONParser"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "tracker.api.pagination.StrictLimitOffsetPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Steady API",
    "DESCRIPTION": (
        "Entries are written with PUT /api/v1/{kind}/{client-made uuid}/: the client makes the id, "
        "so a replay never makes a second row."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The goal's status is read by two components (the person's Goal and the care team's CareGoal,
    # issue 18): one enum, under the name it always had.
    "ENUM_NAME_OVERRIDES": {"GoalStatusEnum": "tracker.models.Goal.Status"},
    # Every operation documents the errors it can answer with (tracker/api/schema.py).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "tracker.api.schema.document_errors"],
}

# Nothing leaves the server's own origin: no CDN, fonts or analytics.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 30
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
if env_bool("BEHIND_TLS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
PERMISSIONS_POLICY = ("accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
                      "payment=(), usb=(), interest-cohort=()")
if PRODUCTION:
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    # __Host- cookies: only over HTTPS, only for this exact host, path /.
    SESSION_COOKIE_NAME = "__Host-steady-session"
    CSRF_COOKIE_NAME = "__Host-steady-csrf"
    SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
