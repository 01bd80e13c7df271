"""Pages of ご意見箱: the public form and the staff inbox (to be split further as it grows)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
staff_urlpatterns: list[URLPattern | URLResolver] = []
