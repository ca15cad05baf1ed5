"""Settings for Port2Port, read from environment variables.

The embedded default is SQLite in ``var/`` with an in-process task queue table and
no broker. ``DATABASE_URL=postgres://...`` switches to PostgreSQL (psycopg 3). With
``P2P_DEBUG`` off the platform refuses to start with an unsafe configuration.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SECRET_KEY = "insecure-demo-key-change-me"  # noqa: S105


def env_str(name: str, default: str = "") -> str:
    """Return the variable, or the contents of the file named by ``<NAME>_FILE``."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be a whole number, not {value!r}"
        ) from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


# "production" (the default) refuses unsafe settings; "demo" runs on a laptop with
# the demo key and no TLS.
MODE = env_str("P2P_MODE", "production")
if MODE not in {"production", "demo"}:
    raise ImproperlyConfigured(f"P2P_MODE must be production or demo, not {MODE!r}")
DEMO = MODE == "demo"
DEBUG = env_bool("P2P_DEBUG", False)
SECRET_KEY = env_str("P2P_SECRET_KEY", DEFAULT_SECRET_KEY)
ALLOWED_HOSTS = env_list("P2P_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEMO else "")
CSRF_TRUSTED_ORIGINS = env_list("P2P_CSRF_TRUSTED_ORIGINS")
# A separate key for the keyed hash of national register numbers, so that a leaked
# SECRET_KEY (sessions) does not also open the register-number index.
IDENTITY_HASH_KEY = env_str("P2P_IDENTITY_HASH_KEY", SECRET_KEY)
VAR_DIR = Path(env_str("P2P_VAR_DIR", str(BASE_DIR / "var")))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "ninja",
    "django_tasks_db",
    "port2port.core",
    # After access: its demo data creates the courses that compliance's builds on.
    "port2port.access",
    "port2port.compliance",
    "port2port.release",
    "port2port.reporting",
    "port2port.detection",
    "port2port.sharing",
]

MIDDLEWARE = [
    # Strips the client address and browser details from the public reporting
    # pages before any other middleware, view or log can see them.
    "port2port.reporting.middleware.ReporterPrivacyMiddleware",
    "port2port.core.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "port2port.core.middleware.TwoFactorRequiredMiddleware",
    "port2port.core.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]
# API requests with a bearer token (gate controllers, integrations) skip the
# browser middleware: see port2port/wsgi.py.
DEVICE_MIDDLEWARE = [
    "port2port.core.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.locale.LocaleMiddleware",
]

ROOT_URLCONF = "port2port.urls"
WSGI_APPLICATION = "port2port.wsgi.application"
AUTH_USER_MODEL = "core.User"

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
                "port2port.core.context_processors.shell",
            ],
        },
    },
]

# Database: SQLite in var/ unless DATABASE_URL names another.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "port2port.sqlite3"),
            # Keep connections: opening one runs the PRAGMAs below each time.
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                # Writers queue behind each other instead of failing at commit.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA busy_timeout=20000;"
                    "PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Re-seals a report handler's private key whenever the password changes.
    {"NAME": "port2port.reporting.passwords.HandlerKeyPasswordHook"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"

# Login throttling: after AXES_FAILURE_LIMIT failures for one user name and address,
# the account is locked for AXES_COOLOFF_TIME hours.
AXES_FAILURE_LIMIT = env_int("P2P_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("P2P_LOGIN_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_VERBOSE = False

# Roles that must use TOTP two-factor authentication before they can use the site.
# The demo leaves it to each account, so that its accounts can log in at once.
TWO_FACTOR_REQUIRED_ROLES = env_list(
    "P2P_TWO_FACTOR_REQUIRED_ROLES",
    "" if DEMO else "platform_admin,national_authority,port_security_officer",
)
OTP_TOTP_ISSUER = "Port2Port"

SESSION_COOKIE_AGE = env_int("P2P_SESSION_SECONDS", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# TLS terminates at the load balancer in production; these follow P2P_HTTPS.
HTTPS = env_bool("P2P_HTTPS", not DEMO)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = env_bool("P2P_SSL_REDIRECT", HTTPS)
# Load balancers probe health over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_PRELOAD = env_bool("P2P_HSTS_PRELOAD", False)
# Joining the browsers' HSTS preload list is the domain owner's decision, so the
# check that asks for it is silenced; P2P_HSTS_PRELOAD turns it on.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("P2P_BEHIND_PROXY", False) else None
)

# Optional raster tiles for the map; without it the map draws vector layers only,
# so that it works on a closed network.
MAP_TILE_URL = env_str("P2P_MAP_TILE_URL")
MAP_TILE_ATTRIBUTION = env_str("P2P_MAP_TILE_ATTRIBUTION")
_tile_origin = ""
if MAP_TILE_URL:
    from urllib.parse import urlsplit

    _parts = urlsplit(MAP_TILE_URL.replace("{s}", "a"))
    _tile_origin = f"{_parts.scheme}://{_parts.netloc}".replace("://a.", "://*.")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"] + ([_tile_origin] if _tile_origin else []),
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("nl", "Nederlands"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "port2port" / "locale"]
USE_I18N = True
TIME_ZONE = env_str("P2P_TIME_ZONE", "Europe/Brussels")
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Leaflet's files come from the django-leaflet package. It is not an installed app,
# because its admin widgets need GDAL, which the platform does not.
_leaflet_spec = importlib.util.find_spec("leaflet")
STATICFILES_DIRS = [BASE_DIR / "static"]
if _leaflet_spec and _leaflet_spec.submodule_search_locations:
    STATICFILES_DIRS.append(
        Path(_leaflet_spec.submodule_search_locations[0]) / "static"
    )
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Static files are served from the installed apps without collectstatic, so that
# the demo needs no build step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
    }
}

# Threads that run Django in each web process (granian's blocking threads).
WEB_THREADS = env_int("P2P_WEB_THREADS", 16)

# Management commands that ``port2port demo`` runs with --loop beside the web
# server and the worker: the live simulated traffic of the demo.
DEMO_LOOPS = env_list("P2P_DEMO_LOOPS", "gate_traffic,simulate,detection_run")

# The worker writes a heartbeat this often; /healthz reports it stale after 3x.
WORKER_HEARTBEAT_SECONDS = env_int("P2P_WORKER_HEARTBEAT_SECONDS", 10)

API_PAGE_SIZE = env_int("P2P_API_PAGE_SIZE", 50)

# Access control. Unknown in public sources, so settings with sensible defaults:
# a verification's validity and a visit's longest window.
PASS_VALIDITY_YEARS = env_int("P2P_PASS_VALIDITY_YEARS", 5)
PASS_COLLECT_MONTHS = env_int("P2P_PASS_COLLECT_MONTHS", 6)
VERIFICATION_VALIDITY_YEARS = env_int("P2P_VERIFICATION_VALIDITY_YEARS", 5)
VISIT_MAX_DAYS = env_int("P2P_VISIT_MAX_DAYS", 31)
# How often the worker looks for bans issued ahead of time whose first day has come
# (the gates refuse the person from that day on anyway; this suspends the passes).
BAN_START_CHECK_SECONDS = env_int("P2P_BAN_START_CHECK_SECONDS", 3600)
# Secure container release. How long a closed chain (gated out, withdrawn, expired)
# is kept is not published: a year by default. Phase 2 of Certified Pick-Up asks a
# fingerprint match at the gate.
RELEASE_RETENTION_DAYS = env_int("P2P_RELEASE_RETENTION_DAYS", 365)
RELEASE_BIOMETRIC_REQUIRED = env_bool("P2P_RELEASE_BIOMETRIC_REQUIRED", True)
# Releases in one API request or CSV upload (the service itself takes any number).
RELEASE_BULK_MAX = env_int("P2P_RELEASE_BULK_MAX", 5000)
RELEASE_EXPIRY_CHECK_SECONDS = env_int("P2P_RELEASE_EXPIRY_CHECK_SECONDS", 300)
# Webhooks: each delivery waits this long for an answer; a failure is retried
# after 30 s, 1 min, 2 min … (at most an hour apart), WEBHOOK_MAX_ATTEMPTS times.
# Plain http and private addresses are for demonstrations and tests only.
WEBHOOK_TIMEOUT_SECONDS = env_int("P2P_WEBHOOK_TIMEOUT_SECONDS", 5)
WEBHOOK_MAX_ATTEMPTS = env_int("P2P_WEBHOOK_MAX_ATTEMPTS", 10)
WEBHOOK_BACKOFF_SECONDS = env_int("P2P_WEBHOOK_BACKOFF_SECONDS", 30)
WEBHOOK_BACKOFF_MAX_SECONDS = env_int("P2P_WEBHOOK_BACKOFF_MAX_SECONDS", 3600)
WEBHOOK_ALLOW_HTTP = env_bool("P2P_WEBHOOK_ALLOW_HTTP", DEMO)
WEBHOOK_ALLOW_PRIVATE = env_bool("P2P_WEBHOOK_ALLOW_PRIVATE", DEMO)
# Files the platform keeps (plans, inspection photos, evidence): never served as
# they are, only through pages and endpoints that check who asks.
MEDIA_ROOT = Path(env_str("P2P_FILES_DIR", str(VAR_DIR / "files")))
# Compliance (ISPS). What counts as "due soon", how long after a major change a
# plan must be reviewed (not published: 90 days by default), how long before a
# training expires its holder's officers are told, how often reminders run, and
# the largest upload. An empty exercise-mode runner means the detection module is
# not there yet: scenarios are then run as ordinary drills.
COMPLIANCE_DUE_SOON_DAYS = env_int("P2P_COMPLIANCE_DUE_SOON_DAYS", 30)
COMPLIANCE_MAJOR_CHANGE_REVIEW_DAYS = env_int("P2P_MAJOR_CHANGE_REVIEW_DAYS", 90)
COMPLIANCE_TRAINING_REMINDER_DAYS = env_int("P2P_TRAINING_REMINDER_DAYS", 60)
COMPLIANCE_REMINDER_SECONDS = env_int("P2P_COMPLIANCE_REMINDER_SECONDS", 3600)
COMPLIANCE_UPLOAD_MAX_BYTES = env_int("P2P_COMPLIANCE_UPLOAD_MAX_BYTES", 50 << 20)
COMPLIANCE_EXERCISE_MODE_RUNNER = env_str(
    "P2P_EXERCISE_MODE_RUNNER", "port2port.detection.exercise.exercise_mode_run"
)
# How often each process looks for policy changes to patch its gate snapshot.
GATE_POLL_SECONDS = float(env_str("P2P_GATE_POLL_SECONDS", "0.5"))
# How far ahead an offline gate list reaches.
OFFLINE_LIST_HOURS = env_int("P2P_OFFLINE_LIST_HOURS", 12)
# The Ed25519 key that signs offline lists (PEM, or a file with P2P_SIGNING_KEY_FILE).
# Without it the key is derived from the secret key (demo only).
SIGNING_KEY = env_str("P2P_SIGNING_KEY")

# Anonymous reporting (Portwatch and the port channels). Closed reports are deleted,
# files included, after REPORTING_RETENTION_DAYS (90 days, as GlobaLeaks' default).
REPORTING_RETENTION_DAYS = env_int("P2P_REPORTING_RETENTION_DAYS", 90)
# Sealed files live here, under random names; never served directly.
REPORTING_FILES_DIR = Path(
    env_str("P2P_REPORTING_FILES_DIR", str(VAR_DIR / "reporting"))
)
REPORTING_MAX_FILE_BYTES = env_int("P2P_REPORTING_MAX_FILE_BYTES", 10 * 1024 * 1024)
REPORTING_MAX_FILES = env_int("P2P_REPORTING_MAX_FILES", 5)
REPORTING_MAX_IMAGE_PIXELS = env_int("P2P_REPORTING_MAX_IMAGE_PIXELS", 40_000_000)
# Argon2id for handler passwords and receipts (time cost, memory in KiB, lanes).
REPORTING_KDF = (
    env_int("P2P_REPORTING_KDF_TIME", 3),
    env_int("P2P_REPORTING_KDF_MEMORY_KIB", 65536),
    env_int("P2P_REPORTING_KDF_PARALLELISM", 1),
)
# The installation secret mixed into receipt derivation, so that a copy of the
# database alone cannot test receipts. Derived from the secret key unless set.
REPORTING_RECEIPT_PEPPER = env_str("P2P_REPORTING_RECEIPT_PEPPER")
# Proof of work (leading zero bits of SHA-256) asked by the public forms.
REPORTING_POW_BITS = env_int("P2P_REPORTING_POW_BITS", 18)
REPORTING_POW_LOGIN_BITS = env_int("P2P_REPORTING_POW_LOGIN_BITS", 16)
REPORTING_POW_TTL_SECONDS = env_int("P2P_REPORTING_POW_TTL_SECONDS", 3600)
# Global rate limits: counted for everyone together, since no one is identified.
# Each is (requests, seconds).
REPORTING_RATE_SUBMIT = (env_int("P2P_REPORTING_RATE_SUBMIT", 60), 600)
REPORTING_RATE_SUBMIT_NO_SCRIPT = (
    env_int("P2P_REPORTING_RATE_SUBMIT_NO_SCRIPT", 10),
    600,
)
REPORTING_RATE_FOLLOW_UP = (env_int("P2P_REPORTING_RATE_FOLLOW_UP", 300), 600)
# Failed receipt logins, for everyone together, before the login pauses.
REPORTING_RATE_RECEIPT_FAILURES = (
    env_int("P2P_REPORTING_RECEIPT_FAILURES", 30),
    300,
)
REPORTING_REPORTER_SESSION_MINUTES = env_int("P2P_REPORTING_SESSION_MINUTES", 30)
# Statistics for the national authority: a count below this is not shown.
REPORTING_STATS_MIN_CELL = env_int("P2P_REPORTING_STATS_MIN_CELL", 5)
# An unlocked handler key lasts at most this long in a session.
REPORTING_KEY_UNLOCK_HOURS = env_int("P2P_REPORTING_KEY_UNLOCK_HOURS", 8)
# No text messages are sent about reports: a notification by SMS or e-mail would
# tell the operator's network that a report exists. Handlers see new reports in
# their inbox.

LOG_LEVEL = env_str("P2P_LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "port2port.core.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "_granian": {"level": "WARNING"},
        "granian.access": {"level": "WARNING"},
    },
}


def _check_production_settings() -> None:
    """Refuse to run a production configuration that is not safe."""
    problems = []
    if DEBUG:
        problems.append("P2P_DEBUG must be off in production")
    if SECRET_KEY == DEFAULT_SECRET_KEY or len(SECRET_KEY) < 50:
        problems.append(
            "P2P_SECRET_KEY must be set to a random value of 50+ characters"
        )
    if IDENTITY_HASH_KEY == DEFAULT_SECRET_KEY:
        problems.append("P2P_IDENTITY_HASH_KEY must not be the demo key")
    if not ALLOWED_HOSTS:
        problems.append("P2P_ALLOWED_HOSTS must name the host names of the platform")
    if problems:
        raise ImproperlyConfigured(
            "Unsafe production settings (P2P_MODE=demo is for demonstrations only): "
            + "; ".join(problems)
        )


if not DEMO:
    _check_production_settings()

# Detection and the control room. Events in one API request; how long a live
# stream stays open before the browser reconnects (so web threads come back);
# the MQTT broker (empty: no consumer) and its topic map (topic filter = format).
DETECTION_BATCH_MAX = env_int("P2P_DETECTION_BATCH_MAX", 10_000)
DETECTION_STREAM_SECONDS = env_int("P2P_DETECTION_STREAM_SECONDS", 300)
DETECTION_RULES_POLL_SECONDS = float(env_str("P2P_DETECTION_RULES_POLL_SECONDS", "0.2"))
# How often each control-room stream looks for changed alerts.
DETECTION_STREAM_POLL_SECONDS = float(
    env_str("P2P_DETECTION_STREAM_POLL_SECONDS", "0.2")
)
# Notifications of alerts to the people on call: how often new and unacknowledged
# alerts are looked at; the SMS gateway (POST JSON {"to", "message"}; empty: no
# SMS) and the bearer token it wants; how long a gateway or webhook may take.
DETECTION_NOTIFY_SECONDS = env_int("P2P_DETECTION_NOTIFY_SECONDS", 30)
DETECTION_SMS_GATEWAY_URL = env_str("P2P_DETECTION_SMS_GATEWAY_URL")
DETECTION_SMS_GATEWAY_TOKEN = env_str("P2P_DETECTION_SMS_GATEWAY_TOKEN")
DETECTION_NOTIFY_TIMEOUT_SECONDS = env_int("P2P_DETECTION_NOTIFY_TIMEOUT_SECONDS", 5)
# Event retention in days per kind (kind=days); events linked to an alert or an
# incident are kept. Kinds not listed are kept until a partition is dropped.
DETECTION_RETENTION_DAYS = {
    kind: int(days)
    for kind, days in (
        item.split("=", 1)
        for item in env_list("P2P_DETECTION_RETENTION_DAYS", "anpr.read=30,heartbeat=7")
        if "=" in item
    )
}
# Reminders of a serious incident's written report, in hours before it is due
# (0: when it falls due).
DETECTION_REPORT_REMINDER_HOURS = [
    int(h) for h in env_list("P2P_DETECTION_REPORT_REMINDER_HOURS", "12,2,0")
]
# The consumer keeps a persistent session (a fixed client id, QoS 1) that the broker
# holds for MQTT_SESSION_EXPIRY_SECONDS while it is away; it reconnects by itself,
# waiting 1 s up to MQTT_RECONNECT_MAX_SECONDS between attempts.
MQTT_URL = env_str("P2P_MQTT_URL")
MQTT_CLIENT_ID = env_str("P2P_MQTT_CLIENT_ID", "port2port-detection")
MQTT_TOPICS = dict(
    item.split("=", 1)
    for item in env_list(
        "P2P_MQTT_TOPICS",
        "frigate/events=frigate,frigate/reviews=frigate,port2port/+/+/events=generic",
    )
    if "=" in item
)
MQTT_SESSION_EXPIRY_SECONDS = env_int("P2P_MQTT_SESSION_EXPIRY_SECONDS", 7 * 86400)
MQTT_RECONNECT_MAX_SECONDS = env_int("P2P_MQTT_RECONNECT_MAX_SECONDS", 30)

# The hub (sharing). A new indicator is matched against this many past days of
# gate decisions, ANPR reads, releases, pick-ups and visits; the live matcher
# runs this often; the national overview hides counts below the threshold.
SHARING_MATCH_DAYS = env_int("P2P_SHARING_MATCH_DAYS", 30)
SHARING_MATCH_INTERVAL_SECONDS = env_int("P2P_SHARING_MATCH_INTERVAL_SECONDS", 30)
SHARING_STATS_MIN_CELL = env_int("P2P_SHARING_STATS_MIN_CELL", 5)
SHARING_ATTACHMENT_MAX_BYTES = env_int("P2P_SHARING_ATTACHMENT_MAX_BYTES", 20_000_000)
