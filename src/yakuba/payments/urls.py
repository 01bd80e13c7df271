"""URLs of 決済: resident pages and the providers' webhook here; staff pages are mounted under /staff/ by
yakuba.urls."""

from .views import public, staff

app_name = "payments"
urlpatterns = public.urlpatterns
staff_urlpatterns = staff.urlpatterns
