"""The project's URLs with the デマンド交通 setup pages mounted under /staff/, for the tests of this branch until
yakuba.transport.urls collects them into yakuba.urls (then the extra mount is shadowed and harmless)."""

from django.urls import URLPattern, URLResolver, include, path

from yakuba import urls as project
from yakuba.transport.views import setup

_staff = [*project.staff_urlpatterns, *setup.staff_urlpatterns]
urlpatterns: list[URLPattern | URLResolver] = [
    path("staff/", include((_staff, "staff"))),
    *(pattern for pattern in project.urlpatterns if str(getattr(pattern, "pattern", "")) != "staff/"),
]
