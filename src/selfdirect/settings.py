"""Django settings for selfdirect.

Configuration comes from the environment so the same code serves the embedded demo (SQLite
under var/) and a PostgreSQL deployment:

- ``DATABASE_URL``: ``postgres://user@host:port/name``; unset means SQLite at var/selfdirect.sqlite3
- ``SELFDIRECT_SECRET_KEY``: required when ``SELFDIRECT_DEBUG`` is off
- ``SELFDIRECT_DEBUG``: "1" for the demo and tests
- ``SELFDIRECT_VAR``: where the SQLite file, static files and task output live (default ./var)
- ``SELFDIRECT_PG_LOCK_TIMEOUT``: on PostgreSQL, how long a statement waits for a lock before the
  request answers 503 "busy" (e.g. ``5s``; unset, it waits)
- ``SELFDIRECT_SMTP_HOST`` (and ``_PORT``, ``_USER``, ``_PASSWORD``, ``_TLS``), ``SELFDIRECT_FROM_EMAIL``:
  where invitations and password resets are sent from; unset in the demo, they are written to var/mail
- ``SELFDIRECT_SITE_URL``: the service's address, for links in emails sent from the command line
- ``SELFDIRECT_DB_ROLE``: on PostgreSQL, the role the application switches to after logging in, one
  that owns no table (core/dbroles.py, ``manage.py grant_app_role``); unset when running ``migrate``
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("SELFDIRECT_VAR", PROJECT_DIR / "var"))

DEBUG = os.environ.get("SELFDIRECT_DEBUG", "1") == "1"
SECRET_KEY = os.environ.get("SELFDIRECT_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("SELFDIRECT_SECRET_KEY must be set when SELFDIRECT_DEBUG is not 1")
    SECRET_KEY = "demo-only-not-secret-" + "x" * 40  # noqa: S105 - the demo never holds real data

ALLOWED_HOSTS = [h for h in os.environ.get("SELFDIRECT_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
if DEBUG:
    ALLOWED_HOSTS += ["testserver"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "selfdirect.core",
    "selfdirect.people",
    "selfdirect.accounts",
    "selfdirect.policies",
    "selfdirect.allocation",
    "selfdirect.assessment",
    "selfdirect.ledger",
    "selfdirect.market",
    "selfdirect.extracare",
    "selfdirect.plans",
    "selfdirect.reporting",
    "selfdirect.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "selfdirect.core.middleware.RefuseNulMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "selfdirect.core.middleware.AuthorityMiddleware",
    "selfdirect.accounts.middleware.SecondFactorMiddleware",
    "selfdirect.core.dbbusy.DatabaseBusyMiddleware",
]

ROOT_URLCONF = "selfdirect.urls"
WSGI_APPLICATION = "selfdirect.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "selfdirect.core.context_processors.authority",
                "selfdirect.accounts.context_processors.sign_in_options",
            ],
        },
    },
]


def database_from_url(url: str | None) -> dict[str, object]:
    """Turn DATABASE_URL into Django's DATABASES entry; None means the embedded SQLite file."""
    if not url:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "selfdirect.sqlite3",
            # The web server and the task worker share one file: take the write lock at the
            # start of each transaction and wait for it rather than failing "database is locked".
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000;",
            },
            # One test database per test process (pytest-xdist adds its worker's name), so two runs
            # of the suite on one machine never share, and break, one file.
            "TEST": {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")},
        }
    parts = urlparse(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise RuntimeError(f"DATABASE_URL: unsupported scheme {parts.scheme!r}; use postgres://")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")) or "selfdirect",
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": int(os.environ.get("SELFDIRECT_CONN_MAX_AGE", "0")),
        # How long a statement may wait for a lock (e.g. "5s"); past it the request answers 503, busy
        # (selfdirect.core.dbbusy). Unset: PostgreSQL's default, wait as long as it takes.
        "OPTIONS": {
            **(
                {"options": f"-c lock_timeout={os.environ['SELFDIRECT_PG_LOCK_TIMEOUT']}"}
                if os.environ.get("SELFDIRECT_PG_LOCK_TIMEOUT")
                else {}
            ),
            # The role the application acts as when it logs in as another: one that owns no table, so
            # it cannot switch the database's own rules off (core/dbroles.py). Unset for migrate.
            **({"assume_role": os.environ["SELFDIRECT_DB_ROLE"]} if os.environ.get("SELFDIRECT_DB_ROLE") else {}),
        },
    }


DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "selfdirect.accounts.oidc.CouncilOIDCBackend",  # a council's own sign-in, where it has set one up
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
OTP_TOTP_ISSUER = "Care and support budgets"
PASSWORD_RESET_TIMEOUT = 24 * 60 * 60  # a reset link works for a day

# Email (invitations, password resets). SMTP when SELFDIRECT_SMTP_HOST is set; otherwise the demo
# writes each message as a file under var/mail, and production uses an SMTP server on localhost.
DEFAULT_FROM_EMAIL = os.environ.get("SELFDIRECT_FROM_EMAIL", "care-budgets@localhost")
EMAIL_HOST = os.environ.get("SELFDIRECT_SMTP_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("SELFDIRECT_SMTP_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("SELFDIRECT_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("SELFDIRECT_SMTP_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("SELFDIRECT_SMTP_TLS", "") == "1"
EMAIL_TIMEOUT = 30
# The address people open the service at: links in emails sent from the command line use it (a page
# or an API call uses the address it was reached at).
SITE_URL = os.environ.get("SELFDIRECT_SITE_URL", "http://127.0.0.1:8000")
if DEBUG and not os.environ.get("SELFDIRECT_SMTP_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Failed sign-ins: after this many in the window, the account-and-address pair waits.
LOGIN_FAILURE_LIMIT = int(os.environ.get("SELFDIRECT_LOGIN_FAILURE_LIMIT", "5"))
LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 60 * 60
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
FORMAT_MODULE_PATH = ["selfdirect.formats"]  # en-GB's own formats would say "5 Apr 2026"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# GOV.UK Frontend comes from npm at setup (never committed). `./run setup` builds our stylesheet
# and copies just the script and assets we serve into var/build, so static files stay few.
STATICFILES_DIRS = [VAR_DIR / "build"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Every record reaches the root's one console handler. Django's default config also gives the
# "django" logger a console handler of its own (when DEBUG is on), which printed each 403 and 404
# twice; it keeps only the mail to ADMINS for server errors here. A 4xx is one line, no traceback.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "no_traceback_for_4xx": {"()": "selfdirect.core.logs.NoTracebackFor4xx"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "mail_admins": {
            "level": "ERROR",
            "filters": ["require_debug_false"],
            "class": "django.utils.log.AdminEmailHandler",
        },
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.request": {"filters": ["no_traceback_for_4xx"]},
    },
}

# Set by `./run`: the sign-in page then says which made-up accounts to try.
SELFDIRECT_DEMO = os.environ.get("SELFDIRECT_DEMO") == "1"

NINJA_PAGINATION_PER_PAGE = 50
PEOPLE_PAGE_SIZE = 25
