"""The WSGI application gunicorn serves during a benchmark run (product URLs plus the floors)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
application = get_wsgi_application()
