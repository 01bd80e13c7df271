"""URLs of DX推進計画: public pages here (a plan and its progress are public); staff pages are mounted under /staff/
by yakuba.urls."""

from .views import exchange, public, staff

app_name = "plans"
urlpatterns = public.urlpatterns
staff_urlpatterns = exchange.urlpatterns + staff.urlpatterns  # plans/import/ before plans/<slug>/
