"""URLs of デマンド交通: residents' pages under /transport/, staff pages (mounted under /staff/ by yakuba.urls)."""

from django.urls import URLPattern, URLResolver

from .views import driver, gtfs, operator, plan, public, report, setup

app_name = "transport"
urlpatterns: list[URLPattern | URLResolver] = [
    *public.urlpatterns,  # 住民: ご案内、利用登録、予約、わたしの予約
    *gtfs.urlpatterns,  # 誰でも: 定時路線の GTFS-JP
]
staff_urlpatterns: list[URLPattern | URLResolver] = [
    *operator.staff_urlpatterns,  # 担当課: 電話予約
    *plan.staff_urlpatterns,  # 担当課: 運行計画
    *driver.staff_urlpatterns,  # 運転手: タブレット
    *report.staff_urlpatterns,  # 担当課: 現状分析レポート
    *setup.staff_urlpatterns,  # 担当課: 運行の設定
]
