"""Pages of アンケート: answering, the results, paper entry and the staff editor."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
staff_urlpatterns: list[URLPattern | URLResolver] = []
