"""オープンデータ: a town's datasets (the 自治体標準オープンデータセット, defined by the table schemas in schemas/), the
rows staff keep, the versions published from them, imports of CSV/XLSX files, and staff point layers of the map.

A dataset's rows are the working copy; residents and harvesters only ever see a published Version (an immutable
CSV file, UTF-8 with BOM, as the definitions use). Publishing makes a new version and leaves the old ones online.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yakuba.kernel.accounts.models import Department
from yakuba.kernel.tenancy.models import TenantModel


class Licence(models.TextChoices):
    CC_BY = "CC-BY-4.0", _("クリエイティブ・コモンズ 表示 4.0 国際（CC BY 4.0）")
    CC0 = "CC0-1.0", _("CC0 1.0（パブリック・ドメイン）")
    PDL = "PDL-1.0", _("公共データ利用規約 第1.0版（PDL1.0）")


class Dataset(TenantModel):
    """One dataset of a town; `kind` names its table schema (e.g. "aed")."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # CKAN's package id
    kind = models.SlugField(_("種類"), max_length=40)
    title = models.CharField(_("データセット名"), max_length=100)
    description = models.TextField(_("説明"), blank=True)
    licence = models.CharField(_("ライセンス"), max_length=20, choices=Licence.choices, default=Licence.CC_BY)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="datasets", verbose_name=_("担当課"))
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["municipality", "kind"]
        constraints = [models.UniqueConstraint(fields=["municipality", "kind"], name="opendata_dataset_kind")]
        verbose_name = _("データセット")
        verbose_name_plural = _("データセット")

    def __str__(self) -> str:
        return self.title


class Row(TenantModel):
    """One row of a dataset's working copy: `data` maps each column name of the schema to its text."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="rows")
    key = models.CharField(_("ID"), max_length=100)
    data = models.JSONField(default=dict)
    position = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["dataset", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["dataset", "key"], name="opendata_row_key")]
        verbose_name = _("行")
        verbose_name_plural = _("行")

    def __str__(self) -> str:
        return self.key


class Origin(models.TextChoices):
    FORM = "form", _("画面で編集")
    IMPORT = "import", _("ファイルの取り込み")
    GENERATED = "generated", _("町のシステムから生成")


class Version(TenantModel):
    """A published version: an immutable CSV file in private storage (served by the catalogue views)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # CKAN's resource id
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版"))
    published_at = models.DateTimeField(_("公開日時"), default=timezone.now)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    origin = models.CharField(_("作成方法"), max_length=10, choices=Origin.choices)
    row_count = models.PositiveIntegerField(_("行数"))
    path = models.CharField(max_length=255)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    files = models.JSONField(default=dict, blank=True)  # format → {"path", "size"}: the CSV and what was made from it
    note = models.CharField(_("更新内容"), max_length=200, blank=True)

    class Meta:
        ordering = ["dataset", "-number"]
        constraints = [models.UniqueConstraint(fields=["dataset", "number"], name="opendata_version_number")]
        verbose_name = _("公開版")
        verbose_name_plural = _("公開版")

    def __str__(self) -> str:
        return f"{self.dataset} #{self.number}"


class UploadState(models.TextChoices):
    PENDING = "pending", _("確認中")
    INVALID = "invalid", _("誤りがあります")
    PUBLISHED = "published", _("公開しました")
    FAILED = "failed", _("処理できませんでした")


class Upload(TenantModel):
    """A CSV/XLSX file a staff member gave to replace a dataset's rows; checked by a task, published only if valid."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="uploads")
    path = models.CharField(max_length=255)
    original_name = models.CharField(max_length=120)
    size = models.PositiveIntegerField(default=0)
    note = models.CharField(_("更新内容"), max_length=200, blank=True)
    state = models.CharField(_("状態"), max_length=10, choices=UploadState.choices, default=UploadState.PENDING)
    encoding = models.CharField(_("文字コード"), max_length=20, blank=True)
    legacy = models.BooleanField(_("旧推奨データセットの列構成"), default=False)
    row_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # [{"row": int|None, "column": str, "message": str}]
    error_count = models.PositiveIntegerField(default=0)
    version = models.ForeignKey(Version, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("取り込み")
        verbose_name_plural = _("取り込み")


class Layer(TenantModel):
    """A point layer staff keep on the map themselves (e.g. 災害発生箇所), beside the datasets' layers."""

    slug = models.SlugField(max_length=40)
    name = models.CharField(_("レイヤー名"), max_length=60)
    description = models.TextField(_("説明"), blank=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="map_layers", verbose_name=_("担当課"))
    is_public = models.BooleanField(_("住民に公開する"), default=True)
    for_disasters = models.BooleanField(_("災害情報として防災ページにも表示する"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["municipality", "name"]
        constraints = [models.UniqueConstraint(fields=["municipality", "slug"], name="opendata_layer_slug")]
        verbose_name = _("地図レイヤー")
        verbose_name_plural = _("地図レイヤー")

    def __str__(self) -> str:
        return self.name


class Point(TenantModel):
    """One point of a staff layer: where, what, when, and optionally a photo (private storage, served if public)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    layer = models.ForeignKey(Layer, on_delete=models.CASCADE, related_name="points")
    title = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("説明"), blank=True)
    latitude = models.DecimalField(_("緯度"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("経度"), max_digits=9, decimal_places=6)
    observed_at = models.DateTimeField(_("日時"), default=timezone.now)
    photo_path = models.CharField(max_length=255, blank=True)
    photo_type = models.CharField(max_length=40, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["layer", "-observed_at"]
        verbose_name = _("地点")
        verbose_name_plural = _("地点")

    def __str__(self) -> str:
        return self.title


class Listing(TenantModel):
    """Which generated dataset a record another app offers goes in, where the town chooses (a facility of 施設予約:
    公共施設一覧 or 子育て施設一覧, or neither), and the 備考 that dataset shows for it."""

    source = models.CharField(max_length=60)  # the kind of record (kernel.records), e.g. "reservations.facility"
    key = models.CharField(max_length=100)  # the record's key within its kind (a facility's slug)
    # A generated dataset's kind, e.g. "public-facilities" (the labels reuse the ones the field had on Facility).
    dataset = models.CharField(_("オープンデータで公開する一覧"), max_length=40)
    remarks = models.CharField(_("備考（オープンデータ）"), max_length=200, blank=True)

    class Meta:
        ordering = ["source", "key"]
        constraints = [models.UniqueConstraint(fields=["municipality", "source", "key"],
                                               name="opendata_listing_record")]
        verbose_name = _("オープンデータで公開する一覧")
        verbose_name_plural = _("オープンデータで公開する一覧")

    def __str__(self) -> str:
        return f"{self.source}:{self.key} → {self.dataset}"
