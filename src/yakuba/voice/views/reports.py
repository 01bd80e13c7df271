"""Pages of 通報: the public form, map and list, the Open311 API, and the staff triage."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
staff_urlpatterns: list[URLPattern | URLResolver] = []
