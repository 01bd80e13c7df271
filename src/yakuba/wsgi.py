"""WSGI entry point (gunicorn yakuba.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yakuba.settings")
application = get_wsgi_application()
