"""Settings, read from environment variables with safe defaults.

DEBUG is off unless ``DJANGO_DEBUG=1``; with DEBUG off, ``DJANGO_SECRET_KEY`` is required.
The database comes from ``DATABASE_URL`` (default: SQLite under ``var/``).
See docs/runbook.md for every variable.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PARCOURS_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105
    else:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DEBUG is off (set DJANGO_DEBUG=1 for development)."
        )
# Key rotation: the previous key(s), comma-separated, keep signed values (sessions, password
# reset links, signed tokens) valid while they are re-signed with the new key. Remove them once
# the longest-lived signed value has expired (docs/security.md).
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "parcours.accounts",
    "parcours.audit",
    "parcours.organisations",
    "parcours.people",
    "parcours.pathways",
    "parcours.competencies",
    "parcours.schedule",
    "parcours.companies",
    "parcours.intake",
    "parcours.outcomes",
    "parcours.privacy",
    "parcours.reporting",
    "parcours.imports",
    "parcours.demo",
    "parcours.scale",
    "parcours.ops",
    "parcours.api",
    "ninja",  # its templates and static files: the API's Swagger page, served by us (no CDN)
]

MIDDLEWARE = [
    # First: the client's address from a trusted reverse proxy (PARCOURS_TRUSTED_PROXIES).
    "parcours.audit.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "parcours.audit.middleware.ClientAddressMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "parcours.organisations.middleware.CurrentMembershipMiddleware",
    # After the membership middleware: the two-factor rule reads ``request.memberships``.
    "parcours.accounts.middleware.TwoFactorMiddleware",
    # Last: turns a lockout raised during authentication into the login page's message.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "parcours.urls"
WSGI_APPLICATION = "parcours.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "parcours" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "parcours.organisations.context_processors.current_membership",
            ],
        },
    },
]

# Django's form renderer, with the plain inputs, options and selects written in Python (the same
# HTML, without a template per radio button and per <option>): parcours/renderers.py.
FORM_RENDERER = "parcours.renderers.FormRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'parcours.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}


def prepare_threshold(value: str) -> int | None:
    """``DATABASE_PREPARE_THRESHOLD``: how many runs on a connection before psycopg prepares
    a statement, or ``None`` (``off``) for client-side binding without prepared statements."""
    value = value.strip().lower()
    if value in ("off", "none", "false", "no"):
        return None
    try:
        threshold = int(value)
    except ValueError:
        threshold = 0
    if threshold < 1:
        raise ImproperlyConfigured(
            f"DATABASE_PREPARE_THRESHOLD must be a whole number from 1, or off (got {value!r})."
        )
    return threshold


if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Server-side binding, and psycopg prepares a statement once it ran this many times on a
    # connection (kept CONN_MAX_AGE seconds): PostgreSQL parses it once, and plans it once when
    # its generic plan is no costlier than the custom ones — about a third less of its CPU on
    # the staff pages under load (docs/performance.md). "off" turns it off, for a pooler in
    # transaction mode that cannot keep prepared statements. 0 ("prepare at once") is refused:
    # multi-statement migrations cannot be prepared.
    # Empty is unset, as for every variable here (env_bool): the default.
    _prepare = prepare_threshold(os.environ.get("DATABASE_PREPARE_THRESHOLD", "").strip() or "5")
    if _prepare is not None:
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=_prepare
        )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several requests (runserver threads, the browser tests) share one file: wait on locks.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # A transaction takes the write lock when it begins: a check-then-insert (a room booking)
    # cannot interleave with another writer's (PostgreSQL enforces it with a constraint).
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Argon2 first: new passwords and every login re-hash with it; the others only verify hashes
# written before (and are upgraded to Argon2 at the next successful login).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# The lockout check comes first and refuses a locked account/address before any password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "parcours" / "locale"]
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y"]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "parcours" / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", VAR_DIR / "media"))
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

# A session ends after an hour without a request (each request pushes the expiry back) and
# when the browser closes. Database sessions whose unchanged row is written at most once a
# minute (parcours/accounts/sessions.py): the hour counts from the last request, within a minute.
SESSION_ENGINE = "parcours.accounts.sessions"
PARCOURS_SESSION_REFRESH_SECONDS = 60
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_AGE", str(3600)))
SESSION_SAVE_EVERY_REQUEST = True  # inactivity timeout rather than absolute
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# A strict Content-Security-Policy (django-csp): scripts and styles only from our own static
# files — no inline scripts, no event-handler attributes, no style attributes, no eval (htmx
# is told not to use it in base.html). Pages are never framed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# Behind HTTPS in production (the default when DEBUG is off); DJANGO_HTTPS=0 for a plain-HTTP
# intranet test install.
if env_bool("DJANGO_HTTPS", not DEBUG):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "parcours@localhost")
# The address links sent by e-mail start with (the tutors' private review links), without a
# trailing slash: e.g. https://parcours.example.org
PUBLIC_BASE_URL = os.environ.get("PARCOURS_PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Addresses of the reverse proxies in front of gunicorn (comma-separated): from them only,
# X-Forwarded-For gives the client's address (audit trail, login throttling). Empty: the
# connection's own address is the client's.
PARCOURS_TRUSTED_PROXIES = env_list("PARCOURS_TRUSTED_PROXIES")

# Password reset links sent by e-mail expire after this many seconds (default 2 hours).
PASSWORD_RESET_TIMEOUT = int(os.environ.get("DJANGO_PASSWORD_RESET_TIMEOUT", str(2 * 3600)))

# Two-factor authentication (TOTP + backup codes) is mandatory for every staff role (they all
# read personal data and documents; parcours/accounts/two_factor.py). Switch it off only
# on a lab install: PARCOURS_REQUIRE_2FA=0.
PARCOURS_REQUIRE_2FA = env_bool("PARCOURS_REQUIRE_2FA", True)
OTP_TOTP_ISSUER = "Parcours"

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failures for one account, or from one
# address, further attempts are refused for the cool-off time, even with the right password.
AXES_FAILURE_LIMIT = int(os.environ.get("PARCOURS_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(
    minutes=int(os.environ.get("PARCOURS_LOGIN_COOLOFF_MINUTES", "15"))
)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each one throttled on its own
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "parcours.accounts.throttling.username_from"
AXES_CLIENT_IP_CALLABLE = "parcours.audit.services.client_ip"
AXES_LOCKOUT_CALLABLE = "parcours.accounts.throttling.lockout_response"
# Failures are cleared only after the whole login (password and second factor) succeeds:
# parcours.accounts.views calls throttling.login_succeeded().
AXES_RESET_ON_SUCCESS = False
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["username", "password"]
# Log lines name the client by the path only (no e-mail, no IP address).
AXES_CLIENT_STR_CALLABLE = "parcours.accounts.throttling.client_str"
# Login records (e-mail and IP addresses) are deleted by ``parcours daily`` after this many days.
PARCOURS_LOGIN_RECORDS_DAYS = int(os.environ.get("PARCOURS_LOGIN_RECORDS_DAYS", "90"))

# Personal data never goes to logs: no request bodies, no request objects (Django's own
# ``django.request`` records carry the request), no exception messages from failed requests
# (they may quote a value), no e-mails to ADMINS with the request (Django's ``mail_admins``
# handler is replaced: the ``django`` logger's handlers are reset and it propagates to ours).
# See parcours/logging.py.
LOG_LEVEL = os.environ.get("DJANGO_LOG_LEVEL", "WARNING")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_personal_data": {"()": "parcours.logging.NoPersonalDataFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["no_personal_data"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"level": LOG_LEVEL, "propagate": True},
        "django.request": {"filters": ["no_personal_data"], "propagate": True},
        "django.security": {"filters": ["no_personal_data"], "propagate": True},
    },
}

PARCOURS_PAGE_SIZE = 50

# The import page checks and imports a file in a background thread of the web process
# (parcours/imports/jobs.py); the tests set it to False to run it inline.
PARCOURS_IMPORT_IN_THREAD = env_bool("PARCOURS_IMPORT_IN_THREAD", True)

# The REST API (/api/v1/, docs/api.md): requests per account (all its tokens), and failed
# authentications per client address, over a window (``N/s``, ``N/min``, ``N/hour``,
# ``N/day``); empty: no limit.
PARCOURS_API_RATE = os.environ.get("PARCOURS_API_RATE", "600/min") or None
PARCOURS_API_ANON_RATE = os.environ.get("PARCOURS_API_ANON_RATE", "60/min") or None
