"""Hireloop settings, read from the environment.

Every setting has a safe development default so that ``make run`` works with
no configuration: SQLite, in-process Celery tasks and console email. A
production deployment differs only by environment variables (see README).
"""

import re
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# The one switch: DJANGO_ENV=production turns DEBUG off and every secure setting on (see
# docs/production.md). DJANGO_DEBUG only matters in development; production refuses it.
DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in ("development", "production"):
    raise ImproperlyConfigured(f"DJANGO_ENV must be 'development' or 'production', not {DJANGO_ENV!r}.")
IS_PRODUCTION = DJANGO_ENV == "production"
DEBUG = env.bool("DJANGO_DEBUG", default=not IS_PRODUCTION)
if IS_PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG=true is refused with DJANGO_ENV=production: debug pages leak data.")
# A development key is only acceptable while DEBUG is on; production must set one.
SECRET_KEY = env("DJANGO_SECRET_KEY") if not DEBUG else env(
    "DJANGO_SECRET_KEY", default="dev-only-insecure-key-change-me-0123456789abcdefghijklmnop"
)
# Production names its hosts; the development default only answers locally.
ALLOWED_HOSTS = (
    env.list("DJANGO_ALLOWED_HOSTS")
    if not DEBUG
    else env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("HIRELOOP_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "axes",
    "csp",
    "drf_spectacular_sidecar",
    "hiring",
    "scorecards",
    "exercises",
    # Interview history imported from Greenhouse or Lever (manage.py import_history).
    "imports",
    "integrations",
    "privacy",
    # Quality of hire: check-ins on hires and the validity report (docs/quality-of-hire.md).
    "outcomes",
    # The benchmarks' synthetic-history command (manage.py generate_load_data); no models, no pages.
    "bench",
]

MIDDLEWARE = [
    # First, so that it marks every answer under /api/, including those the middleware below makes.
    "config.api.caching.api_cache_control",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The browser's Accept-Language; the profile's language (UserLocaleMiddleware, after authentication) wins.
    "config.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the CSRF check and the view: a throttled take-home request reads no body and looks up no token.
    "config.api.throttling.TakeHomeThrottleMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.locale.UserLocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "hiring.context_processors.navigation",
                "csp.context_processors.nonce",
            ],
            # User-supplied text in pages is wrapped so it cannot reorder them (hiring/templatetags/isolation.py).
            "builtins": ["hiring.templatetags.isolation"],
        },
    },
]

# An empty DATABASE_URL (`DATABASE_URL= make test`) means the embedded default, as an unset one does.
DATABASES = {
    "default": env.db_url_config(env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# A PostgreSQL connection costs a few milliseconds to open: web and worker processes keep theirs for a minute,
# checked before reuse so that a restarted server costs one failed check, not a failed request. (runserver
# closes each request thread's connection anyway; SQLite's are opened in microseconds.)
DATABASES["default"]["CONN_MAX_AGE"] = env.int(
    "DATABASE_CONN_MAX_AGE", default=60 if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" else 0
)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded database serves a web process and in-process tasks at once;
    # WAL and a busy timeout keep a reader from failing a concurrent writer.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL;",
        "transaction_mode": "IMMEDIATE",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env.bool("DATABASE_JIT", default=False):
    # PostgreSQL's JIT compiles every query whose estimated cost is high, and the pages' annotated
    # queries (correlated counts) are estimated high: at 50,000 loops the pipeline paid 120 ms of
    # compilation for 40 ms of work, and the calibration aggregates ran slower too (see bench/).
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "hiring.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Sign-in: passwords and/or the company's identity provider (docs/sign-in.md) ---------------------------
# false: no password is accepted anywhere (sign-in page, Django admin); only the identity provider signs people in.
HIRELOOP_PASSWORD_LOGIN = env.bool("HIRELOOP_PASSWORD_LOGIN", default=True)
# OpenID Connect is on when an issuer is set. Its endpoints come from <issuer>/.well-known/openid-configuration.
HIRELOOP_OIDC_ISSUER = env.str("HIRELOOP_OIDC_ISSUER", default="")
HIRELOOP_OIDC_CLIENT_ID = env.str("HIRELOOP_OIDC_CLIENT_ID", default="")
HIRELOOP_OIDC_CLIENT_SECRET = env.str("HIRELOOP_OIDC_CLIENT_SECRET", default="")
HIRELOOP_OIDC_SCOPES = env.str("HIRELOOP_OIDC_SCOPES", default="openid email profile")
HIRELOOP_OIDC_PROVIDER_NAME = env.str("HIRELOOP_OIDC_PROVIDER_NAME", default="your company account")
# The claims listing the person's groups (their values are pooled; a dotted path reaches into objects:
# realm_access.roles), and which values give which role; someone with none of them cannot sign in, and is
# deactivated if they had an account.
HIRELOOP_OIDC_ROLE_CLAIMS = env.list("HIRELOOP_OIDC_ROLE_CLAIMS", default=["groups"])
HIRELOOP_OIDC_ADMIN_GROUPS = env.list("HIRELOOP_OIDC_ADMIN_GROUPS", default=[])
HIRELOOP_OIDC_RECRUITER_GROUPS = env.list("HIRELOOP_OIDC_RECRUITER_GROUPS", default=[])
HIRELOOP_OIDC_COMMITTEE_GROUPS = env.list("HIRELOOP_OIDC_COMMITTEE_GROUPS", default=[])
HIRELOOP_OIDC_INTERVIEWER_GROUPS = env.list("HIRELOOP_OIDC_INTERVIEWER_GROUPS", default=[])
HIRELOOP_OIDC_SIGN_ALGO = env.str("HIRELOOP_OIDC_SIGN_ALGO", default="RS256")
HIRELOOP_OIDC_TIMEOUT_SECONDS = env.float("HIRELOOP_OIDC_TIMEOUT_SECONDS", default=5.0)
HIRELOOP_OIDC_DISCOVERY_CACHE_SECONDS = env.int("HIRELOOP_OIDC_DISCOVERY_CACHE_SECONDS", default=3600)
HIRELOOP_OIDC_CLOCK_LEEWAY_SECONDS = env.int("HIRELOOP_OIDC_CLOCK_LEEWAY_SECONDS", default=30)
if HIRELOOP_OIDC_ISSUER:
    _oidc_required = {"HIRELOOP_OIDC_CLIENT_ID": HIRELOOP_OIDC_CLIENT_ID,
                      "HIRELOOP_OIDC_CLIENT_SECRET": HIRELOOP_OIDC_CLIENT_SECRET}
    _oidc_missing = [name for name, value in _oidc_required.items() if not value]
    if _oidc_missing:
        raise ImproperlyConfigured(f"HIRELOOP_OIDC_ISSUER is set, so {' and '.join(_oidc_missing)} must be too.")
    if not any((HIRELOOP_OIDC_ADMIN_GROUPS, HIRELOOP_OIDC_RECRUITER_GROUPS, HIRELOOP_OIDC_COMMITTEE_GROUPS,
                HIRELOOP_OIDC_INTERVIEWER_GROUPS)):
        raise ImproperlyConfigured(
            "HIRELOOP_OIDC_ISSUER is set but no group gives a role: set HIRELOOP_OIDC_INTERVIEWER_GROUPS (and the "
            "others) to the groups of your identity provider, or nobody can sign in."
        )
    if "openid" not in HIRELOOP_OIDC_SCOPES.split():
        raise ImproperlyConfigured("HIRELOOP_OIDC_SCOPES must include 'openid'.")
    if not (HIRELOOP_OIDC_ISSUER.startswith("https://") or DEBUG):
        raise ImproperlyConfigured("HIRELOOP_OIDC_ISSUER must be an https:// URL.")
elif not HIRELOOP_PASSWORD_LOGIN:
    raise ImproperlyConfigured(
        "HIRELOOP_PASSWORD_LOGIN=false needs HIRELOOP_OIDC_ISSUER: otherwise nobody could sign in."
    )
AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out address or account is refused before any password or code is checked.
    "hiring.accounts.throttling.SignInThrottleBackend",
    *(["django.contrib.auth.backends.ModelBackend"] if HIRELOOP_PASSWORD_LOGIN else []),
    *(["hiring.oidc.backend.OidcBackend"] if HIRELOOP_OIDC_ISSUER else []),
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
# The interface's languages, each named in itself; adding one is docs/translations.md.
LANGUAGES = [
    ("en-gb", "English"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("es", "Español"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("HIRELOOP_TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env("HIRELOOP_MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
if EMAIL_CONFIG["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend":
    # Django's console backend prints whole messages (candidates' names, take-home links) into what is a log;
    # Hireloop's prints only ids and the message's shape (config/mail.py, docs/security.md).
    EMAIL_BACKEND = "config.mail.ConsoleEmailBackend"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Hireloop <hireloop@localhost>")

REDIS_URL = env("REDIS_URL", default="")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    # Rate-limit counters (config/api/throttling.py), shared by every web process through Redis; an alias of
    # their own so that tests can give them a clean, process-local store without emptying the real cache.
    "throttle": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "throttle"}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle"}
    ),
}

# --- Celery -----------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
# With no broker the tasks run in-process, so the embedded demo needs nothing else.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=180)
# A publish to a dead broker must fail fast: scorecard submission never waits on Redis.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
    "socket_connect_timeout": 2,
    # A hung Redis (accepting, not answering) costs a publisher this long, then the outbox takes over.
    "socket_timeout": env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=2.0),
    # acks_late tasks killed mid-run come back after this many seconds.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
}
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {
    "recommendation-outbox-drain": {
        "task": "scorecards.tasks.drain_recompute_outbox",
        "schedule": timedelta(seconds=env.int("HIRELOOP_OUTBOX_DRAIN_SECONDS", default=30)),
    },
}
# Feedback follow-up: reminders run hourly but reach each interviewer at most once per local day, from the
# hour their feedback falls due; recruiters get their digest once a day at HIRELOOP_DIGEST_HOUR (local time).
CELERY_BEAT_SCHEDULE.update({
    "hiring-feedback-reminders": {
        "task": "hiring.tasks.send_feedback_reminders",
        "schedule": crontab(minute=env.int("HIRELOOP_REMINDER_MINUTE", default=5)),
    },
    # The same hour as the reminders: "feedback overdue" events for webhooks and Slack, once a day per interview.
    "hiring-feedback-overdue-events": {
        "task": "hiring.tasks.record_overdue_feedback_events",
        "schedule": crontab(minute=env.int("HIRELOOP_REMINDER_MINUTE", default=5)),
    },
    "hiring-overdue-digests": {
        "task": "hiring.tasks.send_overdue_digests",
        "schedule": crontab(hour=env.int("HIRELOOP_DIGEST_HOUR", default=8), minute=0),
    },
    "hiring-loop-stages": {
        "task": "hiring.tasks.refresh_loop_stages",
        "schedule": timedelta(minutes=10),
    },
    "hiring-ready-for-review-catch-up": {
        "task": "hiring.tasks.catch_up_ready_notices",
        "schedule": timedelta(minutes=10),
    },
    "hiring-interview-invites-catch-up": {
        "task": "hiring.tasks.catch_up_interview_invites",
        "schedule": timedelta(minutes=10),
    },
})

# Personal API tokens: the lifetime a new token gets unless its owner chooses another, the longest they may
# choose, and how many days before expiry beat warns the owner by email (once per token, daily at the hour).
HIRELOOP_API_TOKEN_DAYS = env.int("HIRELOOP_API_TOKEN_DAYS", default=90)
HIRELOOP_API_TOKEN_MAX_DAYS = env.int("HIRELOOP_API_TOKEN_MAX_DAYS", default=365)
HIRELOOP_API_TOKEN_WARNING_DAYS = env.int("HIRELOOP_API_TOKEN_WARNING_DAYS", default=7)
if not 1 <= HIRELOOP_API_TOKEN_DAYS <= HIRELOOP_API_TOKEN_MAX_DAYS:
    raise ImproperlyConfigured(
        "HIRELOOP_API_TOKEN_DAYS must be at least 1 and at most HIRELOOP_API_TOKEN_MAX_DAYS "
        f"({HIRELOOP_API_TOKEN_DAYS} and {HIRELOOP_API_TOKEN_MAX_DAYS} given)."
    )
if HIRELOOP_API_TOKEN_WARNING_DAYS < 0:
    raise ImproperlyConfigured(
        f"HIRELOOP_API_TOKEN_WARNING_DAYS must be 0 or more ({HIRELOOP_API_TOKEN_WARNING_DAYS} given)."
    )
CELERY_BEAT_SCHEDULE["hiring-api-token-expiry-warnings"] = {
    "task": "hiring.tasks.warn_expiring_api_tokens",
    "schedule": crontab(hour=env.int("HIRELOOP_API_TOKEN_WARNING_HOUR", default=9), minute=15),
}

# --- REST framework -----------------------------------------------------------
_RATE = re.compile(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)")


def _rate(variable: str, default: str) -> str | None:
    """A rate limit from the environment: N/second|minute|hour|day, or "off"."""
    value = env.str(variable, default=default).strip()
    if value.lower() == "off":
        return None
    if not _RATE.fullmatch(value):
        raise ImproperlyConfigured(f"{variable} must read like 300/min (per second, minute, hour or day), or off")
    return value


REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes a request without credentials a 401, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "config.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "config.api.schema.HireloopAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "config.api.pagination.HireloopPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "config.api.filters.StorableValuesFilterBackend",
        "config.api.ordering.StableOrderingFilter",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "config.api.errors.api_exception_handler",
    # Per token and per user (reads apart from writes) and per address without credentials; past a rate,
    # 429 with Retry-After. Defaults and their reasons: docs/security.md.
    "DEFAULT_THROTTLE_CLASSES": [
        "config.api.throttling.CallerRateThrottle",
        "config.api.throttling.AnonymousRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "token_read": _rate("HIRELOOP_API_RATE_TOKEN_READ", "300/min"),
        "token_write": _rate("HIRELOOP_API_RATE_TOKEN_WRITE", "60/min"),
        "user_read": _rate("HIRELOOP_API_RATE_USER_READ", "600/min"),
        "user_write": _rate("HIRELOOP_API_RATE_USER_WRITE", "120/min"),
        "anon": _rate("HIRELOOP_API_RATE_ANON", "60/min"),
        # Not the API: the candidate's take-home page, per address (config.api.throttling).
        "take_home": _rate("HIRELOOP_TAKE_HOME_RATE", "60/hour"),
    },
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Hireloop API",
    "DESCRIPTION": (
        "Interview scorecards, hiring loops, recommendations and calibration, with the same rules as the "
        "web pages.\n\n"
        "**Authentication.** Send a personal token as `Authorization: Bearer hl_...` (create and revoke "
        "tokens on your profile page), or use the web session (pages' own scripts; unsafe methods then need "
        "the CSRF token). A token expires after the days chosen when it was created (its owner is emailed a "
        "week before, by default), and stops working when revoked or when its user is deactivated: the 401 "
        "says which in its `code` (`token_expired`, `token_revoked`, `user_inactive`; `authentication_failed` "
        "for a token Hireloop does not know). A token with the read-only scope may only read: POST, PUT, PATCH "
        "and DELETE get 403 `token_read_only`.\n\n"
        "**Errors.** Every error has the body `{\"code\", \"message\", \"field_errors\"}`: 400 invalid input, "
        "401 not authenticated, 403 refused on an object you may know exists, 404 missing or not visible to "
        "you, 409 a stale `version` or a state that no longer allows the action.\n\n"
        "**Lists** are paginated (`page`, `page_size` up to 200) and always totally ordered (ties broken by "
        "id), so walking the pages never skips or repeats a row.\n\n"
        "**Independence.** An interviewer sees no other scorecard, score or recommendation of a loop until "
        "they have submitted their own feedback on it."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "UserKindEnum": "hiring.models.User.Kind",
        "InterviewKindEnum": "hiring.models.Interview.Kind",
        "SignalKindEnum": "scorecards.models.Signal.Kind",
        "LoopStatusEnum": "hiring.models.InterviewLoop.Status",
        "ScorecardStatusEnum": "scorecards.models.Scorecard.Status",
        "ReportStatusEnum": "scorecards.models.CalibrationReport.Status",
        "EndpointKindEnum": "integrations.models.Endpoint.Kind",
        "EndpointAudienceEnum": "integrations.models.Endpoint.Audience",
        # A question and its guidance share one choice set (from the document, or written by the team).
        "QuestionOriginEnum": "scorecards.models.QuestionOrigin",
        "DeliveryStateEnum": "integrations.models.Delivery.State",
        "EventTypeEnum": "hiring.models.DomainEvent.Kind",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Hireloop -------------------------------------------------------------------
HIRELOOP_FEEDBACK_DUE_HOURS = env.int("HIRELOOP_FEEDBACK_DUE_HOURS", default=24)
# Scheduling warns when an interviewer would have more interviews than this in one ISO week (site's time zone).
HIRELOOP_INTERVIEWS_PER_WEEK_WARNING = env.int("HIRELOOP_INTERVIEWS_PER_WEEK_WARNING", default=8)
# A calendar feed lists interviews from this many days back (a subscribed calendar drops what leaves the feed)
# and every interview still to come.
HIRELOOP_CALENDAR_FEED_PAST_DAYS = env.int("HIRELOOP_CALENDAR_FEED_PAST_DAYS", default=14)
HIRELOOP_CALIBRATION_MIN_SAMPLE = env.int("HIRELOOP_CALIBRATION_MIN_SAMPLE", default=5)
# Calibration reports: bootstrap resamples behind each alpha interval, and the job's own time limit
# (a report over every role and years of loops takes longer than a recommendation).
HIRELOOP_CALIBRATION_BOOTSTRAP_RESAMPLES = env.int("HIRELOOP_CALIBRATION_BOOTSTRAP_RESAMPLES", default=1000)
HIRELOOP_CALIBRATION_TIME_LIMIT = env.int("HIRELOOP_CALIBRATION_TIME_LIMIT", default=600)
# A worker computing a report holds a lease on it, renewed by a heartbeat every third of this many seconds; a
# report whose lease lapsed lost its worker (killed, out of memory, restarted) and is computed again from the
# start, up to HIRELOOP_CALIBRATION_MAX_ATTEMPTS workers in all, then marked failed with a Retry button.
# The requeue job that notices runs every HIRELOOP_CALIBRATION_REQUEUE_SECONDS; a lost worker is noticed
# within the sum of the two. Hosts' clocks must agree to well within the lease (NTP).
HIRELOOP_CALIBRATION_LEASE_SECONDS = env.int("HIRELOOP_CALIBRATION_LEASE_SECONDS", default=90)
HIRELOOP_CALIBRATION_MAX_ATTEMPTS = env.int("HIRELOOP_CALIBRATION_MAX_ATTEMPTS", default=3)
HIRELOOP_CALIBRATION_REQUEUE_SECONDS = env.int("HIRELOOP_CALIBRATION_REQUEUE_SECONDS", default=60)
if HIRELOOP_CALIBRATION_LEASE_SECONDS < 3:
    raise ImproperlyConfigured("HIRELOOP_CALIBRATION_LEASE_SECONDS must be at least 3 (it is renewed every third).")
if HIRELOOP_CALIBRATION_MAX_ATTEMPTS < 1:
    raise ImproperlyConfigured("HIRELOOP_CALIBRATION_MAX_ATTEMPTS must be at least 1.")
if HIRELOOP_CALIBRATION_REQUEUE_SECONDS < 1:
    raise ImproperlyConfigured("HIRELOOP_CALIBRATION_REQUEUE_SECONDS must be at least 1.")
CELERY_TASK_ANNOTATIONS = {
    "scorecards.tasks_calibration.calibration_compute": {
        "soft_time_limit": HIRELOOP_CALIBRATION_TIME_LIMIT,
        "time_limit": HIRELOOP_CALIBRATION_TIME_LIMIT + 60,
    },
}
# Last month's report per role on the first of the month; queued reports whose hand-over to the broker
# failed are handed over again, and running reports whose worker stopped are requeued (or failed).
CELERY_BEAT_SCHEDULE.update({
    "calibration-monthly": {
        "task": "scorecards.tasks_calibration.calibration_monthly",
        "schedule": crontab(day_of_month=1, hour=env.int("HIRELOOP_CALIBRATION_MONTHLY_HOUR", default=3), minute=0),
    },
    "calibration-requeue": {
        "task": "scorecards.tasks_calibration.calibration_requeue",
        "schedule": timedelta(seconds=HIRELOOP_CALIBRATION_REQUEUE_SECONDS),
    },
})
HIRELOOP_RETENTION_MONTHS = env.int("HIRELOOP_RETENTION_MONTHS", default=24)
# How long a retried API write with the same Idempotency-Key gets the first answer back (docs/api.md); the
# kept answers are purged hourly once this has passed.
HIRELOOP_IDEMPOTENCY_HOURS = env.int("HIRELOOP_IDEMPOTENCY_HOURS", default=24)
CELERY_BEAT_SCHEDULE["idempotency-keys-purge"] = {
    "task": "hiring.tasks.purge_idempotency_keys",
    "schedule": timedelta(hours=1),
}
# false: the daily retention job only logs which candidates it would anonymise (ids), erasing nothing.
HIRELOOP_RETENTION_APPLY = env.bool("HIRELOOP_RETENTION_APPLY", default=True)
CELERY_BEAT_SCHEDULE["candidate-retention"] = {
    "task": "hiring.tasks_privacy.retention_anonymise_due",
    "schedule": crontab(hour=env.int("HIRELOOP_RETENTION_HOUR", default=2), minute=30),
}
# Recommendations: leniency shrinkage (pseudo-scorecards of zero offset), how long a pending
# recompute request waits for its own enqueue before the drain re-sends it, and the task's retries.
HIRELOOP_LENIENCY_PRIOR_STRENGTH = env.float("HIRELOOP_LENIENCY_PRIOR_STRENGTH", default=5.0)
# The rater model (docs/calibration.md): refitted this often by beat and after every calibration report; below
# this many loops joined by shared interviewers it is not fitted (no adjustment, the report says why).
HIRELOOP_RATER_MODEL_FIT_MINUTES = env.int("HIRELOOP_RATER_MODEL_FIT_MINUTES", default=60)
HIRELOOP_RATER_MODEL_MIN_LOOPS = env.int("HIRELOOP_RATER_MODEL_MIN_LOOPS", default=30)
CELERY_BEAT_SCHEDULE["scorecards-rater-model-fit"] = {
    "task": "scorecards.tasks.rater_model_fit",
    "schedule": timedelta(minutes=HIRELOOP_RATER_MODEL_FIT_MINUTES),
}
HIRELOOP_OUTBOX_GRACE_SECONDS = env.int("HIRELOOP_OUTBOX_GRACE_SECONDS", default=60)
HIRELOOP_RECOMMEND_MAX_RETRIES = env.int("HIRELOOP_RECOMMEND_MAX_RETRIES", default=6)
HIRELOOP_RECOMMEND_RETRY_BACKOFF_MAX = env.int("HIRELOOP_RECOMMEND_RETRY_BACKOFF_MAX", default=120)
# Take-home exercises: upload limit, accepted file types (extensions) and how long
# the candidate's link keeps working after the deadline.
HIRELOOP_TAKE_HOME_MAX_UPLOAD_MB = env.int("HIRELOOP_TAKE_HOME_MAX_UPLOAD_MB", default=20)
HIRELOOP_TAKE_HOME_ALLOWED_TYPES = env.list(
    "HIRELOOP_TAKE_HOME_ALLOWED_TYPES", default=["zip", "tar.gz", "pdf", "ipynb", "py", "md", "txt"]
)
HIRELOOP_TAKE_HOME_GRACE_HOURS = env.int("HIRELOOP_TAKE_HOME_GRACE_HOURS", default=24)

# --- Webhooks and Slack (the integrations app; docs/webhooks.md) ---------------------------------------
# Endpoints may not reach private, loopback, link-local (cloud metadata) or other internal addresses: checked
# when an endpoint is registered and again, after resolving its host, at every attempt (server-side request
# forgery). `true` only where receivers live on the same network on purpose (and in tests, on 127.0.0.1).
HIRELOOP_WEBHOOK_ALLOW_PRIVATE = env.bool("HIRELOOP_WEBHOOK_ALLOW_PRIVATE", default=False)
# Bodies are signed, not encrypted: production registers https:// endpoints only.
HIRELOOP_WEBHOOK_REQUIRE_HTTPS = env.bool("HIRELOOP_WEBHOOK_REQUIRE_HTTPS", default=IS_PRODUCTION)
# The hosts a Slack channel's incoming-webhook URL may name.
HIRELOOP_SLACK_WEBHOOK_HOSTS = env.list(
    "HIRELOOP_SLACK_WEBHOOK_HOSTS", default=["hooks.slack.com", "hooks.slack-gov.com"]
)
# Seconds: to connect (TLS included), then to answer. An attempt is cut off when both have passed in all, so a
# hanging receiver holds one worker slot that long at most, and never a user's request.
HIRELOOP_WEBHOOK_CONNECT_TIMEOUT = env.float("HIRELOOP_WEBHOOK_CONNECT_TIMEOUT", default=3.0)
HIRELOOP_WEBHOOK_READ_TIMEOUT = env.float("HIRELOOP_WEBHOOK_READ_TIMEOUT", default=5.0)
# Retries: base * 2^(attempt - 1) seconds after each failed attempt, at most RETRY_MAX_SECONDS apart, for
# RETRY_HOURS after the event (or a redelivery); then the delivery has failed.
HIRELOOP_WEBHOOK_RETRY_BASE_SECONDS = env.int("HIRELOOP_WEBHOOK_RETRY_BASE_SECONDS", default=30)
HIRELOOP_WEBHOOK_RETRY_MAX_SECONDS = env.int("HIRELOOP_WEBHOOK_RETRY_MAX_SECONDS", default=3600)
HIRELOOP_WEBHOOK_RETRY_HOURS = env.int("HIRELOOP_WEBHOOK_RETRY_HOURS", default=24)
# An endpoint is switched off (and its owner emailed) when every attempt has failed for DISABLE_AFTER_HOURS, or
# after DISABLE_AFTER_FAILURES failed attempts in a row, whichever comes first.
HIRELOOP_WEBHOOK_DISABLE_AFTER_FAILURES = env.int("HIRELOOP_WEBHOOK_DISABLE_AFTER_FAILURES", default=100)
HIRELOOP_WEBHOOK_DISABLE_AFTER_HOURS = env.int("HIRELOOP_WEBHOOK_DISABLE_AFTER_HOURS", default=24)
# How often beat re-sends what an enqueue missed and the retries that fell due; how long the log is kept.
HIRELOOP_WEBHOOK_SWEEP_SECONDS = env.int("HIRELOOP_WEBHOOK_SWEEP_SECONDS", default=15)
HIRELOOP_WEBHOOK_LOG_DAYS = env.int("HIRELOOP_WEBHOOK_LOG_DAYS", default=30)
for _name in (
    "HIRELOOP_WEBHOOK_CONNECT_TIMEOUT", "HIRELOOP_WEBHOOK_READ_TIMEOUT", "HIRELOOP_WEBHOOK_RETRY_BASE_SECONDS",
    "HIRELOOP_WEBHOOK_RETRY_MAX_SECONDS", "HIRELOOP_WEBHOOK_RETRY_HOURS", "HIRELOOP_WEBHOOK_DISABLE_AFTER_FAILURES",
    "HIRELOOP_WEBHOOK_DISABLE_AFTER_HOURS", "HIRELOOP_WEBHOOK_SWEEP_SECONDS", "HIRELOOP_WEBHOOK_LOG_DAYS",
):
    if vars()[_name] <= 0:
        raise ImproperlyConfigured(f"{_name} must be more than 0 ({vars()[_name]} given).")
# The watchdog ends an attempt at connect + read seconds; the time limits only back it up.
CELERY_TASK_ANNOTATIONS["integrations.tasks.deliver"] = {
    "soft_time_limit": int(HIRELOOP_WEBHOOK_CONNECT_TIMEOUT + HIRELOOP_WEBHOOK_READ_TIMEOUT) + 15,
    "time_limit": int(HIRELOOP_WEBHOOK_CONNECT_TIMEOUT + HIRELOOP_WEBHOOK_READ_TIMEOUT) + 30,
}
CELERY_BEAT_SCHEDULE.update({
    "integrations-webhook-sweep": {
        "task": "integrations.tasks.sweep",
        "schedule": timedelta(seconds=HIRELOOP_WEBHOOK_SWEEP_SECONDS),
    },
    "integrations-webhook-log-prune": {
        "task": "integrations.tasks.prune_log",
        "schedule": crontab(hour=env.int("HIRELOOP_RETENTION_HOUR", default=2), minute=45),
    },
})

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Candidates' personal data never reaches a log: every handler redacts email addresses and the
    # values the privacy registry knows (privacy/registry.py) before a record is written.
    "filters": {
        "personal_data": {"()": "hiring.logging.PersonalDataFilter"},
        "refusal_as_one_line": {"()": "config.request_logging.RefusalAsOneLine"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["personal_data"]},
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    # Django's own defaults send these to unfiltered handlers (runserver's access log carries query
    # strings such as a candidate search); route them through the filtered one instead.
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # A 403 is the access rules at work: one line (who, what, why), not a traceback per refusal.
        "django.request": {"filters": ["refusal_as_one_line"]},
    },
}
# Workers keep the logging above (and its redaction) instead of Celery's own handlers.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Security -----------------------------------------------------------------------
# Sign-in throttling (django-axes): failures are counted per account and client address together;
# reaching the limit locks that account from that address for HIRELOOP_LOCKOUT_MINUTES and says so
# (HTTP 429). Counting per account alone let anyone lock any user out with five wrong passwords, and per
# address alone locks everyone behind an office's shared address.
AXES_VERBOSE = False  # its start-up banner on every command is noise
AXES_ENABLED = env.bool("HIRELOOP_LOGIN_THROTTLING", default=True)
AXES_FAILURE_LIMIT = env.int("HIRELOOP_LOGIN_FAILURE_LIMIT", default=5)
HIRELOOP_LOCKOUT_MINUTES = env.int("HIRELOOP_LOCKOUT_MINUTES", default=15)
AXES_COOLOFF_TIME = timedelta(minutes=HIRELOOP_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "hiring.accounts.throttling.lockout_response"
AXES_CLIENT_IP_CALLABLE = "hiring.accounts.throttling.client_ip_address"
# Reverse proxies in front of the app that append to X-Forwarded-For (0: use the socket address).
HIRELOOP_TRUSTED_PROXY_COUNT = env.int("HIRELOOP_TRUSTED_PROXY_COUNT", default=0)

# Content security policy for every page: scripts and <style> only from this site or with the
# request's nonce (templates: nonce="{{ CSP_NONCE }}"); style attributes stay allowed for bar widths.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "worker-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
SESSION_COOKIE_AGE = env.int("HIRELOOP_SESSION_HOURS", default=12) * 3600

if not DEBUG:
    # HTTPS only: the app sits behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"

# Quality of hire (docs/quality-of-hire.md): a check-in not submitted this many days after it fell due is
# overdue (the recruiter's digest); below the minimum sample a figure is greyed and the report says how many
# more hires give an interval HIRELOOP_OUTCOME_INTERVAL_WIDTH wide. Beat sends due check-ins daily.
HIRELOOP_OUTCOME_OVERDUE_DAYS = env.int("HIRELOOP_OUTCOME_OVERDUE_DAYS", default=14)
HIRELOOP_OUTCOME_MIN_SAMPLE = env.int("HIRELOOP_OUTCOME_MIN_SAMPLE", default=10)
HIRELOOP_OUTCOME_INTERVAL_WIDTH = env.float("HIRELOOP_OUTCOME_INTERVAL_WIDTH", default=0.3)
CELERY_BEAT_SCHEDULE.update({
    "outcomes-send-due-checkins": {
        "task": "outcomes.tasks.send_due_checkins",
        "schedule": crontab(hour=env.int("HIRELOOP_DIGEST_HOUR", default=8), minute=10),
    },
    "outcomes-overdue-checkin-digests": {
        "task": "outcomes.tasks.send_overdue_checkin_digests",
        "schedule": crontab(hour=env.int("HIRELOOP_DIGEST_HOUR", default=8), minute=20),
    },
    "outcomes-validity-requeue": {
        "task": "outcomes.tasks.requeue_validity_reports",
        "schedule": timedelta(minutes=10),
    },
})
