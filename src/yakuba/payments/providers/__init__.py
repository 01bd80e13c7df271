"""Payment providers behind one interface: each town's choice (`config.provider`) gives a `Client`.

A client creates a payment on the provider's side and returns where the resident pays, reads a payment's status
(the only source of truth: a return URL carries no outcome), cancels or refunds it, verifies a webhook's signature,
and reads the provider's settlement report of a day. To add a provider: a module here with a class implementing
`Client`, and a line in `client_for`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..config import TownConfig


class ProviderDown(Exception):
    """The provider did not answer (network, timeout, 5xx): nothing is known to have happened."""


class ProviderRefused(Exception):
    """The provider answered no (4xx): the request itself is wrong for it."""


class BadSignature(Exception):
    """A webhook whose signature does not verify (forged, altered, too old, or unsigned)."""


@dataclass(frozen=True)
class Created:
    provider_id: str
    next_url: str


@dataclass(frozen=True)
class Remote:
    """A payment as the provider has it, in our statuses."""

    provider_id: str
    status: str
    amount: int
    method: str = ""
    fee: int = 0
    refunded_amount: int = 0


@dataclass(frozen=True)
class Event:
    event_id: str
    event_type: str
    provider_id: str  # the payment it is about ('' when the event is not about one)
    payload: dict[str, object]


@dataclass(frozen=True)
class SettlementLine:
    """One line of the provider's settlement report: a payment (amount > 0) or a refund (amount < 0)."""

    kind: str  # "payment" or "refund"
    provider_id: str
    refund_id: str
    reference: str
    method: str
    amount: int
    fee: int


@dataclass(frozen=True)
class Order:
    """What the provider needs to create a payment."""

    amount: int
    description: str
    reference: str
    idempotency_key: str
    return_url: str
    webhook_url: str


class Client(Protocol):
    name: str

    def create(self, order: Order) -> Created: ...
    def get(self, provider_id: str) -> Remote: ...
    def cancel(self, provider_id: str) -> Remote: ...
    def refund(self, provider_id: str, amount: int, idempotency_key: str) -> str: ...
    def verify(self, body: bytes, headers: dict[str, str]) -> Event: ...
    def settlement(self, day: date) -> list[SettlementLine]: ...


def client_for(config: TownConfig) -> Client:
    if config.provider == "fake":
        from .fake import FakeClient

        return FakeClient(config)
    if config.provider == "stripe":
        from .stripe import StripeClient

        return StripeClient(config)
    raise ProviderRefused(f"no provider {config.provider!r}")
