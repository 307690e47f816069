"""The Celery application.

Serialisation, acknowledgement and time limits come from Django settings
(the ``CELERY_`` namespace) so that they live in one place.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("hireloop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
