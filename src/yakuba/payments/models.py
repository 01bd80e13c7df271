"""Payments (納付), their refunds (還付), and the provider's webhook events, each in one town.

The database holds the rules that money depends on: an amount is more than 0 yen, a refund never takes more than
was paid, an item has at most one open payment and at most one successful one, and a provider's event or a click's
idempotency key is acted on once.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yakuba.kernel import payments as kernel
from yakuba.kernel.accounts.models import Resident, Staff
from yakuba.kernel.tenancy.models import TenantModel


class Status(models.TextChoices):
    CREATED = kernel.CREATED, _("お支払い待ち")
    STARTED = kernel.STARTED, _("お支払い手続中")
    SUBMITTED = kernel.SUBMITTED, _("決済の確認中")
    SUCCESS = kernel.SUCCESS, _("支払済み")
    FAILED = kernel.FAILED, _("決済できませんでした")
    CANCELLED = kernel.CANCELLED, _("取りやめ")
    EXPIRED = kernel.EXPIRED, _("期限切れ")


class Provider(models.TextChoices):
    FAKE = "fake", _("テスト用決済（fakepay）")
    STRIPE = "stripe", _("Stripe")
    COUNTER = "counter", _("窓口")


class Method(models.TextChoices):
    CARD = "card", _("クレジットカード")
    PAYPAY = "paypay", _("PayPay")
    KONBINI = "konbini", _("コンビニ払い")
    CASH = "cash", _("現金（窓口）")
    QR = "qr", _("QRコード決済（窓口）")
    TERMINAL = "terminal", _("カード端末（窓口）")

    @classmethod
    def counter(cls) -> list[Method]:
        return [cls.CASH, cls.QR, cls.TERMINAL]


OPEN_STATUSES = list(kernel.OPEN)


class Payment(TenantModel):
    """納付: one charge for one payable item (a booking, an application, a counter visit), online or at the counter."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    payable_kind = models.CharField(_("種類"), max_length=60)
    payable_key = models.CharField(max_length=60)
    description = models.CharField(_("内容"), max_length=200)
    reference = models.CharField(_("受付番号"), max_length=40, blank=True)
    revenue_code = models.CharField(_("歳入科目"), max_length=20)
    lines = models.JSONField(_("内訳"), default=list, blank=True)  # [[label, yen], ...]
    amount = models.PositiveIntegerField(_("金額（円）"))
    refunded_amount = models.PositiveIntegerField(_("還付額（円）"), default=0)
    status = models.CharField(_("状態"), max_length=10, choices=Status.choices, default=Status.CREATED)
    provider = models.CharField(_("決済事業者"), max_length=10, choices=Provider.choices, blank=True)
    provider_id = models.CharField(max_length=100, blank=True)
    next_url = models.URLField(max_length=500, blank=True)
    method = models.CharField(_("支払方法"), max_length=10, choices=Method.choices, blank=True)
    fee = models.PositiveIntegerField(_("決済手数料（円）"), default=0)  # the provider's, from its settlement
    return_path = models.CharField(max_length=300)
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    taken_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("受領した職員"))
    receipt_number = models.PositiveIntegerField(_("領収書番号"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("お支払い期限"), null=True, blank=True)
    paid_at = models.DateTimeField(_("支払日時"), null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    failure = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("納付")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(condition=Q(refunded_amount__lte=F("amount")), name="payment_refund_within_amount"),
            # One successful charge per payable item: a second success (two tabs, a late webhook) cannot be saved.
            models.UniqueConstraint(fields=["municipality", "payable_kind", "payable_key"],
                                    condition=Q(status="success"), name="payment_one_success_per_item"),
            # One open payment per item: a double click or a second tab resumes it instead of charging again.
            models.UniqueConstraint(fields=["municipality", "payable_kind", "payable_key"],
                                    condition=Q(status__in=OPEN_STATUSES), name="payment_one_open_per_item"),
            models.UniqueConstraint(fields=["provider", "provider_id"], condition=~Q(provider_id=""),
                                    name="payment_unique_provider_id"),
            models.UniqueConstraint(fields=["municipality", "receipt_number"], name="payment_unique_receipt_number"),
        ]
        indexes = [models.Index(fields=["municipality", "paid_at"], name="payment_paid_at")]

    def __str__(self) -> str:
        return f"{self.description} {self.amount}円"

    @property
    def refund_amount_available(self) -> int:
        """What may still be refunded: paid, less what was refunded or is being refunded."""
        if self.status != Status.SUCCESS:
            return 0
        held = sum(r.amount for r in self.refunds.all() if r.status in (RefundStatus.AWAITING, RefundStatus.PENDING))
        return self.amount - self.refunded_amount - held

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def at_counter(self) -> bool:
        return self.provider == Provider.COUNTER


class RefundStatus(models.TextChoices):
    AWAITING = "awaiting", _("所属長の承認待ち")
    PENDING = "pending", _("還付手続中")
    SUCCESS = "success", _("還付済み")
    FAILED = "failed", _("還付できませんでした")
    REJECTED = "rejected", _("承認されませんでした")


class Refund(TenantModel):
    """還付: all or part of a payment given back, with the reason and, above the town's amount, a 所属長's approval."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.PositiveIntegerField(_("還付額（円）"))
    reason = models.CharField(_("理由"), max_length=200)
    status = models.CharField(_("状態"), max_length=10, choices=RefundStatus.choices, default=RefundStatus.PENDING)
    provider_refund_id = models.CharField(max_length=100, blank=True)
    requested_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                     verbose_name=_("申請した職員"))
    approved_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("承認した所属長"))
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    failure = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("還付")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive")]

    def __str__(self) -> str:
        return f"{self.payment.description} {self.amount}円"


class WebhookEvent(TenantModel):
    """A provider's notice that a payment changed, kept once: a replayed event finds its row and changes nothing."""

    provider = models.CharField(max_length=10, choices=Provider.choices)
    event_id = models.CharField(max_length=100)
    event_type = models.CharField(max_length=60)
    payment = models.ForeignKey(Payment, on_delete=models.SET_NULL, null=True, blank=True, related_name="events")
    received_at = models.DateTimeField(default=timezone.now)
    payload = models.JSONField(default=dict)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("決済事業者からの通知")
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="webhookevent_once")]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_id}"
