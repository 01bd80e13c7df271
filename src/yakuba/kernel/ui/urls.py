from django.urls import path

from . import views

app_name = "ui"

urlpatterns = [
    path("", views.home, name="home"),
    path("legal/terms/", views.terms, name="terms"),
    path("legal/privacy/", views.privacy, name="privacy"),
    path("prefs/", views.set_prefs, name="prefs"),
    path("favicon.ico", views.favicon, name="favicon"),
]
