"""Transports, one per channel, registered in one place.

To add a channel, copy `email.py`: subclass `Transport`, set `channel`, implement `open()` (a context manager
yielding whatever the sends share: a connection, an API client) and `send()`, and register an instance with
`register()` at the bottom of the module, then import the module here (`multicast_size` and `send_many()` only
where the provider sends one text to many recipients in one request). `send()` must pass `outgoing.key` to the
provider as its idempotency key where the provider has one, raise `Permanent` when the address will never work
again (bounced, blocked, gone: the endpoint is paused) and `Temporary` for anything worth retrying.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from yakuba.kernel.tenancy.models import Municipality


class Temporary(Exception):
    """Worth retrying later (timeout, 5xx, 429)."""


class Permanent(Exception):
    """This address will not work again: the endpoint is paused and the delivery fails."""


@dataclass(frozen=True)
class Outgoing:
    """One message, rendered for one recipient in their language, with absolute links."""

    key: str  # the idempotency key: the same on every attempt of this delivery
    address: str
    keys: dict[str, Any]  # channel data of the endpoint (Web Push p256dh/auth)
    subject: str
    body: str
    page_url: str  # the notice page, carrying the delivery key so the page can offer 「確認しました」 and replies
    unsubscribe_url: str  # one click (RFC 8058 for mail)
    manage_url: str  # change categories, areas, channels, quiet hours
    urgent: bool
    language: str


class Transport:
    channel: str = ""
    batch_size: int = 100
    # Messages per second for one rate key (see rate_key); 0 = no limit.
    rate_per_second: int = 0
    # Recipients one request may carry when the same text goes to many (LINE multicast); 0 = one per request.
    multicast_size: int = 0
    # Requests per second for one rate key when sending to many at once.
    multicast_rate_per_second: int = 0
    # Requests one batch keeps in flight at once over its shared session (an HTTP connection pool is shared safely
    # by threads; an SMTP connection is not: 1).
    concurrency: int = 1

    def enabled(self, municipality: Municipality) -> bool:
        """Whether this town can use the channel (configured credentials)."""
        return True

    def rate_key(self, municipality: Municipality) -> str:
        """Which messages share one rate limit: the deployment's mail relay, or each town's LINE channel."""
        return self.channel

    def open(self, municipality: Municipality) -> AbstractContextManager[Any]:
        raise NotImplementedError

    def send(self, session: Any, outgoing: Outgoing) -> str:
        """Deliver one message; return the provider's reference for it (message id, request id)."""
        raise NotImplementedError

    def send_many(self, session: Any, outgoing: Outgoing, addresses: list[str]) -> str:
        """Deliver one message, the same for everyone (no per-recipient links), to many addresses in one request
        with `outgoing.key` as the request's idempotency key; return the provider's reference for the request.
        Only for transports with `multicast_size`; raises `Temporary` for anything, since a failed request says
        nothing about any one address."""
        raise NotImplementedError


_transports: dict[str, Transport] = {}


def register(transport: Transport) -> Transport:
    _transports[transport.channel] = transport
    return transport


def get(channel: str) -> Transport:
    return _transports[channel]


def all_transports() -> Iterator[Transport]:
    return iter(list(_transports.values()))


from . import email, line, webpush  # noqa: E402,F401  (register the built-in transports)
