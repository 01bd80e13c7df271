"""URLs of 公式ホームページ: the town's pages for residents (with the sitemap and feeds), and the staff pages (mounted
under /staff/ by yakuba.urls): the page tree and editor, approvals, 棚卸し, the accessibility report, the import, the
site settings."""

from django.urls import URLPattern, URLResolver

from .views import checks, public, site, staff

app_name = "website"
urlpatterns: list[URLPattern | URLResolver] = [
    *site.urlpatterns,  # 住民: the town's home page
    *public.urlpatterns,  # 住民: ページ, sitemap.xml, feeds
]
staff_urlpatterns: list[URLPattern | URLResolver] = [
    *staff.staff_urlpatterns,  # 職員: ページの一覧・編集・版・承認・棚卸し
    *checks.staff_urlpatterns,  # 職員: アクセシビリティ点検, 移行（取り込み）
    *site.staff_urlpatterns,  # 情報担当: サイトの設定（町章・色・トップページ）
]
