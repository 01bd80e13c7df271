"""A URL configuration for the report and GTFS tests: the project's, with the report's staff pages and the GTFS feed
mounted as transport/urls.py mounts them (kept until the lead's transport URLs are in yakuba.urls)."""

from django.urls import URLPattern, URLResolver, include, path

from yakuba import urls as root
from yakuba.transport.views import gtfs, report

staff: list[URLPattern | URLResolver] = [*root.staff_urlpatterns, *report.staff_urlpatterns]
urlpatterns: list[URLPattern | URLResolver] = [
    path("staff/", include((staff, "staff"))),
    path("", include((gtfs.urlpatterns, "transport"))),
    *(p for p in root.urlpatterns if getattr(p, "namespace", None) != "staff"),
]
