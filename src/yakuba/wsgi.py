"""WSGI entry point (gunicorn yakuba.wsgi)."""

import os
from typing import Any

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yakuba.settings")
application: Any = get_wsgi_application()

if settings.PAYMENTS_FAKEPAY_MOUNT:
    # The demo's payment provider in the same process (`make run`); production talks to a real provider.
    from yakuba.payments import fakepay

    accounts = fakepay.parse_accounts(os.environ.get("YAKUBA_FAKEPAY_ACCOUNTS", "").split(","))
    application = fakepay.mounted(application, accounts or dict(fakepay.DEMO_ACCOUNTS))
