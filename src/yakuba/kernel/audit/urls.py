from django.urls import path

from . import views

staff_urlpatterns = [
    path("audit/", views.audit_log, name="audit"),
]
