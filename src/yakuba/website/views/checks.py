"""checks pages of the website (being built)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
staff_urlpatterns: list[URLPattern | URLResolver] = []
