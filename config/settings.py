"""Settings read from the environment (django-environ).

Development works with no variables at all: DEBUG on, an embedded SQLite database,
mail printed to the console. With DJANGO_DEBUG off nothing insecure has a default:
the secret key must be given, cookies are secure and HSTS is on.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# load_demo creates users with known passwords: only where DJANGO_DEBUG is on (read here, because test
# runners switch DEBUG itself off for the run while the environment stays a development one).
DEMO_DATA_ALLOWED = DEBUG

if DEBUG:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="insecure-development-key-never-use-in-production")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")

SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_filters",
    "django_bootstrap5",
    "django_countries",
    "simple_history",
    "axes",
    "csp",
    "core",
    "vendors",
    "contracts",
    "assessments",
    "transfers",
    "dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: it turns a refused sign-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

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
                "core.context_processors.roles",
            ],
        },
    },
]

# Widgets render through TEMPLATES, so the project can override a widget template (selects are written in
# Python unless overridden: core/form_renderer.py).
FORM_RENDERER = "core.form_renderer.FormRenderer"

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if "postgresql" in DATABASES["default"]["ENGINE"]:
    # PostgreSQL's JIT compiler suits long analytical queries; here it spent 30 ms compiling each of the
    # reminder run's and the dashboard's queries that themselves take a few milliseconds.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Axes first: it refuses a locked-out sign-in before any password is checked.
AUTHENTICATION_BACKENDS = [
    "core.auth_backends.AxesLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ja", _("Japanese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="Asia/Tokyo")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="vendor-register@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Without a broker, a file-system queue lets `make run` run a worker with embedded beat on one machine.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BASE_DIR / "var" / "celery" / "queue"),
        "data_folder_out": str(BASE_DIR / "var" / "celery" / "queue"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves it queued for the next one
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Daily by default; REMINDER_INTERVAL_SECONDS (e.g. 300 in `make run`) runs them every N seconds instead,
# which is safe because a reminder is sent at most once.
_reminder_interval = env.int("REMINDER_INTERVAL_SECONDS", default=0)
CELERY_BEAT_SCHEDULE = {
    "expire-contracts": {
        "task": "contracts.tasks.expire_contracts",
        "schedule": _reminder_interval or crontab(hour=0, minute=10),
    },
    "send-reminders": {
        "task": "core.tasks.send_reminders",
        "schedule": _reminder_interval or crontab(hour=8, minute=0),
    },
    "verify-history": {"task": "core.tasks.verify_history", "schedule": crontab(hour=3, minute=30)},
}

# History cannot be edited through the product: the admin's "revert" is switched off.
SIMPLE_HISTORY_REVERT_DISABLED = True
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
# Key of the seals chaining each history row to the one before it (core.history_chain). Keep it stable and
# out of the database: changing it makes every existing row fail `manage.py verify_history`. Defaults to
# the secret key; set it (to the current secret key) before rotating DJANGO_SECRET_KEY.
HISTORY_HMAC_KEY = env.str("HISTORY_HMAC_KEY", default=SECRET_KEY)

SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_AGE_SECONDS", default=8 * 60 * 60)
# A session ends with the browser too, so a shared office computer does not keep the last user signed in.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content Security Policy (django-csp 4): pages carry no inline script, event handler or style attribute;
# scripts and styles come from static files only (tests/core/test_security.py checks every page kind).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # Bootstrap's CSS draws its icons as data: SVG
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Sign-in throttling (django-axes): after AXES_FAILURE_LIMIT failed attempts for one user name from one
# address, sign-in for that pair is refused for AXES_COOLOFF_MINUTES (0: until an administrator deletes the
# access attempt in the admin). A successful sign-in clears the count. Locking the pair, not the user name
# alone, keeps a stranger from locking a colleague out.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15)) or None
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_VERBOSE = False  # no start-up banner in every command's output; failures and lock-outs are still logged

if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
        # REMOTE_ADDR is the proxy's: throttle by the address the proxy appended to X-Forwarded-For (the
        # last entry; earlier ones are whatever the client sent).
        AXES_CLIENT_IP_CALLABLE = lambda request: (  # noqa: E731
            request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
            or request.META.get("REMOTE_ADDR")
        )

# Largest files accepted for upload.
MAX_DOCUMENT_BYTES = env.int("MAX_DOCUMENT_BYTES", default=20 * 1024 * 1024)  # signed contracts, consents
MAX_UPLOAD_BYTES = env.int("MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)  # evidence
MAX_WORKBOOK_BYTES = env.int("MAX_WORKBOOK_BYTES", default=5 * 1024 * 1024)  # questionnaires, vendor imports

# Excel registers of more rows than this are written by a Celery worker: the user sees a progress page
# and downloads the file from it. Those files are deleted after EXPORT_RETENTION_DAYS.
EXPORT_INLINE_MAX_ROWS = env.int("EXPORT_INLINE_MAX_ROWS", default=2000)
EXPORT_RETENTION_DAYS = env.int("EXPORT_RETENTION_DAYS", default=7)
# A background export whose worker reported no progress for this long is taken as abandoned and rebuilt.
EXPORT_STALE_MINUTES = 15

# Contract reminders: days before the notice deadline (0 = on the deadline itself).
CONTRACT_REMINDER_DAYS = env.list("CONTRACT_REMINDER_DAYS", cast=int, default=[90, 30, 7, 0])
# An unsent reminder claimed longer ago than this is taken as abandoned by a dead worker and retried.
REMINDER_CLAIM_TIMEOUT_MINUTES = 15

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
}

# How long an approved due-diligence assessment stays valid, by the vendor's risk tier.
ASSESSMENT_VALIDITY_MONTHS = {"high": 12, "medium": 24, "low": 36}
# Reminders before an assessment's validity ends (0 = on the day); the next periodic assessment is
# prepared as a draft this many days ahead.
ASSESSMENT_REMINDER_DAYS = [60, 30, 0]
REASSESSMENT_LEAD_DAYS = 60
