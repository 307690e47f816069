"""Settings for benchmark runs: the product's settings plus the floor views, served as in production.

The floors (bare views that do the same work without the product's layers)
live in ``bench.urls``, never in the product's URLs. Everything else is
``config.settings`` as a production deployment would run it: DEBUG off (no
query log in memory), persistent database connections.
"""

import warnings

from config.settings import *  # noqa: F403
from config.settings import DATABASES, INSTALLED_APPS, env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY", default="bench-only-secret-key-not-for-production-0123456789abcdef")
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "bench.urls"
# config.settings lists "bench" already (for generate_load_data); a second entry stops Django at start-up.
INSTALLED_APPS = [*INSTALLED_APPS, *([] if "bench" in INSTALLED_APPS else ["bench"])]
# A production deployment keeps connections open between requests (DATABASE_CONN_MAX_AGE);
# without it every request would pay a new PostgreSQL connection, product and floors alike.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=300)
# Plain HTTP on loopback: production's HTTPS redirects and secure cookies would only get in the way.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
# The floor of the calibration job includes a no-op task's round trip, which needs a result.
CELERY_RESULT_BACKEND = env("CELERY_BROKER_URL", default="") or None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# DEBUG off makes WhiteNoise look for collected static files; pages are measured without their assets.
warnings.filterwarnings("ignore", message="No directory at")
