"""URLs of 予約: resident pages here; staff pages are mounted under /staff/ by yakuba.urls."""

from .views import public, staff

app_name = "reservations"
urlpatterns = public.urlpatterns
staff_urlpatterns = staff.urlpatterns
