"""通報: report categories, reports with photos and a place, their public status; Open311 clients."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from yakuba.kernel.accounts.models import Department, Resident, Staff
from yakuba.kernel.forms.definition import DefinitionError, FormDefinition
from yakuba.kernel.tenancy.models import TenantModel

__all__ = ["Open311Client", "Report", "ReportCategory", "ReportEvent", "ReportPhoto", "ReportStatus",
           "ReportSupport"]


class ReportCategory(TenantModel):
    """通報の種類 (道路の損傷, 街路灯, 倒木 …): its own questions (a kernel.forms definition, one page) and its 課.
    `code` is the Open311 service_code."""

    code = models.SlugField(_("コード"), max_length=40, help_text=_("半角英数字。Open311 の service_code になります。"))
    name = models.CharField(_("名前"), max_length=60)
    name_en = models.CharField(_("英語名"), max_length=100, blank=True)
    description = models.CharField(_("説明"), max_length=300, blank=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("担当課"))
    definition = models.JSONField(_("質問"), default=dict, blank=True)
    active = models.BooleanField(_("受付中"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("通報の種類")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="voice_reportcategory_unique_code"),
            models.UniqueConstraint(fields=["municipality", "name"], name="voice_reportcategory_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def shown_name(self) -> str:
        return self.name_en if self.name_en and (get_language() or "").startswith("en") else self.name

    @property
    def form(self) -> FormDefinition | None:
        """The category's own questions, or None when it asks none."""
        if not self.definition:
            return None
        try:
            definition = FormDefinition.from_dict(self.definition)
        except DefinitionError:
            return None
        return definition if definition.pages and definition.all_fields() else None


class ReportStatus(models.TextChoices):
    """受付 → 対応中 → 対応済: red, yellow, green on the map (with a label and a shape, never colour alone)."""

    RECEIVED = "received", _("受付")
    IN_PROGRESS = "in_progress", _("対応中")
    DONE = "done", _("対応済")


OPEN_STATUSES = (ReportStatus.RECEIVED, ReportStatus.IN_PROGRESS)


class Report(TenantModel):
    """通報: what a resident (or an Open311 client) reported, where, with photos. The contact fields are private:
    staff read them (audited), the public never does."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("受付番号"), max_length=20)
    category = models.ForeignKey(ReportCategory, on_delete=models.PROTECT, related_name="reports",
                                 verbose_name=_("種類"))
    status = models.CharField(_("状況"), max_length=12, choices=ReportStatus.choices,
                              default=ReportStatus.RECEIVED)
    latitude = models.DecimalField(_("緯度"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("経度"), max_digits=9, decimal_places=6)
    address = models.CharField(_("場所の説明"), max_length=200, blank=True)
    description = models.TextField(_("内容"), max_length=2000)
    answers = models.JSONField(default=dict, blank=True)
    # Private contact (for the answer by mail); never shown on a public page.
    name = models.CharField(_("お名前"), max_length=100, blank=True)
    email = models.EmailField(_("メールアドレス"), blank=True)
    phone = models.CharField(_("電話番号"), max_length=20, blank=True)
    resident = models.ForeignKey(Resident, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    client = models.ForeignKey("Open311Client", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="reports")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("担当課"))
    assignee = models.ForeignKey(Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                 verbose_name=_("担当者"))
    accepted = models.BooleanField(_("確認済み"), default=False)
    public_answer = models.TextField(_("町からの回答"), max_length=2000, blank=True)
    hidden = models.BooleanField(_("非公開"), default=False)
    hidden_reason = models.CharField(_("非公開の理由"), max_length=200, blank=True)
    duplicate_of = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="duplicates", verbose_name=_("同じ通報"))
    supporters = models.PositiveIntegerField(_("わたしも困っています"), default=0)
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("通報")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "number"], name="voice_report_unique_number"),
            models.CheckConstraint(condition=~models.Q(status="done") | ~models.Q(public_answer=""),
                                   name="voice_report_done_has_answer"),
            models.CheckConstraint(condition=~models.Q(duplicate_of=models.F("pk")),
                                   name="voice_report_not_own_duplicate"),
            models.CheckConstraint(condition=models.Q(latitude__gte=-90, latitude__lte=90,
                                                      longitude__gte=-180, longitude__lte=180),
                                   name="voice_report_place_on_earth"),
        ]
        indexes = [models.Index(fields=["municipality", "status", "category"])]

    def __str__(self) -> str:
        return f"{self.number} {self.category.name}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def public(self) -> bool:
        return not self.hidden and self.duplicate_of_id is None


class ReportPhoto(TenantModel):
    """A photo of a report, stored with its location and camera data stripped. `after` marks the staff's photo of
    the repair (対応後)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    path = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    after = models.BooleanField(default=False)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["after", "sort_order", "pk"]
        verbose_name = _("通報の写真")


class ReportEvent(TenantModel):
    """One step of a report's history: a status set, an answer given, a merge; `note` is public when `public`."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=12, choices=ReportStatus.choices)
    note = models.TextField(blank=True)
    public = models.BooleanField(default=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                           related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]


class ReportSupport(TenantModel):
    """「わたしも困っています」: one per visitor and report (the key is a hash of the visitor's session)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="supports")
    key = models.CharField(max_length=64)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "key"], name="voice_reportsupport_once")]


class Open311Client(TenantModel):
    """An Open311 client (an app, an aggregator) with its API key; only the key's hash is kept."""

    name = models.CharField(_("クライアント名"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    key_prefix = models.CharField(max_length=8)
    active = models.BooleanField(_("有効"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("Open311 クライアント")

    def __str__(self) -> str:
        return self.name

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "prefix": self.key_prefix, "active": self.active}
