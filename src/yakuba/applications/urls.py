"""URLs of 電子申請: resident pages here; staff pages are mounted under /staff/ by yakuba.urls."""

from .views import counter, editor, public, staff

app_name = "applications"
urlpatterns = public.urlpatterns
staff_urlpatterns = [*staff.urlpatterns, *editor.urlpatterns, *counter.urlpatterns]
