"""URLs of お知らせ・防災: resident pages here; staff pages are mounted under /staff/ by yakuba.urls."""

from .views import bousai, public, staff, staff_disaster, staff_shelters, subscribe

app_name = "notices"
urlpatterns = public.urlpatterns + subscribe.urlpatterns + bousai.urlpatterns
staff_urlpatterns = staff.urlpatterns + staff_shelters.urlpatterns + staff_disaster.urlpatterns
