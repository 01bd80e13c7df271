"""URLs of 会議・議事録: the 事務局's staff pages (mounted under /staff/ by yakuba.urls), the pack viewer members
open on a tablet, and the public pages (published packs and minutes)."""

from django.urls import URLPattern, URLResolver

from .views import documents, minutes, pack, public, recordings, staff

app_name = "meetings"
urlpatterns: list[URLPattern | URLResolver] = [
    *public.urlpatterns,  # 住民: 公開の会議、資料、会議録
    *pack.urlpatterns,  # 委員・議員: 資料の閲覧、検索、メモ
    *minutes.urlpatterns,  # 住民: 公開の会議録
]
staff_urlpatterns: list[URLPattern | URLResolver] = [
    *staff.staff_urlpatterns,  # 事務局: 会議体、委員、会議、議題、出欠
    *documents.staff_urlpatterns,  # 事務局: 資料の登録と差し替え
    *recordings.staff_urlpatterns,  # 事務局: 録音と文字起こし
    *minutes.staff_urlpatterns,  # 事務局: 会議録の編集、書き出し、公開
]
