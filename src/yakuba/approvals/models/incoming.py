"""収受 (incoming documents: letters on paper, mail, 電子申請 arrivals), the OCR state of a kept scan, and the
decisions taken on 簿冊 at the end of their 保存期間 (廃棄・延長・移管)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yakuba.kernel.tenancy.models import TenantModel

from .filing import Record, Volume


class Channel(models.TextChoices):
    """How a document arrived (収受の方法)."""

    PAPER = "paper", _("紙（郵送・持参）")
    EMAIL = "email", _("メール")
    ONLINE = "online", _("電子申請")
    FAX = "fax", _("FAX")


class Incoming(TenantModel):
    """収受: what the 収受簿 says about a received document beyond its kept Record (which holds the 収受番号, 件名,
    assigned 課, 収受日, the scan and its text)."""

    record = models.OneToOneField(Record, on_delete=models.PROTECT, related_name="incoming")
    sender = models.CharField(_("差出人"), max_length=200)
    sender_address = models.CharField(_("差出人の連絡先"), max_length=254, blank=True)  # mail address of an arrival
    channel = models.CharField(_("収受の方法"), max_length=10, choices=Channel.choices, default=Channel.PAPER)
    needs_answer = models.BooleanField(_("回答が必要"), default=False)
    answer_by = models.DateField(_("回答期限"), null=True, blank=True)
    note = models.TextField(_("メモ"), blank=True)

    class Meta:
        verbose_name = _("収受")
        constraints = [
            models.CheckConstraint(condition=models.Q(needs_answer=True) | models.Q(answer_by__isnull=True),
                                   name="incoming_answer_by_needs_answer"),
        ]

    def __str__(self) -> str:
        return str(self.record)


class ScanState(models.TextChoices):
    PENDING = "pending", _("読み取り待ち")
    DONE = "done", _("読み取り済み")
    NO_TEXT = "no_text", _("文字が見つからない")
    UNREADABLE = "unreadable", _("読み取れない")


class Scan(TenantModel):
    """The OCR of a record's scanned file: its state, how many tries, and why the last one failed. A scan that
    cannot be read is kept and marked; it is tried again automatically a few times, and on a clerk's request."""

    record = models.OneToOneField(Record, on_delete=models.CASCADE, related_name="scan")
    state = models.CharField(_("読み取りの状態"), max_length=12, choices=ScanState.choices,
                             default=ScanState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(_("読み取れなかった理由"), max_length=300, blank=True)
    pages = models.PositiveIntegerField(default=0)
    method = models.CharField(max_length=20, blank=True)  # text_layer or ocr
    next_try_at = models.DateTimeField(null=True, blank=True)  # the automatic retry waiting, if any
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("スキャンの読み取り")

    def __str__(self) -> str:
        return f"{self.record} ({self.state})"


class VolumeAction(models.TextChoices):
    DISPOSE = "dispose", _("廃棄")
    EXTEND = "extend", _("延長")
    TRANSFER = "transfer", _("移管")


class VolumeDecision(TenantModel):
    """One decision on a 簿冊 at the end of its 保存期間, kept for ever: for 廃棄, what was destroyed (each record's
    number, 件名, file name, size and SHA-256 of the content, length of the text)."""

    volume = models.ForeignKey(Volume, on_delete=models.PROTECT, related_name="decisions")
    action = models.CharField(_("処置"), max_length=10, choices=VolumeAction.choices)
    reason = models.TextField(_("理由"), blank=True)
    expires_before = models.DateField(null=True, blank=True)
    expires_after = models.DateField(null=True, blank=True)  # 延長: the new 満了日
    destroyed = models.JSONField(default=list, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = _("簿冊の処置")

    def __str__(self) -> str:
        return f"{self.volume} {self.action}"
