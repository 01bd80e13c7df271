"""WSGI entry point (gunicorn yakuba.wsgi)."""

import os
from typing import Any

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yakuba.settings")
application: Any = get_wsgi_application()

# Import every view now, not on a worker's first request: a worker started (or restarted) while the whole town is
# reloading the site would otherwise keep its first hundred readers waiting seconds for the imports.
for urlconf in (settings.ROOT_URLCONF, settings.PLATFORM_URLCONF):
    get_resolver(urlconf).url_patterns  # noqa: B018 - the import is the point

if settings.PAYMENTS_FAKEPAY_MOUNT:
    # The demo's payment provider in the same process (`make run`); production talks to a real provider.
    from yakuba.payments import fakepay

    accounts = fakepay.parse_accounts(os.environ.get("YAKUBA_FAKEPAY_ACCOUNTS", "").split(","))
    application = fakepay.mounted(application, accounts or dict(fakepay.DEMO_ACCOUNTS))
