"""(owner: pack) — to be written."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
staff_urlpatterns: list[URLPattern | URLResolver] = []
