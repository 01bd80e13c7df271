"""URLs of ご意見箱 and the 住民の声 front page (public pages in opinions_public, staff pages in opinions_staff)."""

from django.urls import URLPattern, URLResolver, path

from . import opinions_public as public
from . import opinions_staff as staff

urlpatterns: list[URLPattern | URLResolver] = [
    path("voice/", public.index, name="index"),
    path("voice/opinions/", public.send, name="opinion-send"),
    path("voice/opinions/sent/", public.sent, name="opinion-sent"),
    path("voice/faq/", public.faq, name="faq"),
]
staff_urlpatterns: list[URLPattern | URLResolver] = [
    path("voice/opinions/", staff.inbox, name="voice-opinions"),
    path("voice/opinions/<int:pk>/", staff.detail, name="voice-opinion"),
    path("voice/opinions/<int:pk>/route/", staff.route, name="voice-opinion-route"),
    path("voice/opinions/<int:pk>/answer/", staff.answer, name="voice-opinion-answer"),
    path("voice/opinions/<int:pk>/close/", staff.close, name="voice-opinion-close"),
    path("voice/opinions/<int:pk>/publish/", staff.publish, name="voice-opinion-publish"),
    path("voice/opinions/<int:pk>/unpublish/", staff.unpublish, name="voice-opinion-unpublish"),
    path("voice/opinion-categories/", staff.categories, name="voice-opinion-categories"),
    path("voice/opinion-categories/<int:pk>/", staff.category, name="voice-opinion-category"),
    path("voice/opinion-categories/defaults/", staff.install_defaults, name="voice-opinion-category-defaults"),
]
