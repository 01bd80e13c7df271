"""Pages of アンケート: answering, the results, paper entry and the staff editor."""

from django.urls import URLPattern, URLResolver

from . import surveys_public, surveys_staff

urlpatterns: list[URLPattern | URLResolver] = [*surveys_public.urlpatterns]
staff_urlpatterns: list[URLPattern | URLResolver] = [*surveys_staff.staff_urlpatterns]
