"""URLs of the platform itself: the list of towns (development / shared deployments) and health check."""

from django.urls import path

from yakuba.kernel.ops import views as ops_views
from yakuba.kernel.ui import views as ui_views

urlpatterns = [
    path("", ui_views.platform_index, name="platform-index"),
    path("healthz", ops_views.healthz, name="healthz"),
    path("favicon.ico", ui_views.favicon, name="favicon"),
]

handler404 = "yakuba.kernel.ui.views.platform_not_found"
