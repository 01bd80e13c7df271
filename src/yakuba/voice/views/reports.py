"""Pages of 通報: the public form, map and list (reports_public), the Open311 API (open311), and the staff triage
(reports_staff)."""

from django.urls import URLPattern, URLResolver

from . import open311, reports_public, reports_staff

urlpatterns: list[URLPattern | URLResolver] = [*reports_public.urlpatterns, *open311.urlpatterns]
staff_urlpatterns: list[URLPattern | URLResolver] = [*reports_staff.urlpatterns]
