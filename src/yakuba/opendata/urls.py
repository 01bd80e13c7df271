"""URLs of オープンデータ and the map: public pages, the CKAN-compatible API and DCAT here; staff pages are mounted
under /staff/ by yakuba.urls."""

from .views import api, maps, public, staff

app_name = "opendata"
urlpatterns = public.urlpatterns + maps.urlpatterns + api.dcat_urlpatterns
api_urlpatterns = api.urlpatterns  # mounted at api/3/action/ (CKAN's path) by yakuba.urls
staff_urlpatterns = staff.urlpatterns + maps.staff_urlpatterns
