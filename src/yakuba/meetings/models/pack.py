"""会議資料: documents per agenda item, each a chain of versions (差し替え keeps every one), the text of every
page for search inside the pack, and each member's own notes and highlights."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yakuba.kernel.tenancy.models import TenantModel

from .meeting import AgendaItem, Meeting


class Document(TenantModel):
    """資料: one document of the pack (資料1 補正予算書). `current` is the version members read now."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="documents")
    item = models.ForeignKey(AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="documents",
                             verbose_name=_("議題"))
    title = models.CharField(_("資料名"), max_length=150)
    current = models.ForeignKey("Version", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("資料")

    def __str__(self) -> str:
        return self.title


class Version(TenantModel):
    """One upload of a document. `pdf` is what members read (an Office file converted on upload where the
    machine can; otherwise `pdf` is empty and `original` is offered as a download). `changed_pages` lists the
    pages that differ from the previous version (差し替え: 「変更箇所」), `reason` why it was replaced."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("版"))
    original = models.CharField(max_length=255)
    original_name = models.CharField(_("ファイル名"), max_length=200)
    original_type = models.CharField(max_length=120)
    pdf = models.CharField(max_length=255, blank=True)
    pages = models.PositiveIntegerField(_("ページ数"), default=0)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    changed_pages = models.JSONField(default=list, blank=True)
    reason = models.CharField(_("差し替えの理由"), max_length=300, blank=True)
    during_meeting = models.BooleanField(_("会議中の差し替え"), default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "number"]
        verbose_name = _("資料の版")
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="meetings_version_unique_number"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="meetings_version_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.document} 第{self.number}版"


class Page(TenantModel):
    """The text of one page of a version (for 「資料内を検索」 and the assistant), and a digest of it, with which
    a replacement finds the pages that changed."""

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="page_texts")
    number = models.PositiveIntegerField()
    text = models.TextField(blank=True)
    digest = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["version", "number"]
        constraints = [models.UniqueConstraint(fields=["version", "number"], name="meetings_page_unique")]


class Note(TenantModel):
    """A member's own note or highlight on a page of a document: nobody else reads it (not the 事務局 either).
    `marks` holds highlight rectangles as fractions of the page ([{x, y, w, h}]). Kept with the document,
    not the version, so a note survives a 差し替え (and says which version it was written on)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    version_number = models.PositiveSmallIntegerField()
    page = models.PositiveIntegerField()
    text = models.TextField(_("メモ"), blank=True, max_length=2000)
    marks = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["document", "page", "pk"]
        verbose_name = _("メモ")
        indexes = [models.Index(fields=["user", "document"], name="meetings_note_user_doc")]
        constraints = [models.CheckConstraint(condition=models.Q(page__gte=1), name="meetings_note_page_positive")]
