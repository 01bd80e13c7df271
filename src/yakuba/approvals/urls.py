"""URLs of 電子決裁・文書管理: staff pages only, mounted under /staff/ by yakuba.urls."""

from django.urls import URLPattern, URLResolver

from .views import decide, drafts, filing, rules

app_name = "approvals"
urlpatterns: list[URLPattern | URLResolver] = []
staff_urlpatterns: list[URLPattern | URLResolver] = [
    *drafts.urlpatterns,  # 起案
    *decide.urlpatterns,  # 回議・決裁
    *filing.urlpatterns,  # 文書管理・収受
    *rules.urlpatterns,  # 事務決裁規程・職位
]
