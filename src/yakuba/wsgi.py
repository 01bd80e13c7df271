"""WSGI entry point (gunicorn yakuba.wsgi)."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yakuba.settings")
application = get_wsgi_application()

# Import every view now, not on a worker's first request: a worker started (or restarted) while the whole town is
# reloading the site would otherwise keep its first hundred readers waiting seconds for the imports.
for urlconf in (settings.ROOT_URLCONF, settings.PLATFORM_URLCONF):
    get_resolver(urlconf).url_patterns  # noqa: B018 - the import is the point
