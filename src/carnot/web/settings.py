"""Django settings, from environment variables with safe defaults.

SQLite (a file under ``CARNOT_DATA_DIR``) when ``DATABASE_URL`` is not set; PostgreSQL with
``DATABASE_URL=postgres://user:password@host:port/name`` (a Unix socket: ``?host=/run/postgresql``).
``CARNOT_DEBUG=1`` for development.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlparse

from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("CARNOT_DATA_DIR", Path.cwd() / "var"))

DEBUG = os.environ.get("CARNOT_DEBUG", "0") == "1"
SECRET_KEY = os.environ.get("CARNOT_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and os.environ.get("CARNOT_REQUIRE_SECRET") == "1":
        raise RuntimeError("CARNOT_SECRET_KEY doit être défini en production")
    SECRET_KEY = "carnot-development-only-key-never-use-in-production"
ALLOWED_HOSTS = os.environ.get("CARNOT_ALLOWED_HOSTS", "localhost,127.0.0.1,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [origin for origin in os.environ.get(
    "CARNOT_CSRF_TRUSTED_ORIGINS", "").split(",") if origin]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "dsfr",
    "ninja",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "carnot.common",
    "carnot.audit",
    "carnot.accounts",
    "carnot.notifications",
    "carnot.registry",
    "carnot.ledgers",
    "carnot.applications",
    "carnot.allocation",
    "carnot.spending",
    "carnot.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "carnot.web.urls"
WSGI_APPLICATION = "carnot.web.wsgi.application"

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
                "django.template.context_processors.i18n",
                "dsfr.context_processors.site_config",
                "carnot.accounts.context_processors.role",
                "carnot.applications.context_processors.menu",
            ],
        },
    },
]


def _database(url: str) -> dict[str, object]:
    if not url:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": DATA_DIR / "carnot.sqlite3"}
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        raise RuntimeError(f"DATABASE_URL : schéma non géré « {parsed.scheme} »")
    # libpq's conventions: a Unix socket directory as ``?host=/run/postgresql`` or as a
    # percent-encoded host (``%2Frun%2Fpostgresql``); other query parameters (``sslmode``…)
    # are passed to psycopg.
    options = dict(parse_qsl(parsed.query))
    socket = unquote(parsed.netloc.rpartition("@")[2].partition(":")[0])
    host = options.pop("host", "") or (socket if socket.startswith("/") else parsed.hostname)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parsed.path.lstrip("/")),
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": host or "",
        "PORT": str(parsed.port or ""),
        "CONN_MAX_AGE": 60,
        "OPTIONS": options,
    }


DATABASES = {"default": _database(os.environ.get("DATABASE_URL", ""))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Failed logins: locked out after AXES_FAILURE_LIMIT tries for AXES_COOLOFF_TIME hours.
AXES_FAILURE_LIMIT = int(os.environ.get("CARNOT_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR.parent / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("CARNOT_MEDIA_ROOT", DATA_DIR / "media"))

# Uploads: signed commitment documents (PDF) and application spreadsheets (XLSX).
MAX_UPLOAD_BYTES = int(os.environ.get("CARNOT_MAX_UPLOAD_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_BYTES

# Background work (the Django tasks API, django-tasks backport): tasks are rows of the database,
# run by worker processes (``manage.py db_worker``; ``carnot demo`` starts one). Tests run them
# immediately unless a test asks for the database backend and a worker.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("CARNOT_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    },
}

# Ledger imports started from a page (carnot.applications.ledgers.tasks): the uploaded file waits
# for its task in LEDGER_IMPORT_FILES_ROOT (under the data directory, outside MEDIA_ROOT, served by
# no URL; workers on other machines need it shared) and is deleted once the task has ended. A job
# « en attente » or « en cours » whose task shows no sign of life for LEDGER_IMPORT_STALE_AFTER
# seconds is taken for one whose worker died: re-enqueued up to LEDGER_IMPORT_RETRIES times, then
# failed (checked when its page is polled and by « manage.py recover_stale_jobs »).
LEDGER_IMPORT_FILES_ROOT = Path(os.environ.get("CARNOT_LEDGER_IMPORT_FILES_ROOT",
                                               DATA_DIR / "ledger-imports"))
LEDGER_IMPORT_STALE_AFTER = float(os.environ.get("CARNOT_LEDGER_IMPORT_STALE_AFTER", "300"))
LEDGER_IMPORT_RETRIES = int(os.environ.get("CARNOT_LEDGER_IMPORT_RETRIES", "2"))

# E-mail: the demo writes each message to a file under var/mail (administrators list them at
# /notifications/envoyees/); production sets the SMTP backend and its server. Links in e-mails
# start with CARNOT_SITE_URL.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = Path(os.environ.get("EMAIL_FILE_PATH", DATA_DIR / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "0") == "1"
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL",
                                    "Carnot <ne-pas-repondre@carnot.localhost>")
SITE_URL = os.environ.get("CARNOT_SITE_URL", "http://127.0.0.1:8000").rstrip("/")


# Content security policy: only our own scripts and styles (DSFR and htmx are served locally).
CSP_DEFAULT_SRC = ("'self'",)
CSP_SCRIPT_SRC = ("'self'",)
CSP_STYLE_SRC = ("'self'",)
CSP_IMG_SRC = ("'self'", "data:")
CSP_FONT_SRC = ("'self'", "data:")
CSP_CONNECT_SRC = ("'self'",)
CSP_OBJECT_SRC = ("'none'",)
CSP_FRAME_ANCESTORS = ("'none'",)
CSP_FORM_ACTION = ("'self'",)
CSP_BASE_URI = ("'self'",)
# DSFR's base template puts the request's nonce on its <script src> tags; only scripts need it.
CSP_INCLUDE_NONCE_IN = ("script-src",)

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SESSION_COOKIE_SECURE = not DEBUG and os.environ.get("CARNOT_HTTPS", "0") == "1"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
                    if not DEBUG else "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"axes": {"handlers": ["console"], "level": "WARNING"}},
}
