"""Settings for Celery workers started by the integration tests: production settings, faster broker clocks.

Only the broker's bookkeeping intervals change, so that a task whose worker was
killed comes back within seconds instead of the production hour: the
visibility timeout (``CELERY_VISIBILITY_TIMEOUT``, set by the fixture) and how
often a worker scans for such tasks.
"""

from config.settings import *  # noqa: F403
from config.settings import CELERY_BROKER_TRANSPORT_OPTIONS

CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
