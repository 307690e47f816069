"""The Celery application of a benchmark run: the product's app, with bench.settings."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from config.celery import app  # noqa: E402

__all__ = ["app"]
