"""Subscribers (配信先), their endpoints on each channel, broadcasts and per-endpoint deliveries."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yakuba.kernel.accounts.models import Resident, Staff
from yakuba.kernel.tenancy.models import TenantModel


def _token() -> str:
    return secrets.token_urlsafe(24)


class Channel(models.TextChoices):
    EMAIL = "email", _("メール")
    LINE = "line", _("LINE")
    WEBPUSH = "webpush", _("プッシュ通知")


class Language(models.TextChoices):
    JA = "ja", _("日本語")
    EASY = "ja-easy", _("やさしい日本語")
    EN = "en", pgettext_lazy("language name", "English")  # bare "English" is 「英語(米国)」 in Django's catalogue


class Subscriber(TenantModel):
    """配信先: a person who asked to be told, with or without an account. The token in every message's
    links (manage, unsubscribe) identifies them without a login."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    resident = models.ForeignKey(Resident, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # A staff member told of their work (決裁待ち …) on the browsers they subscribed; such a subscriber has Web Push
    # endpoints only and receives no resident broadcast (see messaging/staff.py).
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    language = models.CharField(_("言語"), max_length=10, choices=Language.choices, default=Language.JA)
    quiet_start = models.TimeField(_("通知を控える時間（開始）"), null=True, blank=True)
    quiet_end = models.TimeField(_("通知を控える時間（終了）"), null=True, blank=True)
    token = models.CharField(max_length=64, unique=True, default=_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("配信先")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "resident"], condition=models.Q(resident__isnull=False),
                                    name="subscriber_one_per_resident"),
            models.UniqueConstraint(fields=["municipality", "staff"], condition=models.Q(staff__isnull=False),
                                    name="subscriber_one_per_staff"),
            models.CheckConstraint(condition=models.Q(quiet_start__isnull=True, quiet_end__isnull=True)
                                   | models.Q(quiet_start__isnull=False, quiet_end__isnull=False),
                                   name="subscriber_quiet_hours_both_or_none"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"


class Endpoint(TenantModel):
    """One address of a subscriber on one channel: an email address (confirmed by double opt-in), a LINE
    user id (from the follow webhook), a Web Push subscription (endpoint URL and keys)."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="endpoints")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    address = models.CharField(max_length=1000)
    keys = models.JSONField(default=dict, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # Single use: cleared when the confirmation link is opened, so a reused link is refused.
    confirm_nonce = models.CharField(max_length=64, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    pause_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("配信チャネル")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "channel", "address"], name="endpoint_unique_address"),
            models.UniqueConstraint(fields=["subscriber", "channel"], condition=~models.Q(channel="webpush"),
                                    name="endpoint_one_email_one_line"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None and self.paused_at is None


class Broadcast(TenantModel):
    """One message to many (GOV.UK Notify's job): what to say in each language, where the page is, and
    whether it is urgent (防災: the priority queue, quiet hours ignored)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source = models.CharField(max_length=50)  # who asked, e.g. "notices.notice"; the audience resolver key
    source_id = models.PositiveBigIntegerField()
    urgent = models.BooleanField(default=False)
    # {"ja": {"subject": "...", "body": "..."}, "ja-easy": {...}, "en": {...}}
    content = models.JSONField(default=dict)
    url = models.CharField(max_length=500)  # the page the message links to (path within the town)
    ask_ack = models.BooleanField(default=True)  # show 「確認しました」
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    fanned_out_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)  # e.g. the notice was withdrawn: send nothing more

    class Meta:
        verbose_name = _("一斉配信")
        indexes = [models.Index(fields=["source", "source_id"])]

    def __str__(self) -> str:
        return f"{self.source}:{self.source_id}"


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("送信待ち")
    SENDING = "sending", _("送信中")
    SENT = "sent", _("送信済み")
    FAILED = "failed", _("失敗")
    SKIPPED = "skipped", _("停止中のため送信せず")


class Delivery(TenantModel):
    """One broadcast to one endpoint: delivered at most once. `key` is the idempotency key given to the
    provider (LINE's X-Line-Retry-Key, the mail's Message-ID, the push Topic) and the secret of the
    「確認しました」 and reply links; it is written before the first attempt and never changes."""

    broadcast = models.ForeignKey(Broadcast, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.SET_NULL, null=True, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    batch = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    not_before = models.DateTimeField(null=True, blank=True)  # quiet hours, retry backoff
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)  # the resident pressed 「確認しました」
    provider_ref = models.CharField(max_length=200, blank=True)
    # The idempotency key of the one request that carries this row together with others (LINE multicast), fixed
    # before that request is first sent and kept on every retry, so a resend after a crash repeats the same key
    # for the same recipients (or fewer) and the provider drops it.
    request_key = models.UUIDField(null=True, blank=True, editable=False)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("配信")
        constraints = [
            models.UniqueConstraint(fields=["broadcast", "endpoint"], name="delivery_once_per_endpoint"),
        ]
        indexes = [models.Index(fields=["broadcast", "batch", "status"]),
                   models.Index(fields=["status", "claimed_at"])]

    def __str__(self) -> str:
        return f"{self.broadcast_id}/{self.channel}/{self.pk}"


class RateWindow(models.Model):
    """Messages sent on one channel key (e.g. "line:10382") in one second, shared by every worker."""

    key = models.CharField(max_length=60)
    second = models.BigIntegerField()
    used = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "second"], name="ratewindow_unique")]


class Mail(TenantModel):
    """One transactional mail to one address (a receipt, a booking confirmation, a password link): what was sent
    to which address for which purpose, when, and whether the mail server took it. The body is not kept (it may
    hold an application's answers); the subject and template say what it was. `key` is the idempotency key (a
    fact sent once, e.g. "applications.receipt:12", or the task run that sends it), so a task run again after the
    mail went does not send it twice."""

    key = models.CharField(max_length=160, editable=False)
    purpose = models.CharField(_("用途"), max_length=60)  # dotted, e.g. "reservations.confirmation"
    about = models.CharField(_("対象"), max_length=80, blank=True)  # e.g. "reservations.reservation:12"
    address = models.EmailField(_("宛先"), max_length=254)
    subject = models.CharField(_("件名"), max_length=300)
    template = models.CharField(max_length=200)
    status = models.CharField(_("状態"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.SENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("送信したメール")
        constraints = [models.UniqueConstraint(fields=["municipality", "key"], name="mail_once_per_key")]
        indexes = [models.Index(fields=["municipality", "about"]), models.Index(fields=["municipality", "created_at"])]

    def __str__(self) -> str:
        return f"{self.purpose}/{self.pk}"
