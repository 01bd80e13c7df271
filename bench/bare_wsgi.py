"""The ceiling for the serving benchmark: bare Django (no middleware, no database, no template) returning a constant,
served by the same gunicorn as yakuba."""

from __future__ import annotations

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import path

settings.configure(DEBUG=False, SECRET_KEY="bench-only-" + "x" * 50, ROOT_URLCONF=__name__, ALLOWED_HOSTS=["*"],
                   MIDDLEWARE=[], INSTALLED_APPS=[], USE_I18N=False)


def constant(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [path("", constant)]
application = get_wsgi_application()
