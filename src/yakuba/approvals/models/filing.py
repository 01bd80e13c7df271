"""文書分類表, 簿冊 (files of one 分類, 課 and 年度) and the record every kept document has."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yakuba.kernel.accounts.models import Department
from yakuba.kernel.tenancy.models import TenantModel


class Retention(models.IntegerChoices):
    """保存期間 in years; 永年 is kept for ever (stored as 0)."""

    PERMANENT = 0, _("永年")
    YEARS_30 = 30, _("30年")
    YEARS_10 = 10, _("10年")
    YEARS_5 = 5, _("5年")
    YEARS_3 = 3, _("3年")
    YEARS_1 = 1, _("1年")


class DocumentClass(TenantModel):
    """文書分類: one line of the town's 文書分類表 (大分類 › 中分類 › 小分類), which says how long its documents are
    kept and whether they are 歴史公文書 candidates (移管 rather than 廃棄 when the period ends)."""

    code = models.CharField(_("分類記号"), max_length=30)
    major = models.CharField(_("大分類"), max_length=60)
    middle = models.CharField(_("中分類"), max_length=60, blank=True)
    name = models.CharField(_("小分類"), max_length=100)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("主管課"))
    retention = models.PositiveSmallIntegerField(_("保存期間"), choices=Retention.choices)
    historical = models.BooleanField(_("歴史公文書の候補"), default=False)
    is_active = models.BooleanField(_("使用中"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("文書分類")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="documentclass_unique_code"),
            models.CheckConstraint(condition=models.Q(retention__in=[0, 1, 3, 5, 10, 30]),
                                   name="documentclass_known_retention"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class VolumeStatus(models.TextChoices):
    OPEN = "open", _("使用中")
    KEPT = "kept", _("保存中")
    EXTENDED = "extended", _("延長")
    DISPOSED = "disposed", _("廃棄済")
    TRANSFERRED = "transferred", _("移管済")


class Volume(TenantModel):
    """簿冊: the documents of one 分類 and 課 in one 年度. Its 保存期間 runs from the 1 April after the 年度 ends
    (the usual 起算日), so a 5年 volume of 令和8年度 expires on 2032-03-31."""

    document_class = models.ForeignKey(DocumentClass, on_delete=models.PROTECT, related_name="volumes",
                                       verbose_name=_("文書分類"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("課"))
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("簿冊名"), max_length=120)
    retention = models.PositiveSmallIntegerField(_("保存期間"), choices=Retention.choices)
    expires_on = models.DateField(_("保存期間満了日"), null=True, blank=True)  # None: 永年
    status = models.CharField(_("状態"), max_length=12, choices=VolumeStatus.choices, default=VolumeStatus.OPEN)
    decided_at = models.DateTimeField(null=True, blank=True)  # when 廃棄・延長・移管 was decided
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decision_reason = models.TextField(_("理由"), blank=True)

    class Meta:
        ordering = ["-fiscal_year", "document_class__code"]
        verbose_name = _("簿冊")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "document_class", "department", "fiscal_year"],
                                    name="volume_unique_class_department_year"),
        ]

    def __str__(self) -> str:
        return self.title


class DocumentKind(models.TextChoices):
    DECIDED = "decided", _("電子決裁")
    DECIDED_PAPER = "paper", _("紙決裁")
    RECEIVED = "received", _("収受")


class RecordStatus(models.TextChoices):
    KEPT = "kept", _("保存中")
    DISPOSED = "disposed", _("廃棄済")
    TRANSFERRED = "transferred", _("移管済")


class Record(TenantModel):
    """A kept document: a draft decided in the system, a 決裁 made on paper and registered, or a 収受 (incoming)
    document. After 廃棄 its content (file, text) is gone and the record of what was destroyed stays."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("種別"), max_length=10, choices=DocumentKind.choices)
    number = models.CharField(_("文書番号"), max_length=40, blank=True)  # 下総第123号; 収受番号 for incoming
    title = models.CharField(_("件名"), max_length=200)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("課"))
    volume = models.ForeignKey(Volume, on_delete=models.PROTECT, related_name="records", verbose_name=_("簿冊"))
    dated = models.DateField(_("日付"))  # 決裁日 or 収受日
    file = models.FileField(_("ファイル"), upload_to="approvals/%Y/", blank=True)  # signed PDF or scan
    content_type = models.CharField(max_length=100, blank=True)
    text = models.TextField(_("本文テキスト"), blank=True)  # for search: the draft's text or the OCR of a scan
    status = models.CharField(_("状態"), max_length=12, choices=RecordStatus.choices, default=RecordStatus.KEPT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-dated", "-pk"]
        verbose_name = _("文書")
        indexes = [models.Index(fields=["municipality", "kind", "dated"])]
        constraints = [
            # A number, once given in a town, names one document.
            models.UniqueConstraint(fields=["municipality", "kind", "number"], condition=~models.Q(number=""),
                                    name="record_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()
