"""The knowledge base of AI問い合わせ・例規検索: documents (条例・規則・要綱, 法令, plans, FAQ, procedures, notices,
help pages), the passages they are split into (one per 条・項 or heading, each keeping its citation), the attempts
to (re-)ingest a document, and a per-town index generation that tells every process when to rebuild its index.

A document with no municipality is national (法令) and is searched by every town; it is written only by the
platform operator's command, never from a town's staff site.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from yakuba.kernel.accounts.models import Department
from yakuba.kernel.tenancy.models import Municipality
from yakuba.kernel.tenancy.scoping import TownOrSharedManager


class Kind(models.TextChoices):
    ORDINANCE = "ordinance", _("条例")
    RULE = "rule", _("規則")
    GUIDELINE = "guideline", _("要綱・要領")
    LAW = "law", _("法令")
    PLAN = "plan", _("計画")
    FAQ = "faq", _("よくある質問")
    PROCEDURE = "procedure", _("手続の案内")
    NOTICE = "notice", _("お知らせ")
    HELP = "help", _("ヘルプ")
    OTHER = "other", _("その他の文書")


# Kinds whose text is split at 条・項・号 rather than at headings.
LEGAL_KINDS = frozenset({Kind.ORDINANCE, Kind.RULE, Kind.GUIDELINE, Kind.LAW})
# Kinds kept in step with another app's records; staff edit them there, not here.
SYNCED_KINDS = frozenset({Kind.PROCEDURE, Kind.NOTICE})


class Format(models.TextChoices):
    TYPED = "typed", _("入力した文章")
    TEXT = "txt", _("テキスト")
    MARKDOWN = "md", _("Markdown")
    HTML = "html", _("HTML")
    PDF = "pdf", _("PDF")
    DOCX = "docx", _("Word (.docx)")


class Document(models.Model):
    """文書: one document of a town's knowledge base, at its current version."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("自治体"))
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("種類"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("題名"), max_length=200)
    department = models.ForeignKey(Department, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                   verbose_name=_("担当課"))
    is_public = models.BooleanField(_("住民向けに公開"), default=True,
                                    help_text=_("外すと職員の検索だけに使い、住民の質問には使いません。"))
    keywords = models.CharField(_("ほかの言い方"), max_length=500, blank=True,
                                help_text=_("住民が使いそうな言葉を「、」で区切って。例: ソファ、たんす、ベッド"
                                            "（文書に書かれていない言い方でも、この文書が見つかるようになります）"))
    # Where a synced document comes from ("applications.procedure:12"); blank for uploaded and typed ones.
    source_key = models.CharField(max_length=80, blank=True, editable=False)
    source = models.CharField(_("出典"), max_length=300, blank=True,
                              help_text=_("例: 下仁田町例規集、e-Gov法令検索。"))
    url = models.CharField(_("掲載先URL"), max_length=500, blank=True,
                           help_text=_("空欄のときはこのサイトの文書ページを引用先にします。"))
    version_date = models.DateField(_("版の日付"), null=True, blank=True,
                                    help_text=_("施行日・改訂日・公開日など、この版の日付。"))
    version = models.PositiveIntegerField(_("版"), default=0)
    format = models.CharField(_("形式"), max_length=8, choices=Format.choices, default=Format.TYPED)
    body = models.TextField(_("本文"), blank=True)  # the text of the current version, as extracted
    file_name = models.CharField(_("ファイル名"), max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    indexed_at = models.DateTimeField(_("登録日時"), null=True, blank=True)  # first successful ingest
    updated_at = models.DateTimeField(_("更新日時"), null=True, blank=True)  # latest successful ingest
    retired_at = models.DateTimeField(_("削除日時"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(municipality="municipality")  # the town's own documents
    with_national = TownOrSharedManager()  # the town's own and the national ones: what the town searches

    class Meta:
        ordering = ["kind", "title"]
        verbose_name = _("文書")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "source_key"], condition=~models.Q(source_key=""),
                                    name="assistant_document_unique_source"),
        ]
        indexes = [models.Index(fields=["municipality", "retired_at", "indexed_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_national(self) -> bool:
        return self.municipality_id is None


class Passage(models.Model):
    """One searchable piece of a document: an article's 項 (with its 号), or the text under one heading."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="passages")
    ordinal = models.PositiveIntegerField()
    path = models.CharField(_("箇所"), max_length=300, blank=True)  # 第3条第2項, or 2 基本理念 > 1 町の目指す姿
    anchor = models.CharField(max_length=80, blank=True)  # fragment of the citation URL (a3-2, s4)
    text = models.TextField()
    tokens = models.TextField()  # the search terms of title + path + text, space-separated

    objects = ScopedManager(municipality="municipality")
    with_national = TownOrSharedManager()

    class Meta:
        ordering = ["document_id", "ordinal"]
        constraints = [models.UniqueConstraint(fields=["document", "ordinal"], name="assistant_passage_unique")]


class IngestState(models.TextChoices):
    PENDING = "pending", _("処理待ち")
    DONE = "done", _("登録済み")
    FAILED = "failed", _("読み取れませんでした")


class Ingest(models.Model):
    """One attempt to (re-)ingest a document from a file or typed text; a failure leaves the document as it was."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="ingests")
    state = models.CharField(_("状態"), max_length=8, choices=IngestState.choices, default=IngestState.PENDING)
    format = models.CharField(_("形式"), max_length=8, choices=Format.choices)
    file_name = models.CharField(_("ファイル名"), max_length=200, blank=True)
    file = models.CharField(max_length=300, blank=True)  # private file path (kernel.files); blank for typed text
    text = models.TextField(blank=True)  # typed text, or the text given by a command/sync
    version_date = models.DateField(null=True, blank=True)
    error = models.TextField(_("理由"), blank=True)
    passages = models.PositiveIntegerField(_("箇所の数"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(municipality="municipality")
    with_national = TownOrSharedManager()

    class Meta:
        ordering = ["-created_at", "-pk"]


class IndexState(models.Model):
    """The generation of a town's passages (key: the municipality's id) or of the national ones (key "national").
    Bumped in the transaction that changes them, so every web process and worker knows when its in-memory index
    is stale."""

    key = models.CharField(max_length=20, unique=True)
    generation = models.PositiveBigIntegerField(default=0)


class Question(models.Model):
    """One question a resident asked the chat, kept with personal data redacted: counts the chat's use and shows
    staff what it could not answer."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(_("質問（個人情報は伏せ字）"), max_length=500)
    known = models.BooleanField(_("答えられた"))
    document = models.ForeignKey(Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                 verbose_name=_("答えに使った文書"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(municipality="municipality")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["municipality", "created_at"])]


class LearnedQuestion(models.Model):
    """学習した質問: the words of a question the chat could not answer, linked by staff to the document (and
    section) that answers it. Its terms are added to that passage's at every index build, so the same question,
    asked again in the same or close words, is answered from it. One link per distinct question text: linking one
    of many identical questions teaches them all. The section is kept as a path, not a passage id, because a new
    version of the document replaces its passages; a retired document's links are ignored."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(_("質問（個人情報は伏せ字）"), max_length=500)
    question = models.ForeignKey(Question, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                 verbose_name=_("もとの質問"))
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+",
                                 verbose_name=_("答えになる文書"))
    # The passage's path (第3条第2項, 2 出し方 > 料金); blank: the document's passage nearest to the question.
    section = models.CharField(_("箇所"), max_length=300, blank=True)
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    linked_at = models.DateTimeField(_("リンクした日時"))

    objects = ScopedManager(municipality="municipality")

    class Meta:
        ordering = ["-linked_at", "-pk"]
        verbose_name = _("学習した質問")
        constraints = [models.UniqueConstraint(fields=["municipality", "text"],
                                               name="assistant_learned_question_unique_text")]

    def __str__(self) -> str:
        return self.text
