"""URLs of デマンド交通: residents' pages under /transport/, staff pages (mounted under /staff/ by yakuba.urls)."""

from django.urls import URLPattern, URLResolver

from .views import operator, public

app_name = "transport"
urlpatterns: list[URLPattern | URLResolver] = [
    *public.urlpatterns,  # 住民: ご案内、利用登録、予約、わたしの予約
]
staff_urlpatterns: list[URLPattern | URLResolver] = [
    *operator.staff_urlpatterns,  # 担当課: 電話予約
]
