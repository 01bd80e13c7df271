"""URLs of 勤怠管理: the staff pages (mounted under /staff/ by yakuba.urls) and the entrance tablet's page."""

from django.urls import URLPattern, URLResolver

from .views import head, kiosk, personnel, settings, staff

app_name = "attendance"
urlpatterns: list[URLPattern | URLResolver] = [*kiosk.urlpatterns]
staff_urlpatterns: list[URLPattern | URLResolver] = [
    *staff.urlpatterns,  # 自分の勤怠
    *head.urlpatterns,  # 所属長
    *personnel.urlpatterns,  # 総務課
    *settings.urlpatterns,  # 総務課の設定
]
