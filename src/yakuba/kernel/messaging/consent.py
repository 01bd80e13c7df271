"""The one rule for mailing a person: may the town mail this address for this purpose — and if not, why, and what
the resident can do about it. Every system asks here (receipts, bookings, notices, 防災); none keeps its own variant.

The rule: apart from the link that proves an address (and links only its owner can use), mail goes only to an
address its owner has proven by opening a link mailed to it. For a resident's account address that proof is the
account's confirmation (User.email_verified_at, the link of the welcome mail, re-sent from マイページ); for any other
address a resident or a visitor gives to receive notices, it is that address's double opt-in (Endpoint.confirmed_at).
A notice endpoint at the resident's own account address is confirmed by the account's confirmation, so one link
proves the address for every system."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from yakuba.kernel.accounts.models import Resident, User

from .models import Channel, Endpoint

# Accounts made from a デジタル認証アプリ identity without an address carry a placeholder in this domain.
NO_MAILBOX_DOMAIN = "@users.invalid"


class Purpose(StrEnum):
    PROOF = "proof"  # the link that proves the address, a password or invitation link: only its owner can use it
    PERSONAL = "personal"  # the resident's own business: receipts, booking confirmations, reminders
    NOTICE = "notice"  # the town's notices, 防災 included


class Reason(StrEnum):
    OK = "ok"
    NO_ADDRESS = "no_address"  # no mailbox on the account (or no account: registered at the counter)
    UNCONFIRMED = "unconfirmed"  # the account's address is not confirmed yet
    PENDING = "pending"  # a notices address whose confirmation link has not been opened yet
    STOPPED = "stopped"  # the subscriber stopped it (or it bounced)


_MESSAGES: dict[Reason, Promise] = {
    Reason.NO_ADDRESS: _("メールアドレスが登録されていないため、メールはお送りしていません。"),
    Reason.UNCONFIRMED: _("メールアドレスの確認がまだのため、メールはお送りしていません。"
                          "確認が済むまでメールは届きません。"),
    Reason.PENDING: _("確認メールのリンクが開かれるまで、このアドレスにメールはお送りしません。"),
    Reason.STOPPED: _("このアドレスへの配信は停止しています。"),
}


@dataclass(frozen=True)
class MailConsent:
    """The answer: `allowed` (also its truth value), the `address` to use when allowed, and otherwise the reason,
    a sentence for the resident and the action they can take (a label and a link, or none)."""

    allowed: bool
    reason: Reason
    address: str = ""

    def __bool__(self) -> bool:
        return self.allowed

    @property
    def message(self) -> str:
        return str(_MESSAGES.get(self.reason, ""))

    @property
    def action_label(self) -> str:
        return str(_("マイページで確認メールを送り直す")) if self.reason is Reason.UNCONFIRMED else ""

    @property
    def action_url(self) -> str:
        # マイページ has the 「確認のメールをもう一度送る」 button (a single-use link bound to the town).
        return reverse("accounts:profile") if self.reason is Reason.UNCONFIRMED else ""


def _account(person: Resident | User | None) -> User | None:
    return person.user if isinstance(person, Resident) else person


def has_mailbox(user: User | None) -> bool:
    return user is not None and bool(user.email) and not user.email.lower().endswith(NO_MAILBOX_DOMAIN)


def to_person(person: Resident | User | None, purpose: Purpose) -> MailConsent:
    """May the town mail this resident (or account) at the account's address for `purpose`?"""
    user = _account(person)
    if user is None or not has_mailbox(user):
        return MailConsent(False, Reason.NO_ADDRESS)
    if purpose is not Purpose.PROOF and user.email_verified_at is None:
        return MailConsent(False, Reason.UNCONFIRMED)
    return MailConsent(True, Reason.OK, user.email)


def is_account_address(resident: Resident | None, address: str) -> bool:
    """Whether `address` is the resident's own account address (its proof is the account's confirmation)."""
    user = _account(resident)
    return has_mailbox(user) and user is not None and user.email.strip().lower() == address.strip().lower()


def to_endpoint(endpoint: Endpoint, purpose: Purpose = Purpose.NOTICE) -> MailConsent:
    """May the town send to this notices endpoint? Email only once its address is proven; any channel not stopped."""
    if purpose is Purpose.PROOF:
        return MailConsent(True, Reason.OK, endpoint.address)
    if endpoint.paused_at is not None:
        return MailConsent(False, Reason.STOPPED)
    if endpoint.confirmed_at is None:
        resident = endpoint.subscriber.resident if endpoint.subscriber.resident_id else None
        own = endpoint.channel == Channel.EMAIL and is_account_address(resident, endpoint.address)
        return MailConsent(False, Reason.UNCONFIRMED if own else Reason.PENDING)
    return MailConsent(True, Reason.OK, endpoint.address)


def deliverable(endpoints: QuerySet[Endpoint]) -> QuerySet[Endpoint]:
    """`to_endpoint(…, NOTICE)` for many at once (the fan-out of a broadcast, the expected-recipients count)."""
    return endpoints.filter(confirmed_at__isnull=False, paused_at__isnull=True)
