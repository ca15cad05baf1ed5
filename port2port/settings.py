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
    "port2port.compliance",
    "port2port.access",
    "port2port.release",
]

MIDDLEWARE = [
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
DEMO_LOOPS = env_list("P2P_DEMO_LOOPS", "gate_traffic")

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
# How often each process looks for policy changes to patch its gate snapshot.
GATE_POLL_SECONDS = float(env_str("P2P_GATE_POLL_SECONDS", "0.5"))
# How far ahead an offline gate list reaches.
OFFLINE_LIST_HOURS = env_int("P2P_OFFLINE_LIST_HOURS", 12)
# The Ed25519 key that signs offline lists (PEM, or a file with P2P_SIGNING_KEY_FILE).
# Without it the key is derived from the secret key (demo only).
SIGNING_KEY = env_str("P2P_SIGNING_KEY")

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
