"""Municipality (自治体) and the abstract base every tenant-owned model inherits."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from .codes import validate_municipality_code

PREFECTURES = [
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県",
    "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県",
    "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県",
    "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県",
    "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県",
]  # fmt: skip


class Municipality(models.Model):
    """自治体: one tenant of a shared (共同利用) deployment."""

    code = models.CharField(
        _("地方公共団体コード"), max_length=6, unique=True, validators=[validate_municipality_code],
        help_text=_("6桁（検査数字つき）。例: 下仁田町 103829"),
    )
    name = models.CharField(_("名称"), max_length=50)
    name_kana = models.CharField(_("名称（かな）"), max_length=100)
    name_en = models.CharField(_("名称（英語）"), max_length=100, blank=True)
    prefecture = models.CharField(_("都道府県"), max_length=4, choices=[(p, p) for p in PREFECTURES])
    address = models.CharField(_("所在地"), max_length=200, blank=True)
    phone = models.CharField(_("代表電話"), max_length=20, blank=True)
    email = models.EmailField(_("代表メール"), blank=True)
    website = models.URLField(_("公式ウェブサイト"), blank=True)
    logo = models.FileField(_("ロゴ"), upload_to="municipality/logo/", blank=True)
    is_active = models.BooleanField(_("公開中"), default=True)
    settings = models.JSONField(_("自治体ごとの設定"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("自治体")
        verbose_name_plural = _("自治体")

    def __str__(self) -> str:
        return f"{self.prefecture}{self.name}"

    @property
    def short_code(self) -> str:
        """The five-digit code used in /t/<code>/ paths."""
        return self.code[:5]

    @property
    def path_prefix(self) -> str:
        return f"/t/{self.short_code}"

    def absolute_url(self, path: str) -> str:
        """A full URL for links leaving the site (mail, PDFs): in production the town's own host if it has
        one; otherwise YAKUBA_BASE_URL with the /t/<code> prefix."""
        if path.startswith(self.path_prefix + "/"):
            path = path[len(self.path_prefix):]  # reverse() inside a /t/<code>/ request already added the prefix
        host = self.hosts.order_by("pk").first() if settings.PRODUCTION else None
        if host is not None:
            return f"https://{host.host}{path}"
        return f"{settings.BASE_URL.rstrip('/')}{self.path_prefix}{path}"

    def get_absolute_url(self) -> str:
        """The town's home page on a platform host (/t/<code>/)."""
        return self.path_prefix + "/"


class MunicipalityHost(models.Model):
    """A host name that serves one municipality (e.g. shimonita.example.jp)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="hosts")
    host = models.CharField(_("ホスト名"), max_length=253, unique=True)

    class Meta:
        verbose_name = _("ホスト名")

    def __str__(self) -> str:
        return self.host

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.host = self.host.strip().lower().rstrip(".")
        super().save(*args, **kwargs)


class TenantModel(models.Model):
    """Abstract base of every tenant-owned row: it belongs to one municipality and is only
    reachable through a manager that needs the municipality's scope (django-scopes)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("自治体")
    )

    objects = ScopedManager(municipality="municipality")

    class Meta:
        abstract = True
