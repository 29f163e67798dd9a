"""Django settings for Sasom.

Everything that differs between a laptop demo and a production server comes from the
environment: ``DATABASE_URL`` (SQLite file by default), ``SASOM_SECRET_KEY``, ``SASOM_DEBUG``,
``SASOM_ALLOWED_HOSTS``, ``SASOM_DATA_DIR`` (where the SQLite file and uploads live) and
``SASOM_PRODUCTION`` (turns on HTTPS-only cookies and HSTS).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.utils.translation import gettext_lazy as _

# Lets class bases name the generics django-stubs types (``forms.ModelForm[Member]``).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("SASOM_DATA_DIR", Path.cwd() / "var"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


PRODUCTION = _env_bool("SASOM_PRODUCTION", False)
# Off unless asked for (SASOM_DEBUG=1), the demo included: a failure shows a friendly page with
# a reference id, never a traceback (core.middleware.ErrorReferenceMiddleware).
DEBUG = _env_bool("SASOM_DEBUG", False)
SECRET_KEY = os.environ.get(
    "SASOM_SECRET_KEY",
    "insecure-development-key-change-me-in-production-0123456789abcdefghij",
)
ALLOWED_HOSTS = [h for h in os.environ.get("SASOM_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("SASOM_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # serves the API docs' Swagger UI from our static files, not a CDN
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "sasom.core",
    "sasom.organizations",
    "sasom.members",
    "sasom.catalog",
    "sasom.ledger",
    "sasom.earning",
    "sasom.tiers",
    "sasom.promotions",
    "sasom.segments",
    "sasom.rewards",
    "sasom.checkout",
    "sasom.integrations",
    "sasom.notifications",
    "sasom.portal",
    "sasom.demo",
    "sasom.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "sasom.core.middleware.StaffContextMiddleware",
    "sasom.core.shopcontext.ShopContextMiddleware",
    "sasom.core.forms_once.FormOnceMiddleware",
    "axes.middleware.AxesMiddleware",
    "sasom.core.inputs.NulRefusalMiddleware",
    "sasom.integrations.idempotency.IdempotencyMiddleware",
    "sasom.core.middleware.ErrorReferenceMiddleware",
]

ROOT_URLCONF = "sasom.urls"
WSGI_APPLICATION = "sasom.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sasom.core.context_processors.sasom",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'sasom.sqlite3'}"),
        conn_max_age=int(os.environ.get("SASOM_CONN_MAX_AGE", "600")),
        # ``SELECT 1`` before a request's first query only on a connection idle for a few seconds
        # (core.db_session: under load, none; a connection that died while idle is replaced
        # before it fails a request). docs/performance.md, B1+ ("The sale's hot path").
        # 0 turns the check off altogether.
        conn_health_checks=os.environ.get("SASOM_CONN_HEALTH_CHECKS", "1") == "1",
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so
    # two writers queue instead of failing with "database is locked" halfway through.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# Reports on a read-only replica (docs/reports.md, "Reports on a replica"): the alias report pages
# read from. SASOM_REPORTS_DATABASE_URL adds it as "reports"; unset, reports read the primary.
REPORTS_DATABASE = os.environ.get("SASOM_REPORTS_DATABASE", "") or None
if os.environ.get("SASOM_REPORTS_DATABASE_URL"):
    DATABASES["reports"] = dj_database_url.parse(
        os.environ["SASOM_REPORTS_DATABASE_URL"],
        conn_max_age=int(os.environ.get("SASOM_CONN_MAX_AGE", "600")), conn_health_checks=True)
    DATABASES["reports"]["TEST"] = {"MIRROR": "default"}
    REPORTS_DATABASE = "reports"
if REPORTS_DATABASE:  # only then: no router on the sale path otherwise
    DATABASE_ROUTERS = ["sasom.reports.replica.ReportsRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "core:login"

# Login throttling: after AXES_FAILURE_LIMIT failures for one username from one address the
# account is locked for AXES_COOLOFF_TIME hours.
AXES_FAILURE_LIMIT = int(os.environ.get("SASOM_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "th"
LANGUAGES = [("th", _("Thai")), ("en", _("English")), ("fa", _("Persian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["sasom.formats"]  # Persian figures grouped by thousands (sasom/formats/fa)
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("SASOM_STATIC_ROOT", DATA_DIR / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"
if not PRODUCTION:
    # whitenoise warns at every start when the collected-static folder is missing.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "SASOM_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"
        ),
    }
}

# The scheduler (core.jobs, docs/operations.md): how many days back a missed date is still caught
# up, and how often the worker looks for jobs due. Imports above this many bytes run in the worker.
JOBS_CATCH_UP_DAYS = int(os.environ.get("SASOM_JOBS_CATCH_UP_DAYS", "7"))
JOBS_TICK_SECONDS = int(os.environ.get("SASOM_JOBS_TICK_SECONDS", "300"))
# Report exports written in the background (reports.ReportExport, their files under DATA_DIR/exports)
# are deleted by the daily job report_exports_purge once older than this many days.
REPORT_EXPORTS_KEEP_DAYS = int(os.environ.get("SASOM_REPORT_EXPORTS_KEEP_DAYS", "7"))
IMPORT_BACKGROUND_BYTES = int(os.environ.get("SASOM_IMPORT_BACKGROUND_BYTES", str(256 * 1024)))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _env_bool("SASOM_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SASOM_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# How long a process may use its compiled earning rules before checking the version again. A rule
# change shows in the process that made it at once, in the others within this many seconds; 0
# checks on every sale (one more query per sale).
EARNING_RULESET_TTL = float(os.environ.get("SASOM_RULESET_TTL", "5"))

# The benchmark's framework floor (POST /api/v1/bench/floor, docs/performance.md B1): mounted only
# when SASOM_BENCH_FLOOR is on, which only bench/run.py sets; never on in production.
BENCH_FLOOR = _env_bool("SASOM_BENCH_FLOOR", False) and not PRODUCTION

# A sale's date: at most this many seconds ahead of the server's clock, and no older than this many
# days (day-end batches have their own window; empty: no limit). docs/api.md "Dates".
SALE_CLOCK_TOLERANCE_SECONDS = int(os.environ.get("SASOM_SALE_CLOCK_TOLERANCE_SECONDS", "300"))
SALE_BACKPOST_DAYS: int | None = int(os.environ.get("SASOM_SALE_BACKPOST_DAYS", "90") or 0) or None
SALE_BATCH_BACKPOST_DAYS: int | None = int(os.environ.get("SASOM_SALE_BATCH_BACKPOST_DAYS", "400") or 0) or None

# Member portal (/m/<organization code>/): phone + one-time code by SMS. See docs/portal.md.
PORTAL_IDLE_SECONDS = int(os.environ.get("SASOM_PORTAL_IDLE_SECONDS", "1800"))
PORTAL_CODE_TTL_SECONDS = 300
PORTAL_CODE_MAX_TRIES = 5
PORTAL_RESEND_SECONDS = 60
PORTAL_CODES_PER_PHONE_HOUR = int(os.environ.get("SASOM_PORTAL_CODES_PER_PHONE_HOUR", "5"))
PORTAL_CODES_PER_IP_HOUR = int(os.environ.get("SASOM_PORTAL_CODES_PER_IP_HOUR", "30"))

# Outgoing messages (notifications.backends.BACKENDS): "console" prints them (phone masked but
# for its last 4 digits), "memory" keeps them in the process (tests).
NOTIFY_BACKEND = os.environ.get("SASOM_NOTIFY_BACKEND", "console")
NOTIFY_MAX_ATTEMPTS = 5
NOTIFY_RETRY_SECONDS = 30
# The providers' API addresses (tests point them at fakes on loopback); docs/messaging.md.
NOTIFY_THAIBULKSMS_URL = os.environ.get("SASOM_THAIBULKSMS_URL", "https://api-v2.thaibulksms.com/sms")
NOTIFY_LINE_API = os.environ.get("SASOM_LINE_API", "https://api.line.me")
# The address members reach Sasom at (https://points.myshop.co.th): messages link to the portal.
PUBLIC_URL = os.environ.get("SASOM_PUBLIC_URL", "")
# Minutes a LINE link code shown in the portal stays good.
NOTIFY_LINE_LINK_MINUTES = 15

# Largest upload accepted by the CSV import and batch endpoints (bytes).
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
SASOM_IMPORT_MAX_BYTES = int(os.environ.get("SASOM_IMPORT_MAX_BYTES", str(50 * 1024 * 1024)))
# Largest day-end batch file (it is streamed to disk, never held in memory).
SASOM_BATCH_MAX_BYTES = int(os.environ.get("SASOM_BATCH_MAX_BYTES", str(512 * 1024 * 1024)))
# Purchase and points-used messages only for events this recent (hours; empty: any age): a day-end
# batch posting last week's receipts does not text members about them now.
NOTIFY_EVENT_MAX_AGE_HOURS: int | None = int(os.environ.get("SASOM_NOTIFY_EVENT_MAX_AGE_HOURS", "24") or 0) or None
# Broadcasts: members queued per minute by the worker (the gateway's pace).
NOTIFY_BROADCAST_PER_MINUTE = int(os.environ.get("SASOM_BROADCAST_PER_MINUTE", "600"))
