"""公式ホームページ: the town's pages as a tree, each page's versions (drafts, approval, publishing), its files, and the
town's site settings (emblem, colour, home page).

A page (Page) is where a URL lives and who owns it (its 課, its review date); what it says is a version
(PageVersion): structured blocks (website/blocks.py) and the fields of its type, in Japanese with optional English
and やさしい日本語. Residents read the page's `live` version; staff edit its one open version (draft → 承認待ち →
承認済み (公開予約) → 公開), and every version stays, for the diff and the restore."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yakuba.kernel.accounts.models import Department, Staff
from yakuba.kernel.tenancy.models import TenantModel


class PageKind(models.TextChoices):
    """ページの種類: what a page is, which decides its fields and its schema.org type."""

    SECTION = "section", _("分類ページ")  # くらし・手続き …: lists the pages below it
    ARTICLE = "article", _("お知らせ記事")
    FAQ = "faq", _("よくある質問")
    PROCEDURE = "procedure", _("手続き案内")
    FACILITY = "facility", _("施設案内")
    EVENT = "event", _("イベント")
    DEPARTMENT = "department", _("担当課")
    GENERAL = "general", _("一般ページ")  # free structure (利用規約, サイトの使い方 …): no schema.org type


# Kinds that carry a structured type of their own (構造化対応率 counts the pages of these kinds).
STRUCTURED_KINDS = (PageKind.ARTICLE, PageKind.FAQ, PageKind.PROCEDURE, PageKind.FACILITY, PageKind.EVENT,
                    PageKind.DEPARTMENT, PageKind.SECTION)


class Page(TenantModel):
    """ページ: a place in the town's site tree, owned by one 課. Its URL is its `path` (the slugs from the top)."""

    uuid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
                               verbose_name=_("親ページ"))
    slug = models.SlugField(_("URLの名前"), max_length=60, allow_unicode=False)
    path = models.CharField(max_length=400)  # "kurashi/gomi/sodai": parent's path + slug, kept by services
    kind = models.CharField(_("ページの種類"), max_length=20, choices=PageKind.choices)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("担当課"))
    position = models.PositiveIntegerField(_("並び順"), default=0)
    live = models.ForeignKey("PageVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # Bumped by every edit of the page or its open version: two editors of one page (the second is told).
    revision = models.PositiveIntegerField(default=0)
    review_due = models.DateField(_("次の棚卸し日"))
    reviewed_at = models.DateTimeField(_("最後の棚卸し"), null=True, blank=True)
    retired_at = models.DateTimeField(_("廃止日時"), null=True, blank=True)
    expires_at = models.DateTimeField(_("掲載期限"), null=True, blank=True)  # of the live version
    imported_from = models.URLField(_("移行元のURL"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "path"], name="website_page_path_unique"),
            models.UniqueConstraint(fields=["municipality", "parent", "slug"], name="website_page_slug_unique"),
            models.CheckConstraint(condition=~Q(parent=models.F("pk")), name="website_page_not_own_parent"),
        ]
        indexes = [models.Index(fields=["municipality", "review_due"]),
                   models.Index(fields=["municipality", "parent", "position"])]

    def __str__(self) -> str:
        return self.path or "/"

    @property
    def is_public(self) -> bool:
        """Residents can read it now (published, not retired; expiry is checked by the public queries)."""
        return self.live_id is not None and self.retired_at is None


class VersionState(models.TextChoices):
    DRAFT = "draft", _("下書き")
    PENDING = "pending", _("承認待ち")
    APPROVED = "approved", _("公開予約")  # approved, published when publish_at comes
    PUBLISHED = "published", _("公開中")
    SUPERSEDED = "superseded", _("過去の版")
    RETURNED = "returned", _("差し戻し")  # the approver sent it back; it is a draft again, with the reason


OPEN_STATES = (VersionState.DRAFT, VersionState.PENDING, VersionState.APPROVED, VersionState.RETURNED)


class PageVersion(TenantModel):
    """版: what a page says at one time. `blocks` is the structured body (website/blocks.py); `details` holds the
    fields of the page's kind (a 手続き's procedure, an イベント's dates and place, a 施設's facility …)."""

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    state = models.CharField(max_length=12, choices=VersionState.choices, default=VersionState.DRAFT)
    title = models.CharField(_("タイトル"), max_length=120)
    summary = models.CharField(_("概要"), max_length=300, blank=True)
    blocks = models.JSONField(default=list, blank=True)
    details = models.JSONField(default=dict, blank=True)
    # The same page in English and やさしい日本語, written (or checked) by staff; blank: not translated.
    title_en = models.CharField(_("タイトル（英語）"), max_length=200, blank=True)
    summary_en = models.CharField(_("概要（英語）"), max_length=400, blank=True)
    blocks_en = models.JSONField(default=list, blank=True)
    title_easy = models.CharField(_("タイトル（やさしい日本語）"), max_length=120, blank=True)
    summary_easy = models.CharField(_("概要（やさしい日本語）"), max_length=300, blank=True)
    blocks_easy = models.JSONField(default=list, blank=True)
    # A machine draft of the translation waits here for staff to check; it is never shown to residents.
    machine_draft = models.JSONField(default=dict, blank=True)
    publish_at = models.DateTimeField(_("公開予約"), null=True, blank=True)
    expires_at = models.DateTimeField(_("掲載期限"), null=True, blank=True)
    author = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("差し戻しの理由"), max_length=500, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    restored_from = models.PositiveIntegerField(null=True, blank=True)  # the version number it was made from
    change_note = models.CharField(_("変更の内容"), max_length=200, blank=True)

    class Meta:
        ordering = ["page", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["page", "number"], name="website_version_number_unique"),
            # At most one version of a page is being worked on (draft, waiting, scheduled) at a time.
            models.UniqueConstraint(fields=["page"], condition=Q(state__in=["draft", "pending", "approved",
                                                                           "returned"]),
                                    name="website_one_open_version"),
            models.CheckConstraint(condition=Q(expires_at__isnull=True) | Q(publish_at__isnull=True)
                                   | Q(expires_at__gt=models.F("publish_at")),
                                   name="website_version_expires_after_publish"),
        ]
        indexes = [models.Index(fields=["municipality", "state", "publish_at"])]

    def __str__(self) -> str:
        return f"{self.page} v{self.number}"


class Asset(TenantModel):
    """A file a page shows or offers (an image with its alt text in the block, a PDF …), checked by content."""

    uuid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="assets")
    path = models.CharField(max_length=255)  # in private storage (kernel.files.uploads.save_private)
    original_name = models.CharField(max_length=150)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)  # a PDF's text, offered on the page and to the accessibility check
    uploaded_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Site(TenantModel):
    """サイトの設定: one per town: the emblem, the colour, the words at the top of the home page."""

    emblem = models.ForeignKey(Asset, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                               verbose_name=_("町章"))
    emblem_svg = models.TextField(_("町章（SVG）"), blank=True)  # sanitised SVG, for towns that have one
    # The emblem as shown: a PNG re-encoded from the uploaded PNG or JPEG (nothing of the upload but its pixels), in
    # private storage, served by the site's emblem URL. SVG is refused (it can carry script).
    emblem_path = models.CharField(max_length=255, blank=True)
    colour = models.CharField(_("テーマカラー"), max_length=7, default="#0017c1")
    tagline = models.CharField(_("ひとこと"), max_length=120, blank=True)
    tagline_en = models.CharField(_("ひとこと（英語）"), max_length=200, blank=True)
    tagline_easy = models.CharField(_("ひとこと（やさしい日本語）"), max_length=120, blank=True)
    # The entry points shown first on the home page: [{"label": …, "url": …, "label_en": …}], in order.
    shortcuts = models.JSONField(default=list, blank=True)
    review_months = models.PositiveSmallIntegerField(_("棚卸しの周期（月）"), default=12)
    revision = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["municipality"], name="website_one_site_per_town")]


class ImportRun(TenantModel):
    """移行: one import of a town's saved pages (the files and the list of their URLs), with what came of each."""

    started_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey(Page, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    total = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    # [{"url": …, "file": …, "error": "…" or "", "page": pk or null}] — every file, with what happened to it.
    report = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at"]


class ReviewOutcome(models.TextChoices):
    CONFIRMED = "confirmed", _("内容を確認（変更なし）")
    UPDATED = "updated", _("更新した")
    RETIRED = "retired", _("廃止した")


class Review(TenantModel):
    """棚卸し: the owning 課 looked at a page on a day and confirmed, updated or retired it. Kept for every review,
    so 全ページの棚卸し完了率 can be told for any past day."""

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="reviews")
    outcome = models.CharField(max_length=10, choices=ReviewOutcome.choices)
    reviewed_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField()
    note = models.CharField(_("メモ"), max_length=300, blank=True)

    class Meta:
        ordering = ["-reviewed_at"]
        indexes = [models.Index(fields=["municipality", "reviewed_at"])]
