"""The Stripe adapter through the official SDK, against a local server speaking the subset of Stripe's API it uses:
Checkout Sessions (create, retrieve, expire, list by PaymentIntent), refunds, balance transactions (the settlement),
and webhooks signed with Stripe's scheme."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django_scopes import scope

from tests.payments.conftest import book, payment_of
from yakuba.payments import services
from yakuba.payments.config import TownConfig
from yakuba.payments.providers import BadSignature, Order, ProviderRefused
from yakuba.payments.providers.stripe import StripeClient

SECRET = "whsec_stripe_test"


class StripeStub(BaseHTTPRequestHandler):
    sessions: dict[str, dict] = {}
    refunds: list[dict] = []
    balance: list[dict] = []  # balance transactions: a charge per payment, a negative one per refund
    lock = threading.Lock()

    def log_message(self, *args):  # quiet
        pass

    def _send(self, status: int, data: dict) -> None:
        body = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _form(self) -> dict[str, str]:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        return {k: v[0] for k, v in parse_qs(raw).items()}

    def _list(self, data: list[dict], url: str) -> None:
        return self._send(200, {"object": "list", "data": data, "has_more": False, "url": url})

    def do_GET(self):  # noqa: N802 - http.server's name
        path, query = urlsplit(self.path).path, parse_qs(urlsplit(self.path).query)
        if path == "/v1/balance_transactions":
            low, high = int(query["created[gte]"][0]), int(query["created[lt]"][0])
            return self._list([t for t in self.balance if low <= t["created"] < high], path)
        if path == "/v1/checkout/sessions":
            intent = query.get("payment_intent", [""])[0]
            return self._list([s for s in self.sessions.values() if s["payment_intent"] == intent], path)
        session = self.sessions.get(path.rsplit("/", 1)[-1])
        if not self.path.startswith("/v1/checkout/sessions/") or session is None:
            return self._send(404, {"error": {"type": "invalid_request_error", "message": "No such session"}})
        return self._send(200, session)

    def do_POST(self):  # noqa: N802
        form = self._form()
        if not self.headers.get("Authorization", "").startswith("Bearer sk_test_"):
            return self._send(401, {"error": {"type": "invalid_request_error", "message": "Invalid API Key"}})
        parts = self.path.strip("/").split("/")
        with self.lock:
            if parts == ["v1", "checkout", "sessions"]:
                key = f"cs_test_{len(self.sessions) + 1}"
                session = {"id": key, "object": "checkout.session", "url": f"https://checkout.stub/{key}",
                           "status": "open", "payment_status": "unpaid", "payment_intent": None,
                           "amount_total": int(form["line_items[0][price_data][unit_amount]"]),
                           "client_reference_id": form.get("client_reference_id")}
                self.sessions[key] = session
                return self._send(200, session)
            if parts[:3] == ["v1", "checkout", "sessions"] and parts[4:] == ["expire"]:
                session = self.sessions[parts[3]]
                if session["status"] != "open":
                    return self._send(400, {"error": {"type": "invalid_request_error", "message": "not open"}})
                session["status"] = "expired"
                return self._send(200, session)
            if parts == ["_pay", parts[1]] if len(parts) == 2 else False:
                session = self.sessions[parts[1]]
                session.update(status="complete", payment_status="paid", payment_intent=f"pi_{parts[1]}")
                amount = session["amount_total"]
                self.balance.append({
                    "id": f"txn_{len(self.balance) + 1}", "object": "balance_transaction", "type": "charge",
                    "amount": amount, "fee": amount * 36 // 1000, "created": int(time.time()),
                    "source": {"id": f"ch_{parts[1]}", "object": "charge", "payment_intent": f"pi_{parts[1]}",
                               "payment_method_details": {"type": "card"}}})
                return self._send(200, session)
            if parts == ["v1", "refunds"]:
                refund = {"id": f"re_{len(self.refunds) + 1}", "object": "refund", "amount": int(form["amount"]),
                          "payment_intent": form["payment_intent"], "status": "succeeded"}
                self.refunds.append(refund)
                self.balance.append({
                    "id": f"txn_{len(self.balance) + 1}", "object": "balance_transaction", "type": "refund",
                    "amount": -refund["amount"], "fee": 0, "created": int(time.time()), "source": refund})
                return self._send(200, refund)
        return self._send(404, {"error": {"type": "invalid_request_error", "message": "unknown"}})


@pytest.fixture(scope="module")
def stripe_stub():
    server = ThreadingHTTPServer(("127.0.0.1", 0), StripeStub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def _client(base: str) -> StripeClient:
    return StripeClient(TownConfig(provider="stripe", api_base=base, api_key="sk_test_town", webhook_secret=SECRET))


def _pay(base: str, session_id: str) -> None:
    import requests

    requests.post(f"{base}/_pay/{session_id}", headers={"Authorization": "Bearer sk_test_town"}, timeout=5)


def test_a_checkout_session_is_created_read_paid_and_refunded(stripe_stub):
    client = _client(stripe_stub)
    created = client.create(Order(amount=1200, description="和室", reference="R1", idempotency_key="k1",
                                  return_url="http://town/return/", webhook_url="http://town/hook/"))
    assert created.next_url.startswith("https://checkout.stub/")
    assert client.get(created.provider_id).status == "started"
    _pay(stripe_stub, created.provider_id)
    remote = client.get(created.provider_id)
    assert (remote.status, remote.amount) == ("success", 1200)
    assert client.refund(created.provider_id, 500, "refund-1").startswith("re_")
    assert StripeStub.refunds[-1]["amount"] == 500


def test_an_unpaid_session_expires(stripe_stub):
    client = _client(stripe_stub)
    created = client.create(Order(amount=300, description="x", reference="R2", idempotency_key="k2",
                                  return_url="http://town/return/", webhook_url=""))
    assert client.cancel(created.provider_id).status == "expired"


def _signed(payload: bytes, secret: str, at: int | None = None) -> str:
    timestamp = at or int(time.time())
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def test_webhooks_are_verified_with_stripes_scheme(stripe_stub):
    client = _client(stripe_stub)
    payload = json.dumps({"id": "evt_1", "object": "event", "type": "checkout.session.completed",
                          "data": {"object": {"id": "cs_test_9", "object": "checkout.session"}}}).encode()
    event = client.verify(payload, {"stripe-signature": _signed(payload, SECRET)})
    assert (event.event_id, event.event_type, event.provider_id) == ("evt_1", "checkout.session.completed",
                                                                     "cs_test_9")
    for header in ("", _signed(payload, "whsec_other"), _signed(payload, SECRET, int(time.time()) - 3600)):
        with pytest.raises(BadSignature):
            client.verify(payload, {"stripe-signature": header})


def test_a_wrong_key_is_refused(stripe_stub):
    client = StripeClient(TownConfig(provider="stripe", api_base=stripe_stub, api_key="rk_live_wrong"))
    with pytest.raises(ProviderRefused):
        client.create(Order(amount=100, description="x", reference="", idempotency_key="k3",
                            return_url="http://town/", webhook_url=""))


@pytest.mark.django_db
def test_a_stripe_town_pays_a_booking(stripe_stub, town_a):
    from tests.factories import make_resident, make_room

    town_a.settings = {"payments": {"provider": "stripe", "api_base": stripe_stub, "api_key": "sk_test_town",
                                    "webhook_secret": SECRET}}
    town_a.save()
    reservation = book(make_room(town_a, fee_per_hour=300), make_resident(town_a))
    with scope(municipality=town_a):
        started = services.start(payment_of(reservation))
        assert started.next_url.startswith("https://checkout.stub/")
        _pay(stripe_stub, started.provider_id)
        assert services.refresh(started).status == "success"


@pytest.mark.django_db
def test_the_days_settlement_is_read_from_the_balance_and_reconciles_with_our_rows(stripe_stub, town_a):
    from django.utils import timezone

    from tests.factories import make_resident, make_room
    from yakuba.payments import reports

    town_a.settings = {"payments": {"provider": "stripe", "api_base": stripe_stub, "api_key": "sk_test_town",
                                    "webhook_secret": SECRET}}
    town_a.save()
    room = make_room(town_a, fee_per_hour=300)
    paid = []
    with scope(municipality=town_a):
        for days in (3, 4):
            started = services.start(payment_of(book(room, make_resident(town_a), days=days)))
            _pay(stripe_stub, started.provider_id)
            paid.append(services.refresh(started))
        services.request_refund(paid[0], 200, reason="一部取消し", by_rule=True)
        lines = _client(stripe_stub).settlement(timezone.localdate())
        mine = [line for line in lines if line.provider_id in {p.provider_id for p in paid}]
        assert sorted((line.kind, line.amount) for line in mine) == [("payment", 600), ("payment", 600),
                                                                      ("refund", -200)]
        assert all(line.fee == 21 for line in mine if line.kind == "payment")  # what Stripe kept, 3.6 %
        assert {line.reference for line in mine} == {p.reference for p in paid}
        result = reports.reconcile(reports.our_lines(town_a, timezone.localdate()), mine)
    assert (result.matched, result.unmatched, result.fees) == (3, 0, 42), result.differences
