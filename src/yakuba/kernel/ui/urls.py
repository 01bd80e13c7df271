from django.urls import path

from . import views

app_name = "ui"

urlpatterns = [
    path("", views.home, name="home"),
    path("prefs/", views.set_prefs, name="prefs"),
    path("favicon.ico", views.favicon, name="favicon"),
]
