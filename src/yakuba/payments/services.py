"""Verbs of キャッシュレス決済: ask for a payment, start it with the town's provider, learn its outcome from the
provider (never from the browser), expire it, take it at the counter, refund it, and tell the owning app.

Every change of a payment's status goes through `_move`, which writes it with the row locked, audits it, and has
`kernel.payments.payment_changed` sent after the transaction commits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.kernel import payments as kernel
from yakuba.kernel.accounts.models import Role, Staff
from yakuba.kernel.audit.services import record
from yakuba.kernel.numbering.services import take
from yakuba.kernel.refusal import Refused
from yakuba.kernel.tenancy.models import Municipality

from . import config
from .models import Method, Payment, Provider, Refund, RefundStatus, Status, WebhookEvent
from .providers import BadSignature, Order, ProviderDown, ProviderRefused, Remote, client_for

log = logging.getLogger(__name__)
RECEIPT_SERIES = "payments.receipt"
RETRY_MINUTES = 5


def _now() -> datetime:
    return timezone.now()


# Asking for a payment ------------------------------------------------------------------------------------------

def request_payment(due: kernel.Due) -> Payment:
    """Record what an item costs (in the caller's transaction). The item's open or paid payment is returned when
    there is one (a repeat asks nothing new); an amount of 0 or less, or a kind nobody registered, is refused."""
    if not isinstance(due.amount, int) or isinstance(due.amount, bool) or due.amount <= 0:
        raise Refused(_("お支払いの金額は1円以上です。"))
    kind = kernel.kind_of(due.kind)
    if kind is None:
        raise Refused(_("この支払いの種類は登録されていません。"))
    existing = _current(due.municipality, due.kind, due.key)
    if existing is not None and (existing.is_open or existing.status == Status.SUCCESS):
        return existing
    town = config.of(due.municipality)
    expires_at = _now() + timedelta(minutes=town.expiry_minutes) if due.expires else None
    with transaction.atomic():
        payment = Payment.objects.create(
            municipality=due.municipality, payable_kind=due.kind, payable_key=due.key, amount=due.amount,
            description=due.description[:200], reference=due.reference[:40],
            revenue_code=due.revenue_code or kind.revenue_code, lines=[list(line) for line in due.lines],
            return_path=town_relative(due.return_path), resident=due.resident, expires_at=expires_at)
        record("payments.payment.created", municipality=due.municipality, obj=payment,
               data={"kind": due.kind, "key": due.key, "amount": due.amount})
        if expires_at is not None:
            _schedule_expiry(payment.pk, expires_at)
        _announce(payment)
    return payment


def town_relative(path: str) -> str:
    """A path inside the town without the /t/<code> prefix a request may have added (reverse() inside one does):
    pages put back the prefix of the request they answer (`local_path`)."""
    prefix = get_script_prefix().rstrip("/")
    return path[len(prefix):] if prefix and path.startswith(prefix + "/") else path


def local_path(path: str) -> str:
    """A stored town-relative path as the current request reaches it (with its /t/<code> prefix, if any)."""
    return get_script_prefix().rstrip("/") + path


def _current(municipality: Municipality, kind: str, key: str) -> Payment | None:
    """The item's payment that matters: the paid one, else the open one, else the latest."""
    payments = list(Payment.objects.filter(municipality=municipality, payable_kind=kind, payable_key=key)
                    .order_by("-created_at", "-pk")[:20])
    for wanted in ([Status.SUCCESS], list(kernel.OPEN)):
        found = next((p for p in payments if p.status in wanted), None)
        if found is not None:
            return found
    return payments[0] if payments else None


def _schedule_expiry(payment_id: int, when: datetime) -> None:
    from . import tasks

    def enqueue() -> None:
        if tasks.expire_payment.get_backend().supports_defer:
            tasks.expire_payment.using(run_after=when).enqueue(payment_id)

    transaction.on_commit(enqueue)


# Paying online -------------------------------------------------------------------------------------------------

def start(payment: Payment, *, resident: Any = None) -> Payment:
    """Send the resident to the provider: create the provider's payment once (the row stays locked meanwhile, so a
    second tab or a double click waits and then resumes the same one; the provider's idempotency key makes a retry
    after a lost answer find the payment it already made). Refused after expiry, when paid, or when the provider
    does not answer (nothing is charged then; the item stays held until its expiry)."""
    town = config.of(payment.municipality)
    with transaction.atomic():
        current = Payment.objects.select_for_update().get(pk=payment.pk)
        if resident is not None and current.resident_id not in (None, resident.pk):
            raise Refused(_("このお支払いは、あなたのものではありません。"))
        if current.status == Status.SUCCESS:
            raise Refused(_("このお支払いはすでに済んでいます。"))
        if not current.is_open:
            raise Refused(_("このお支払いは受け付けを終えています（%(status)s）。")
                          % {"status": current.get_status_display()})
        if current.expires_at is not None and current.expires_at <= _now():
            raise Refused(_("お支払いの期限が過ぎました。もう一度お申し込みください。"))
        if current.next_url:
            return current
        if not town.online:
            raise Refused(_("この町ではオンラインでのお支払いを受け付けていません。窓口でお支払いください。"))
        client = client_for(town)
        order = Order(amount=current.amount, description=current.description, reference=current.reference,
                      idempotency_key=f"yakuba-payment-{current.public_id}",
                      return_url=current.municipality.absolute_url(
                          reverse("payments:return", args=[current.public_id])),
                      webhook_url=current.municipality.absolute_url(reverse("payments:webhook", args=[client.name])))
        try:
            created = client.create(order)
        except ProviderDown as error:
            log.warning("payments: provider down creating %s: %s", current.pk, error)
            raise Refused(_down_message(current)) from error
        except ProviderRefused as error:
            log.warning("payments: provider refused %s: %s", current.pk, error)
            refused = _("決済サービスがこのお支払いを受け付けませんでした。窓口へお問い合わせください。")
            raise Refused(refused) from error
        current.provider, current.provider_id, current.next_url = client.name, created.provider_id, created.next_url
        current.status = Status.STARTED
        current.save(update_fields=["provider", "provider_id", "next_url", "status"])
        record("payments.payment.started", municipality=current.municipality, obj=current,
               data={"provider": client.name})
        _announce(current)
    return current


def provider_origin(payment: Payment) -> str:
    """Where the provider's payment page lives: the pay form redirects there, so its CSP form-action must allow it."""
    from urllib.parse import urlsplit

    town = config.of(payment.municipality)
    url = payment.next_url or (town.base if town.provider == "fake" else "https://checkout.stripe.com")
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _down_message(payment: Payment) -> str:
    if payment.expires_at is None:
        return _("決済サービスにつながりません。しばらくしてから、もう一度お試しください。"
                 "二重に請求されることはありません。")
    return _("決済サービスにつながりません。しばらくしてから、もう一度お試しください。"
             "お申込みは%(time)sまでお取りしています。二重に請求されることはありません。") % {
        "time": timezone.localtime(payment.expires_at).strftime("%-m月%-d日 %-H:%M")}


def refresh(payment: Payment) -> Payment:
    """Ask the provider what became of the payment and record it (the return page, webhooks and expiry call this).
    A provider that does not answer leaves it as it was."""
    if not payment.provider_id or payment.provider == Provider.COUNTER:
        return payment
    try:
        remote = client_for(config.of(payment.municipality)).get(payment.provider_id)
    except (ProviderDown, ProviderRefused) as error:
        log.warning("payments: cannot refresh %s: %s", payment.pk, error)
        return payment
    return _apply(payment, remote)


def _apply(payment: Payment, remote: Remote) -> Payment:
    with transaction.atomic():
        current = Payment.objects.select_for_update().get(pk=payment.pk)
        # Only forward: the provider's created/started are both "not paid yet" to us.
        if not current.is_open or remote.status == current.status or remote.status in (Status.CREATED,
                                                                                       Status.STARTED):
            return current
        if remote.amount != current.amount:
            log.error("payments: amount mismatch on %s: ours %s, provider %s", current.pk, current.amount,
                      remote.amount)
            return current
        if remote.status == Status.SUCCESS:
            current.method, current.fee = _method(remote.method), remote.fee
        _move(current, remote.status)
    return current


def _method(name: str) -> str:
    return name if name in Method.values else Method.CARD


def _move(payment: Payment, status: str, *, actor: Any = None, data: dict[str, Any] | None = None) -> None:
    """Write a new status (the row is locked by the caller), audit it, and announce it after commit."""
    payment.status = status
    if status == Status.SUCCESS:
        payment.paid_at = _now()
        payment.receipt_number = take(payment.municipality, RECEIPT_SERIES)
    if status in kernel.FINISHED:
        payment.finished_at = _now()
    try:
        with transaction.atomic():
            payment.save()
    except IntegrityError:
        # The item was already paid by another payment (a late webhook of an expired one): this charge is given
        # back in full rather than kept twice.
        _refund_duplicate(payment)
        return
    record(f"payments.payment.{status}", municipality=payment.municipality, obj=payment, actor=actor,
           data={"amount": payment.amount, "method": payment.method, **(data or {})})
    _announce(payment)


def _refund_duplicate(payment: Payment) -> None:
    paid_by_provider = payment.provider_id and payment.provider != Provider.COUNTER
    payment.refresh_from_db()
    payment.status, payment.finished_at = Status.CANCELLED, _now()
    payment.failure = _("同じものが既に支払われていたため、全額を返金しました。")
    payment.save(update_fields=["status", "finished_at", "failure"])
    if paid_by_provider:
        try:
            client_for(config.of(payment.municipality)).refund(payment.provider_id, payment.amount,
                                                               f"yakuba-duplicate-{payment.public_id}")
        except (ProviderDown, ProviderRefused) as error:
            log.error("payments: could not refund duplicate %s: %s", payment.pk, error)
    record("payments.payment.duplicate_refunded", municipality=payment.municipality, obj=payment)


def _announce(payment: Payment) -> None:
    data = {"kind": payment.payable_kind, "key": payment.payable_key, "municipality_id": payment.municipality_id,
            "status": payment.status, "amount": payment.amount, "refunded_amount": payment.refunded_amount,
            "payment_id": payment.pk}
    transaction.on_commit(lambda: kernel.payment_changed.send(sender=data["kind"], **data))


# Webhooks ------------------------------------------------------------------------------------------------------

def receive_webhook(municipality: Municipality, provider: str, body: bytes, headers: dict[str, str]) -> str:
    """A provider's notice: verified with the town's secret (BadSignature otherwise), kept once (a replay finds its
    row and changes nothing), and then the payment's status is read from the provider, not from the notice."""
    town = config.of(municipality)
    if town.provider != provider or not town.online:
        raise BadSignature("this town does not use that provider")
    event = client_for(town).verify(body, headers)
    payment = (Payment.objects.filter(municipality=municipality, provider=provider, provider_id=event.provider_id)
               .first() if event.provider_id else None)
    try:
        with transaction.atomic():
            WebhookEvent.objects.create(municipality=municipality, provider=provider, event_id=event.event_id,
                                        event_type=event.event_type[:60], payment=payment,
                                        payload=dict(event.payload))
    except IntegrityError:
        return "replayed"
    if payment is not None:
        refresh(payment)
    return "accepted"


# Expiry --------------------------------------------------------------------------------------------------------

def expire(payment: Payment, *, now: datetime | None = None) -> Payment:
    """An open payment past its deadline: cancelled with the provider first (one paid meanwhile is recorded as
    paid instead), then expired, and the owning app releases what it held. Raises ProviderDown to be retried."""
    now = now or _now()
    if not payment.is_open or payment.expires_at is None or payment.expires_at > now:
        return payment
    if payment.provider_id:
        remote = client_for(config.of(payment.municipality)).cancel(payment.provider_id)
        if remote.status == Status.SUCCESS or remote.status == Status.SUBMITTED:
            return _apply(payment, remote)
    with transaction.atomic():
        current = Payment.objects.select_for_update().get(pk=payment.pk)
        if current.is_open:
            _move(current, Status.EXPIRED)
    return current


def expire_due(municipality: Municipality, *, now: datetime | None = None) -> int:
    """Expire every open payment of the town past its deadline (the scheduled sweep); the number expired."""
    count = 0
    for payment in Payment.objects.filter(municipality=municipality, status__in=kernel.OPEN,
                                          expires_at__lte=now or _now()):
        try:
            if expire(payment, now=now).status == Status.EXPIRED:
                count += 1
        except ProviderDown as error:
            log.warning("payments: provider down expiring %s: %s", payment.pk, error)
    return count


# At the counter ------------------------------------------------------------------------------------------------

def take_at_counter(staff: Staff, payment: Payment, *, method: str, received: int | None = None) -> Payment:
    """窓口収納: staff take the payment in cash, by QR or on the card terminal. A payment the resident had started
    online is cancelled with the provider first; one already paid there is refused (never taken twice)."""
    if method not in Method.counter():
        raise Refused({"method": _("受け取った方法を選んでください。")})
    if received is not None and received < payment.amount:
        raise Refused({"received": _("お預かりした金額が、お支払いの金額より少なくなっています。")})
    _same_town(staff, payment)
    if payment.provider_id and payment.is_open:
        try:
            remote = client_for(config.of(payment.municipality)).cancel(payment.provider_id)
        except ProviderDown as error:
            unknown = _("オンライン決済の状況を確認できません。しばらくしてからもう一度お試しください。")
            raise Refused(unknown) from error
        if remote.status in (Status.SUCCESS, Status.SUBMITTED):
            _apply(payment, remote)
            raise Refused(_("この支払いはオンラインで手続き済みです。窓口で受け取らないでください。"))
    with transaction.atomic():
        current = Payment.objects.select_for_update().get(pk=payment.pk)
        if not current.is_open:
            raise Refused(_("この支払いは受け付けを終えています（%(status)s）。")
                          % {"status": current.get_status_display()})
        current.provider, current.provider_id, current.method = Provider.COUNTER, "", method
        current.taken_by = staff
        _move(current, Status.SUCCESS, actor=staff.user, data={"received": received})
    return current


def counter_payment(staff: Staff, due: kernel.Due, *, method: str, received: int | None = None) -> Payment:
    """Ask for and take a payment in one go (書かない窓口: one payment for the visit's procedures)."""
    with transaction.atomic():
        payment = request_payment(due)
        if payment.status == Status.SUCCESS:
            raise Refused(_("この支払いはすでに受け取っています。"))
        return take_at_counter(staff, payment, method=method, received=received)


def _same_town(staff: Staff, payment: Payment) -> None:
    if staff.municipality_id != payment.municipality_id:
        raise Refused(_("この支払いは扱えません。"))


# Refunds -------------------------------------------------------------------------------------------------------

def request_refund(payment: Payment, amount: int, *, reason: str, staff: Staff | None = None,
                   by_rule: bool = False) -> Refund:
    """還付: never more than `refund_amount_available` (checked with the row locked, and by the database). A
    refund a clerk asks for above the town's amount waits for a 所属長 (by_rule: the town's 還付 rule decided it,
    e.g. a booking cancelled before its deadline)."""
    reason = reason.strip()
    problems: dict[str, str] = {}
    if not isinstance(amount, int) or amount <= 0:
        problems["amount"] = _("還付する金額は1円以上で入力してください。")
    if not reason:
        problems["reason"] = _("還付の理由を入力してください。")
    if problems:
        raise Refused(problems)
    if staff is not None:
        _same_town(staff, payment)
    with transaction.atomic():
        current = Payment.objects.select_for_update().get(pk=payment.pk)
        available = current.refund_amount_available
        if amount > available:
            raise Refused({"amount": _("還付できるのは%(yen)s円までです。") % {"yen": f"{available:,}"}})
        town = config.of(current.municipality)
        awaiting = (not by_rule and staff is not None and amount > town.approval_above
                    and staff.role < Role.APPROVER)
        refund = Refund.objects.create(municipality=current.municipality, payment=current, amount=amount,
                                       reason=reason[:200], requested_by=staff,
                                       status=RefundStatus.AWAITING if awaiting else RefundStatus.PENDING)
        record("payments.refund.requested", municipality=current.municipality, obj=current,
               actor=staff.user if staff else None, data={"amount": amount, "reason": reason, "awaiting": awaiting})
        if not awaiting:
            _pay_back(refund, current)
    return refund


def approve_refund(staff: Staff, refund: Refund, *, approve: bool = True) -> Refund:
    """A 所属長 approves (or rejects) a refund above the town's amount; approved, it is paid back."""
    if staff.role < Role.APPROVER:
        raise Refused(_("還付の承認は所属長が行います。"))
    _same_town(staff, refund.payment)
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=refund.payment_id)
        current = Refund.objects.select_for_update().get(pk=refund.pk)
        if current.status != RefundStatus.AWAITING:
            raise Refused(_("この還付は承認待ちではありません。"))
        current.approved_by = staff
        if not approve:
            current.status, current.finished_at = RefundStatus.REJECTED, _now()
            current.save(update_fields=["approved_by", "status", "finished_at"])
            record("payments.refund.rejected", municipality=payment.municipality, obj=payment, actor=staff.user)
            return current
        current.status = RefundStatus.PENDING
        current.save(update_fields=["approved_by", "status"])
        record("payments.refund.approved", municipality=payment.municipality, obj=payment, actor=staff.user,
               data={"amount": current.amount})
        _pay_back(current, payment)
    return current


def _pay_back(refund: Refund, payment: Payment) -> None:
    """Give the money back (the payment's row is locked by the caller). A counter payment is handed back in cash
    at once; a provider that does not answer leaves the refund pending, retried by a task."""
    if payment.provider != Provider.COUNTER:
        try:
            refund.provider_refund_id = client_for(config.of(payment.municipality)).refund(
                payment.provider_id, refund.amount, f"yakuba-refund-{refund.pk}")
        except ProviderDown:
            _retry_refund(refund.pk)
            refund.save(update_fields=["status"])
            return
        except ProviderRefused as error:
            refund.status, refund.failure, refund.finished_at = RefundStatus.FAILED, str(error)[:200], _now()
            refund.save(update_fields=["status", "failure", "finished_at"])
            return
    refund.status, refund.finished_at = RefundStatus.SUCCESS, _now()
    refund.save(update_fields=["status", "provider_refund_id", "finished_at"])
    payment.refunded_amount += refund.amount
    payment.save(update_fields=["refunded_amount"])
    record("payments.refund.succeeded", municipality=payment.municipality, obj=payment,
           data={"amount": refund.amount})
    _announce(payment)


def _retry_refund(refund_id: int) -> None:
    from . import tasks

    def enqueue() -> None:
        if tasks.retry_refund.get_backend().supports_defer:
            tasks.retry_refund.using(run_after=_now() + timedelta(minutes=RETRY_MINUTES)).enqueue(refund_id)

    transaction.on_commit(enqueue)


def retry_refund(refund: Refund) -> Refund:
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=refund.payment_id)
        current = Refund.objects.select_for_update().get(pk=refund.pk)
        if current.status == RefundStatus.PENDING:
            _pay_back(current, payment)
    return current


# What owning apps call through the kernel ----------------------------------------------------------------------

def settle_on_cancel(municipality: Municipality, kind: str, key: str, *, reason: str,
                     by_staff: Staff | None = None, full: bool = False) -> int:
    """The owning app cancelled the item: an open payment is cancelled (with the provider too), a paid one is
    refunded per the town's 還付 rule. Returns the yen refunded or being refunded."""
    payment = _current(municipality, kind, key)
    if payment is None:
        return 0
    if payment.is_open:
        withdraw(municipality, kind, key)
        return 0
    if payment.status != Status.SUCCESS:
        return 0
    percent = 100 if full else config.of(municipality).cancel_refund_percent
    amount = min(payment.refund_amount_available, payment.amount * percent // 100)
    if amount <= 0:
        return 0
    request_refund(payment, amount, reason=reason, staff=by_staff, by_rule=True)
    return amount


def withdraw(municipality: Municipality, kind: str, key: str) -> None:
    payment = _current(municipality, kind, key)
    if payment is None or not payment.is_open:
        return
    if payment.provider_id:
        try:
            remote = client_for(config.of(municipality)).cancel(payment.provider_id)
        except ProviderDown as error:
            down = _("決済サービスにつながらないため、今は取り消せません。しばらくしてからもう一度お試しください。")
            raise Refused(down) from error
        if remote.status in (Status.SUCCESS, Status.SUBMITTED):
            _apply(payment, remote)
            raise Refused(_("お支払いの手続が進んでいるため、今は取り消せません。"
                            "少し待ってからもう一度お試しください。"))
    with transaction.atomic():
        current = Payment.objects.select_for_update().get(pk=payment.pk)
        if current.is_open:
            _move(current, Status.CANCELLED)


def summary_of(payment: Payment) -> kernel.Summary:
    payable = payment.is_open and (payment.expires_at is None or payment.expires_at > _now())
    return kernel.Summary(
        payment_id=payment.pk, public_id=str(payment.public_id), status=payment.status,
        status_label=str(payment.get_status_display()), amount=payment.amount,
        refunded_amount=payment.refunded_amount, expires_at=payment.expires_at,
        method_label=str(payment.get_method_display()) if payment.method else "",
        pay_url=reverse("payments:pay", args=[payment.public_id]) if payable else "",
        receipt_url=reverse("payments:receipt", args=[payment.public_id]) if payment.status == Status.SUCCESS
        else "", staff_url=reverse("staff:payments-detail", args=[payment.pk]))


class KernelImplementation:
    """What `yakuba.kernel.payments` delegates to."""

    def request_payment(self, due: kernel.Due) -> kernel.Summary:
        return summary_of(request_payment(due))

    def summary(self, municipality: Municipality, kind: str, key: str) -> kernel.Summary | None:
        payment = _current(municipality, kind, key)
        return summary_of(payment) if payment is not None else None

    def settle_on_cancel(self, municipality: Municipality, kind: str, key: str, *, reason: str,
                         by_staff: Staff | None, full: bool) -> int:
        return settle_on_cancel(municipality, kind, key, reason=reason, by_staff=by_staff, full=full)

    def withdraw(self, municipality: Municipality, kind: str, key: str) -> None:
        withdraw(municipality, kind, key)

    def take_at_counter(self, staff: Staff, due: kernel.Due, *, method: str, received: int | None
                        ) -> kernel.Summary:
        return summary_of(counter_payment(staff, due, method=method, received=received))

    def enabled(self, municipality: Municipality) -> bool:
        return config.of(municipality).online


# Settings ------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SettingsChange:
    provider: str
    api_base: str
    api_key: str  # '' keeps the current key
    webhook_secret: str  # '' keeps the current secret
    expiry_minutes: int
    approval_above: int
    cancel_refund_percent: int


def save_settings(staff: Staff, change: SettingsChange) -> None:
    """A town's provider and keys (情報担当 only). A blank key keeps the one saved: pages never show it back."""
    if staff.role < Role.ADMIN:
        raise Refused(_("決済の設定は情報担当が行います。"))
    problems: dict[str, str] = {}
    if change.provider not in ("", "fake", "stripe"):
        problems["provider"] = _("決済事業者を選んでください。")
    if not 5 <= change.expiry_minutes <= 7 * 24 * 60:
        problems["expiry_minutes"] = _("お支払い期限は5分から7日（10080分）の間で入力してください。")
    if not 0 <= change.cancel_refund_percent <= 100:
        problems["cancel_refund_percent"] = _("還付の割合は0から100の間で入力してください。")
    if change.api_base and not change.api_base.startswith(("http://", "https://")):
        problems["api_base"] = _("接続先はhttp://またはhttps://で始まるURLで入力してください。")
    if problems:
        raise Refused(problems)
    with transaction.atomic():
        town = Municipality.objects.select_for_update().get(pk=staff.municipality_id)
        current = dict((town.settings or {}).get(config.KEY) or {})
        current.update({"provider": change.provider, "api_base": change.api_base.strip(),
                        "expiry_minutes": change.expiry_minutes, "approval_above": change.approval_above,
                        "cancel_refund_percent": change.cancel_refund_percent})
        for name in config.SECRETS:
            value = getattr(change, name).strip()
            if value:
                current[name] = value
        town.settings = {**(town.settings or {}), config.KEY: current}
        town.save(update_fields=["settings"])
        record("payments.settings.changed", municipality=town, actor=staff.user,
               data={"provider": change.provider, "keys_changed": [n for n in config.SECRETS
                                                                  if getattr(change, n).strip()]})
