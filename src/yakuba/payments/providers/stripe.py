"""Stripe through its official SDK: a Checkout Session per payment (card, コンビニ, PayPay as the account enables),
status from the session, refunds of its PaymentIntent, webhooks verified by `stripe.Webhook.construct_event`, and
the day's settlement read from the account's balance transactions (charges and refunds, with Stripe's fee).

The town's `api_base` (tests: a local server speaking this subset of Stripe's API) replaces api.stripe.com.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import stripe
from django.utils import timezone

from . import BadSignature, Created, Event, Order, ProviderDown, ProviderRefused, Remote, SettlementLine

if TYPE_CHECKING:
    from ..config import TownConfig


def _status(session: Any) -> str:
    """Our status of a Checkout Session: paid → success; completed but unpaid (コンビニ: paid later at the shop) →
    submitted; expired → expired; open → started."""
    if session.status == "complete":
        return "success" if session.payment_status == "paid" else "submitted"
    if session.status == "expired":
        return "expired"
    return "started"


class StripeClient:
    name = "stripe"

    def __init__(self, config: TownConfig) -> None:
        addresses: Any = {"api": config.base} if config.base else {}
        self.client = stripe.StripeClient(config.api_key, base_addresses=addresses, max_network_retries=1)
        self.secret = config.webhook_secret

    def _guard(self, call: Any) -> Any:
        try:
            return call()
        except (stripe.APIConnectionError, stripe.RateLimitError) as error:
            raise ProviderDown(str(error)) from error
        except stripe.StripeError as error:
            if error.http_status is not None and error.http_status >= 500:
                raise ProviderDown(str(error)) from error
            raise ProviderRefused(str(error)) from error

    def create(self, order: Order) -> Created:
        session = self._guard(lambda: self.client.v1.checkout.sessions.create(params={
            "mode": "payment", "success_url": order.return_url, "cancel_url": order.return_url,
            "client_reference_id": order.reference,
            "line_items": [{"quantity": 1, "price_data": {
                "currency": "jpy", "unit_amount": order.amount, "product_data": {"name": order.description}}}],
            "metadata": {"reference": order.reference},
        }, options={"idempotency_key": order.idempotency_key}))
        return Created(provider_id=session.id, next_url=session.url)

    def get(self, provider_id: str) -> Remote:
        session = self._guard(lambda: self.client.v1.checkout.sessions.retrieve(provider_id))
        return Remote(provider_id=session.id, status=_status(session), amount=int(session.amount_total or 0),
                      method="card" if _status(session) == "success" else "")

    def cancel(self, provider_id: str) -> Remote:
        try:
            self._guard(lambda: self.client.v1.checkout.sessions.expire(provider_id))
        except ProviderRefused:
            pass  # completed meanwhile: the caller reads what it is
        return self.get(provider_id)

    def refund(self, provider_id: str, amount: int, idempotency_key: str) -> str:
        session = self._guard(lambda: self.client.v1.checkout.sessions.retrieve(provider_id))
        if not session.payment_intent:
            raise ProviderRefused("the session has no payment to refund")
        intent = session.payment_intent if isinstance(session.payment_intent, str) else session.payment_intent.id
        refund = self._guard(lambda: self.client.v1.refunds.create(
            params={"payment_intent": intent, "amount": amount}, options={"idempotency_key": idempotency_key}))
        return str(refund.id)

    def verify(self, body: bytes, headers: dict[str, str]) -> Event:
        try:
            event = stripe.Webhook.construct_event(body, headers.get("stripe-signature", ""), self.secret)
        except (stripe.SignatureVerificationError, ValueError) as error:
            raise BadSignature(str(error)) from error
        obj = event.data.object.to_dict()
        provider_id = str(obj.get("id", "")) if obj.get("object") == "checkout.session" else ""
        return Event(event_id=event.id, event_type=event.type, provider_id=provider_id, payload={"type": event.type})

    def settlement(self, day: date) -> list[SettlementLine]:
        """The town's day (local time) as Stripe booked it: each charge and refund of the account's balance, keyed
        by the Checkout Session our payment has (found through its PaymentIntent), with the fee Stripe kept."""
        start = timezone.make_aware(datetime.combine(day, time.min))
        end = start + timedelta(days=1)
        listing = self._guard(lambda: self.client.v1.balance_transactions.list(params={
            "created": {"gte": int(start.timestamp()), "lt": int(end.timestamp())}, "limit": 100,
            "expand": ["data.source"]}))
        sessions: dict[str, tuple[str, str]] = {}  # PaymentIntent -> (session id, reference)
        lines = []
        for entry in self._guard(lambda: list(listing.auto_paging_iter())):
            source = entry.source
            if entry.type not in ("charge", "payment", "refund", "payment_refund") or source is None:
                continue  # payouts, adjustments: not a payment of ours
            intent = source.payment_intent if isinstance(source.payment_intent, str) else source.payment_intent.id
            if intent not in sessions:
                sessions[intent] = self._session_of(intent)
            session_id, reference = sessions[intent]
            if entry.type in ("charge", "payment"):
                details = source.to_dict().get("payment_method_details") or {}
                lines.append(SettlementLine(kind="payment", provider_id=session_id, refund_id="", reference=reference,
                                            method=str(details.get("type") or "card"), amount=int(entry.amount),
                                            fee=int(entry.fee)))
            else:
                lines.append(SettlementLine(kind="refund", provider_id=session_id, refund_id=str(source.id),
                                            reference=reference, method="", amount=int(entry.amount),
                                            fee=int(entry.fee)))  # negative, as our refund lines
        return lines

    def _session_of(self, intent: str) -> tuple[str, str]:
        found = self._guard(lambda: self.client.v1.checkout.sessions.list(params={"payment_intent": intent,
                                                                                  "limit": 1}))
        if not found.data:
            return "", ""  # paid outside yakuba's Checkout: an unknown line in the report
        return str(found.data[0].id), str(found.data[0].to_dict().get("client_reference_id") or "")
