"""Payments other apps ask for and hear about (キャッシュレス決済): payable kinds, a payment due, and its changes.

An owning app (reservations, applications) never imports the payments app. It registers the kinds of things it
charges for, asks for a payment in its own transaction, sends the resident to `start(...)`'s `next_url`, and listens
to `payment_changed` to react (a booking released when its payment expired, a certificate sent once paid):

    register(PayableKind("reservations.reservation", _("施設使用料"), revenue_code="14-01-01",
                         revenue_label=_("使用料（公民館）")))
    due = request_payment(Due(municipality, "reservations.reservation", str(reservation.pk), amount=1200,
                              description="公民館 会議室A 12月6日", reference="R-123",
                              return_path=reverse("reservations:detail", args=[...])))
    payment_changed.connect(on_payment_changed)  # compares kind == "reservations.reservation"

The payments app installs the implementation (`install`), chooses the town's provider, talks to it, keeps the rows,
and sends `payment_changed` after the transaction that changed a payment commits. Without it installed, asking for a
payment is refused with a sentence the resident can read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from django.dispatch import Signal
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from yakuba.kernel.refusal import Refused

if TYPE_CHECKING:
    from yakuba.kernel.accounts.models import Resident, Staff
    from yakuba.kernel.tenancy.models import Municipality

# Sent after the transaction that changed a payment commits; sender is the payable kind, with keyword arguments
# kind, key, municipality_id, status (one of STATUSES), amount, refunded_amount, payment_id. Receivers connect
# without a sender and compare `kind` (signals match senders by identity, and a kind read back is another string).
payment_changed = Signal()

CREATED, STARTED, SUBMITTED = "created", "started", "submitted"
SUCCESS, FAILED, CANCELLED, EXPIRED = "success", "failed", "cancelled", "expired"
OPEN = (CREATED, STARTED, SUBMITTED)  # still payable: nothing settled yet
FINISHED = (SUCCESS, FAILED, CANCELLED, EXPIRED)
STATUSES = OPEN + FINISHED


@dataclass(frozen=True)
class PayableKind:
    """A kind of thing residents pay for, registered by the app that owns it."""

    kind: str  # e.g. "reservations.reservation"
    label: str | Promise  # what it is, in the 収納 report: 施設使用料
    revenue_code: str  # 歳入科目 (款-項-目), e.g. "14-01-01"
    revenue_label: str | Promise  # 使用料及び手数料 / 使用料 / 公民館使用料
    # Whether residents may pay it online: the share of fee kinds payable online (KPI) counts these.
    online: bool = True
    # The owning page of one item for staff (kind's key -> URL), to link a payment to what it paid for.
    staff_url: Callable[[str], str] | None = None
    # The town's fee types of this kind (inside its scope): (how many residents may pay online, how many have a fee),
    # e.g. rooms with a 使用料, procedures with a 手数料. For the KPI 「オンラインで納付できる手数料の割合」.
    fee_types: Callable[[], tuple[int, int]] | None = None


_kinds: dict[str, PayableKind] = {}


def register(kind: PayableKind) -> PayableKind:
    current = _kinds.get(kind.kind)
    if current is not None and current != kind:
        raise ValueError(f"payable kind {kind.kind} is registered twice")
    _kinds[kind.kind] = kind
    return kind


_revenues: dict[str, str | Promise] = {}


def register_revenue(code: str, label: str | Promise) -> None:
    """A 歳入科目 an owning app may charge an item under instead of its kind's (Due.revenue_code), e.g. 粗大ごみ's
    衛生手数料 for a procedure whose kind is the 申請の手数料: the 収納 report names it and the fee editor offers it."""
    current = _revenues.get(code)
    if current is not None and str(current) != str(label):
        raise ValueError(f"revenue code {code} is registered twice")
    _revenues[code] = label


def revenue_codes() -> list[tuple[str, str | Promise]]:
    """Every 歳入科目 known: the kinds' and those registered, by code."""
    found = {kind.revenue_code: kind.revenue_label for kind in _kinds.values()} | _revenues
    return sorted(found.items())


def revenue_label(code: str) -> str:
    return str(dict(revenue_codes()).get(code, ""))


def kinds() -> list[PayableKind]:
    return sorted(_kinds.values(), key=lambda k: k.kind)


def kind_of(kind: str) -> PayableKind | None:
    return _kinds.get(kind)


@dataclass(frozen=True)
class Due:
    """A payment an owning app asks for: what, how much, and where the resident comes back to."""

    municipality: Municipality
    kind: str
    key: str  # the item's key within its kind (a primary key), stable for its life
    amount: int  # 円, more than 0
    description: str  # what the resident sees on the provider's page and the 領収書
    reference: str  # 受付番号 or the booking's number, printed on the 領収書
    return_path: str  # the owning page (reverse()), where the resident lands after paying
    resident: Resident | None = None
    revenue_code: str = ""  # defaults to the kind's 歳入科目
    expires: bool = True  # False: no deadline (paid at the counter later)
    lines: tuple[tuple[str, int], ...] = ()  # itemised 内訳 (label, yen) summing to amount, for the 領収書
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Summary:
    """What an owning page shows about an item's payment."""

    payment_id: int
    public_id: str
    status: str
    status_label: str
    amount: int
    refunded_amount: int
    expires_at: datetime | None
    method_label: str
    pay_url: str  # where the resident starts or resumes paying ('' when not payable now)
    receipt_url: str  # the 領収書 ('' until paid)
    staff_url: str  # the payment's staff page (counter, refunds, the 領収書 for staff)

    @property
    def paid(self) -> bool:
        return self.status == SUCCESS

    @property
    def payable(self) -> bool:
        return self.status in OPEN


class Implementation(Protocol):
    def request_payment(self, due: Due) -> Summary: ...
    def summary(self, municipality: Municipality, kind: str, key: str) -> Summary | None: ...
    def settle_on_cancel(self, municipality: Municipality, kind: str, key: str, *, reason: str,
                         by_staff: Staff | None, full: bool) -> int: ...
    def withdraw(self, municipality: Municipality, kind: str, key: str) -> None: ...
    def take_at_counter(self, staff: Staff, due: Due, *, method: str, received: int | None) -> Summary: ...
    def enabled(self, municipality: Municipality) -> bool: ...


_implementation: Implementation | None = None


def install(implementation: Implementation) -> None:
    global _implementation
    _implementation = implementation


def _impl() -> Implementation:
    if _implementation is None:
        raise Refused(_("この町ではオンラインでのお支払いを受け付けていません。窓口でお支払いください。"))
    return _implementation


def enabled(municipality: Municipality) -> bool:
    """Whether the town takes payments online (a provider is configured)."""
    return _implementation is not None and _implementation.enabled(municipality)


def request_payment(due: Due) -> Summary:
    """Record a payment due for an item, in the caller's transaction (idempotent: the item's open payment is
    returned if there is one). Refused for an amount of 0 or less or an unregistered kind."""
    return _impl().request_payment(due)


def summary(municipality: Municipality, kind: str, key: str) -> Summary | None:
    """The item's latest payment (the paid one if any), or None."""
    if _implementation is None:
        return None
    return _implementation.summary(municipality, kind, key)


def settle_on_cancel(municipality: Municipality, kind: str, key: str, *, reason: str,
                     by_staff: Staff | None = None, full: bool = False) -> int:
    """The owning app cancelled the item: an open payment is withdrawn, a paid one refunded per the town's 還付 rule
    (`full`: all of it, e.g. the town closed the room). Returns the yen to be refunded (0 if none)."""
    if _implementation is None:
        return 0
    return _implementation.settle_on_cancel(municipality, kind, key, reason=reason, by_staff=by_staff, full=full)


def take_at_counter(staff: Staff, due: Due, *, method: str, received: int | None = None) -> Summary:
    """窓口収納: record the item's payment taken by staff in cash ("cash"), by QR ("qr") or on the card terminal
    ("terminal"), with its 領収書 (Summary.staff_url). Refused when already paid or for an amount of 0 or less."""
    return _impl().take_at_counter(staff, due, method=method, received=received)


def withdraw(municipality: Municipality, kind: str, key: str) -> None:
    """The item no longer needs paying (its fee changed to 0, or it was replaced): an open payment is cancelled."""
    if _implementation is not None:
        _implementation.withdraw(municipality, kind, key)
