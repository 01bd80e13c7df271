"""URLs of 住民の声: the public pages (ご意見箱, 通報 and its map, アンケート), the Open311 GeoReport v2 API, and the
staff pages (mounted under /staff/ by yakuba.urls)."""

from django.urls import URLPattern, URLResolver

from .views import opinions, reports, surveys

app_name = "voice"
urlpatterns: list[URLPattern | URLResolver] = [
    *opinions.urlpatterns,  # 住民: ご意見箱
    *reports.urlpatterns,  # 住民: 通報、地図と一覧; Open311
    *surveys.urlpatterns,  # 住民: アンケート
]
staff_urlpatterns: list[URLPattern | URLResolver] = [
    *opinions.staff_urlpatterns,  # 担当課: 振り分け、回答、FAQ公開
    *reports.staff_urlpatterns,  # 担当課: 通報の確認、統合、担当、回答
    *surveys.staff_urlpatterns,  # 担当課: アンケートの作成、紙の回答の入力、集計
]
