"""URLs of the delivery core: confirmation and unsubscribe links, the LINE webhook, Web Push."""

from . import views_line, views_links, views_push

app_name = "messaging"
urlpatterns = views_links.urlpatterns + views_line.urlpatterns + views_push.urlpatterns
# Served at the town's root so its scope covers every page of the town (/t/<code>/sw.js, /sw.js).
root_urlpatterns = views_push.root_urlpatterns if hasattr(views_push, "root_urlpatterns") else []
