"""URLs of AI問い合わせ: the resident chat, public document pages and the JSON API here; staff pages are mounted
under /staff/ by yakuba.urls."""

from .views import public, staff

app_name = "assistant"
urlpatterns = public.urlpatterns
staff_urlpatterns = staff.urlpatterns
