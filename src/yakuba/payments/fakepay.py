"""fakepay: a local payment provider for the demo, the tests and the benchmark, run as its own process.

    python -m yakuba.payments.fakepay --port 8765 --account sk_fake_demo=whsec_fake_demo

It keeps everything in memory and speaks a small JSON API (every call but the resident's page needs
`Authorization: Bearer <api key>`; a POST may carry `Idempotency-Key`, and the same key returns the first answer):

    POST /v1/payments                {amount, description, reference, return_url, webhook_url}  -> 201 payment
    GET  /v1/payments/<id>                                                                       -> payment
    POST /v1/payments/<id>/cancel                                     (only while not paid)      -> payment
    POST /v1/payments/<id>/refunds   {amount}                         (never above what remains) -> 201 refund
    GET  /v1/settlements/<YYYY-MM-DD>.csv   the account's settlement report of a day (payments and refunds)

A payment is {id, status: created|started|submitted|success|failed|cancelled|expired, amount, method, fee,
refunded_amount, reference, next_url, created, paid_at}. Its `next_url` is the page where the resident "pays"
(GET/POST /pay/<id>): a card number (4000 0000 0000 0002 is always declined, and the page asks for another; any other
14–16 digits succeed), PayPay
(succeeds at once) or コンビニ (submitted; a button stands for paying at the shop). The resident is then sent back to
`return_url`, which says nothing about the outcome.

Each change is POSTed to the payment's `webhook_url` as JSON {id, type, payment_id, created}, signed with the
account's shared secret: header `Fakepay-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. Delivery
is retried a few times in the background; receivers must accept a repeat.

Mounted inside the web process for `make run` (yakuba.wsgi with YAKUBA_FAKEPAY_MOUNT=1) it answers under /fakepay/.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import hmac
import html
import io
import json
import secrets
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

JST = timezone(timedelta(hours=9))
FAILING_CARD = "4000000000000002"
# Fees the fake provider keeps, in 1/10000 of the amount (card 3.24 %, PayPay 1.98 %) or yen (コンビニ).
RATES = {"card": 324, "paypay": 198}
KONBINI_FEE = 150
SIGNATURE_HEADER = "Fakepay-Signature"

StartResponse = Callable[..., Any]


def sign(secret: str, body: bytes, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, body: bytes, header: str, *, tolerance: int = 300, now: float | None = None) -> bool:
    """Whether `header` is a valid signature of `body` made in the last `tolerance` seconds."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    if abs((now or time.time()) - timestamp) > tolerance:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


@dataclass
class FakePayment:
    id: str
    account: str
    amount: int
    description: str
    reference: str
    return_url: str
    webhook_url: str
    status: str = "created"
    method: str = ""
    fee: int = 0
    refunded_amount: int = 0
    created: datetime = field(default_factory=lambda: datetime.now(UTC))
    paid_at: datetime | None = None
    refunds: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self, base: str) -> dict[str, Any]:
        return {"id": self.id, "status": self.status, "amount": self.amount, "method": self.method, "fee": self.fee,
                "refunded_amount": self.refunded_amount, "reference": self.reference, "description": self.description,
                "next_url": f"{base}/pay/{self.id}", "created": self.created.isoformat(),
                "paid_at": self.paid_at.isoformat() if self.paid_at else None}


class FakePay:
    """The provider's state and its WSGI application."""

    def __init__(self, accounts: dict[str, str], *, public_base: str = "", deliver: bool = True) -> None:
        self.accounts = accounts  # api key -> webhook secret
        self.public_base = public_base.rstrip("/")  # where residents reach /pay/ ('' = as the request came)
        self.deliver = deliver
        self.payments: dict[str, FakePayment] = {}
        self.idempotent: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
        self.lock = threading.Lock()

    # WSGI ------------------------------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "") or "/"
        base = self.public_base or self._base(environ)
        try:
            if path.startswith("/pay/"):
                return self._page(environ, start_response, method, path[len("/pay/"):].strip("/"), base)
            if path == "/healthz":
                return _reply(start_response, "200 OK", {"ok": True})
            account = self._account(environ)
            if account is None:
                return _reply(start_response, "401 Unauthorized", {"error": "invalid api key"})
            return self._api(environ, start_response, method, path, account, base)
        except _Problem as problem:
            return _reply(start_response, problem.status, {"error": problem.message})

    @staticmethod
    def _base(environ: dict[str, Any]) -> str:
        host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
        return f"{environ.get('wsgi.url_scheme', 'http')}://{host}{environ.get('SCRIPT_NAME', '')}"

    def _account(self, environ: dict[str, Any]) -> str | None:
        header = environ.get("HTTP_AUTHORIZATION", "")
        key = header[len("Bearer "):] if header.startswith("Bearer ") else ""
        return key if key in self.accounts else None

    def _api(self, environ: dict[str, Any], start_response: StartResponse, method: str, path: str, account: str,
             base: str) -> Iterable[bytes]:
        parts = [p for p in path.split("/") if p]
        if parts[:2] == ["v1", "settlements"] and len(parts) == 3 and method == "GET":
            day = parts[2].removesuffix(".csv")
            body = self.settlement_csv(account, day).encode("utf-8")
            start_response("200 OK", [("Content-Type", "text/csv; charset=utf-8"),
                                      ("Content-Length", str(len(body)))])
            return [body]
        if parts[:2] != ["v1", "payments"]:
            raise _Problem("404 Not Found", "no such endpoint")
        key = environ.get("HTTP_IDEMPOTENCY_KEY", "")
        if method == "POST" and key:
            with self.lock:
                seen = self.idempotent.get((account, key))
            if seen is not None:
                return _reply(start_response, seen[0], seen[1])
        status, answer = self._dispatch(method, parts[2:], _json_body(environ), account, base)
        if method == "POST" and key:
            with self.lock:
                status, answer = self.idempotent.setdefault((account, key), (status, answer))
        return _reply(start_response, status, answer)

    def _dispatch(self, method: str, rest: list[str], data: dict[str, Any], account: str, base: str
                  ) -> tuple[str, dict[str, Any]]:
        if not rest and method == "POST":
            return "201 Created", self.create(account, data).as_json(base)
        payment = self._own(account, rest[0]) if rest else None
        if payment is None:
            raise _Problem("404 Not Found", "no such payment")
        if len(rest) == 1 and method == "GET":
            return "200 OK", payment.as_json(base)
        if rest[1:] == ["cancel"] and method == "POST":
            return "200 OK", self.cancel(payment).as_json(base)
        if rest[1:] == ["refunds"] and method == "POST":
            return "201 Created", self.refund(payment, data.get("amount"))
        raise _Problem("404 Not Found", "no such endpoint")

    def _own(self, account: str, payment_id: str) -> FakePayment | None:
        payment = self.payments.get(payment_id)
        return payment if payment is not None and payment.account == account else None

    # The provider's rules ---------------------------------------------------------------------------------------

    def create(self, account: str, data: dict[str, Any]) -> FakePayment:
        amount = data.get("amount")
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            raise _Problem("422 Unprocessable Entity", "amount must be a whole number of yen above 0")
        return_url = str(data.get("return_url") or "")
        if not return_url.startswith(("http://", "https://")):
            raise _Problem("422 Unprocessable Entity", "return_url must be an absolute URL")
        payment = FakePayment(id="fp_" + secrets.token_hex(10), account=account, amount=amount,
                              description=str(data.get("description") or "")[:200],
                              reference=str(data.get("reference") or "")[:40], return_url=return_url,
                              webhook_url=str(data.get("webhook_url") or ""))
        with self.lock:
            self.payments[payment.id] = payment
        return payment

    def cancel(self, payment: FakePayment) -> FakePayment:
        with self.lock:
            if payment.status in ("success", "failed"):
                raise _Problem("409 Conflict", f"payment is {payment.status}")
            changed = payment.status not in ("cancelled", "expired")
            payment.status = "cancelled"
        if changed:
            self._notify(payment, "payment.cancelled")
        return payment

    def refund(self, payment: FakePayment, amount: Any) -> dict[str, Any]:
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            raise _Problem("422 Unprocessable Entity", "amount must be a whole number of yen above 0")
        with self.lock:
            if payment.status != "success":
                raise _Problem("409 Conflict", "only a successful payment can be refunded")
            if amount > payment.amount - payment.refunded_amount:
                raise _Problem("409 Conflict", "amount is more than what remains")
            payment.refunded_amount += amount
            refund = {"id": "fr_" + secrets.token_hex(10), "payment_id": payment.id, "amount": amount,
                      "status": "success", "created": datetime.now(UTC).isoformat()}
            payment.refunds.append(refund)
        self._notify(payment, "refund.succeeded")
        return refund

    def pay(self, payment: FakePayment, method: str, card_number: str = "") -> str:
        """The resident's choice on the page: the payment's new status, or raises _Problem with what to fix."""
        with self.lock:
            if payment.status not in ("created", "started", "submitted"):
                return payment.status
            if method == "card":
                digits = "".join(ch for ch in card_number if ch.isdigit())
                if not 14 <= len(digits) <= 16 or len(digits) != len(card_number.replace(" ", "").replace("-", "")):
                    raise _Problem("400 Bad Request", "カード番号は14〜16桁の数字で入力してください。")
                if digits == FAILING_CARD:
                    # Declined, as a card network would: the payment stays open for another card or method.
                    payment.status = "started"
                    raise _Problem("402 Payment Required",
                                   "このカードはご利用になれません。別のカードか方法をお選びください。")
                status = "success"
            elif method == "paypay":
                status = "success"
            elif method == "konbini":
                status = "submitted"
            elif method == "konbini-paid" and payment.method == "konbini":
                status = "success"
            elif method == "cancel":
                status = "cancelled"
            else:
                raise _Problem("400 Bad Request", "お支払い方法を選んでください。")
            payment.method = "konbini" if method.startswith("konbini") else (payment.method or method)
            if method == "cancel":
                payment.method = ""
            payment.status = status
            if status == "success":
                payment.paid_at = datetime.now(UTC)
                payment.fee = (KONBINI_FEE if payment.method == "konbini"
                               else payment.amount * RATES.get(payment.method, 0) // 10000)
        self._notify(payment, f"payment.{status}")
        return status

    # Settlement ---------------------------------------------------------------------------------------------------

    COLUMNS = ("type", "payment_id", "refund_id", "reference", "method", "amount", "fee", "net", "occurred_at")

    def settlement_rows(self, account: str, day: str) -> list[list[Any]]:
        rows: list[list[Any]] = []
        with self.lock:
            payments = [p for p in self.payments.values() if p.account == account]
        for p in payments:
            if p.paid_at is not None and p.paid_at.astimezone(JST).date().isoformat() == day:
                rows.append(["payment", p.id, "", p.reference, p.method, p.amount, p.fee, p.amount - p.fee,
                             p.paid_at.isoformat()])
            for r in p.refunds:
                if datetime.fromisoformat(r["created"]).astimezone(JST).date().isoformat() == day:
                    rows.append(["refund", p.id, r["id"], p.reference, p.method, -r["amount"], 0, -r["amount"],
                                 r["created"]])
        return rows

    def settlement_csv(self, account: str, day: str) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.COLUMNS)
        writer.writerows(self.settlement_rows(account, day))
        return out.getvalue()

    # Webhooks -----------------------------------------------------------------------------------------------------

    def _notify(self, payment: FakePayment, event_type: str) -> None:
        if not payment.webhook_url or not self.deliver:
            return
        body = json.dumps({"id": "evt_" + secrets.token_hex(10), "type": event_type, "payment_id": payment.id,
                           "created": int(time.time())}).encode()
        secret = self.accounts[payment.account]
        threading.Thread(target=_deliver, args=(payment.webhook_url, body, secret), daemon=True).start()

    # The resident's page ------------------------------------------------------------------------------------------

    def _page(self, environ: dict[str, Any], start_response: StartResponse, method: str, payment_id: str,
              base: str) -> Iterable[bytes]:
        payment = self.payments.get(payment_id)
        if payment is None:
            return _html(start_response, "404 Not Found", _page_html(None, "", base))
        error = ""
        if method == "POST" and payment.status not in ("created", "started", "submitted"):
            finished = _page_html(payment, "このお支払いはすでに終わっています。", base)
            return _html(start_response, "409 Conflict", finished)
        if method == "POST":
            form = parse_qs(_read(environ).decode("utf-8", "replace"))
            try:
                status = self.pay(payment, form.get("method", [""])[0], form.get("card_number", [""])[0])
            except _Problem as problem:
                return _html(start_response, problem.status, _page_html(payment, problem.message, base))
            if status != "submitted":
                start_response("303 See Other", [("Location", payment.return_url)])
                return [b""]
        elif payment.status == "created":
            with self.lock:
                payment.status = "started"
        if payment.status not in ("created", "started", "submitted"):
            error = "このお支払いはすでに終わっています。"
        return _html(start_response, "200 OK", _page_html(payment, error, base))


class _Problem(Exception):
    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def _read(environ: dict[str, Any]) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return environ["wsgi.input"].read(length) if length > 0 else b""


def _json_body(environ: dict[str, Any]) -> dict[str, Any]:
    raw = _read(environ)
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError as error:
        raise _Problem("400 Bad Request", "body is not JSON") from error
    if not isinstance(data, dict):
        raise _Problem("400 Bad Request", "body is not a JSON object")
    return data


def _reply(start_response: StartResponse, status: str, data: dict[str, Any]) -> list[bytes]:
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def _html(start_response: StartResponse, status: str, text: str) -> list[bytes]:
    body = text.encode("utf-8")
    start_response(status, [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body))),
                            ("Cache-Control", "no-store")])
    return [body]


def _deliver(url: str, body: bytes, secret: str, attempts: int = 4) -> None:
    for attempt in range(attempts):
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/json", SIGNATURE_HEADER: sign(secret, body, int(time.time()))})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - the town's own URL
                if response.status < 300:
                    return
        except OSError:
            pass
        time.sleep(0.5 * 2 ** attempt)


def _page_html(payment: FakePayment | None, error: str, base: str) -> str:
    esc = html.escape
    if payment is None:
        main = "<h1>お支払いが見つかりません</h1>"
    else:
        open_ = payment.status in ("created", "started", "submitted")
        alert = f'<p role="alert" class="error">{esc(error)}</p>' if error else ""
        if payment.status == "submitted":
            choices = ('<p>コンビニ払いの受付番号: <strong>' + esc(payment.id[-8:].upper()) + '</strong></p>'
                       '<form method="post"><input type="hidden" name="method" value="konbini-paid">'
                       '<button type="submit">コンビニで支払う（テスト）</button></form>')
        elif open_:
            choices = (
                '<form method="post"><fieldset><legend>お支払い方法</legend>'
                '<p><input type="radio" id="m-card" name="method" value="card" checked>'
                '<label for="m-card">クレジットカード</label></p>'
                '<p><input type="radio" id="m-paypay" name="method" value="paypay">'
                '<label for="m-paypay">PayPay（テスト）</label></p>'
                '<p><input type="radio" id="m-konbini" name="method" value="konbini">'
                '<label for="m-konbini">コンビニ払い（テスト）</label></p></fieldset>'
                '<p><label for="card">カード番号</label><br>'
                '<input id="card" name="card_number" inputmode="numeric" autocomplete="cc-number" '
                'aria-describedby="card-hint"><br><span id="card-hint">テスト用: 4242 4242 4242 4242 は成功、'
                '4000 0000 0000 0002 は失敗します。</span></p>'
                '<button type="submit">支払う</button></form>'
                '<form method="post"><input type="hidden" name="method" value="cancel">'
                '<button type="submit" class="secondary">支払わずに戻る</button></form>')
        else:
            choices = f'<p><a href="{esc(payment.return_url)}">もとのページへ戻る</a></p>'
        main = (f"<h1>お支払い（テスト用の決済画面）</h1>{alert}"
                f"<dl><dt>内容</dt><dd>{esc(payment.description)}</dd>"
                f"<dt>金額</dt><dd>{payment.amount:,}円</dd></dl>{choices}")
    return ("<!doctype html><html lang=\"ja\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<title>fakepay お支払い</title><style>body{font-family:sans-serif;max-width:36rem;margin:1rem auto;"
            "padding:0 1rem;line-height:1.6;color:#1a1a1a}input,button{font-size:1rem;min-height:44px}"
            "input[name=card_number]{width:100%;box-sizing:border-box}button{margin:.5rem 0;padding:.5rem 1rem;"
            "background:#0017c1;color:#fff;border:0;border-radius:4px}button.secondary{background:#fff;"
            "color:#0017c1;border:1px solid #0017c1}.error{color:#ce0000;font-weight:bold}"
            "a{color:#0017c1}</style></head><body><header><p>fakepay（デモ・テスト用の決済事業者）</p></header>"
            f"<main>{main}</main></body></html>")


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 256


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


def serve(host: str, port: int, accounts: dict[str, str], *, public_base: str = "",
          deliver: bool = True) -> WSGIServer:
    """A threaded HTTP server for the app (not yet serving: call serve_forever)."""
    return make_server(host, port, FakePay(accounts, public_base=public_base, deliver=deliver),
                       server_class=_ThreadingServer, handler_class=_QuietHandler)


def parse_accounts(values: Iterable[str]) -> dict[str, str]:
    accounts = {}
    for value in values:
        key, _, secret = value.partition("=")
        if key and secret:
            accounts[key] = secret
    return accounts


DEMO_ACCOUNTS = {"sk_fake_demo": "whsec_fake_demo"}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="fakepay: a local payment provider for yakuba's demo and tests")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--account", action="append", default=[], help="API_KEY=WEBHOOK_SECRET (repeatable)")
    parser.add_argument("--public-base", default="", help="the URL residents reach this server at")
    parser.add_argument("--no-webhooks", action="store_true", help="send no webhooks (the town reads outcomes itself)")
    args = parser.parse_args(argv)
    accounts = parse_accounts(args.account) or dict(DEMO_ACCOUNTS)
    server = serve(args.host, args.port, accounts, public_base=args.public_base, deliver=not args.no_webhooks)
    print(f"fakepay on http://{args.host}:{server.server_port}/ accounts: {', '.join(accounts)}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


def mounted(application: Callable[..., Any], accounts: dict[str, str], prefix: str = "/fakepay") -> Callable[..., Any]:
    """`application` with fakepay answering under `prefix` in the same process (the demo's `make run`)."""
    fake = FakePay(accounts)

    def dispatch(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == prefix or path.startswith(prefix + "/"):
            environ = {**environ, "SCRIPT_NAME": environ.get("SCRIPT_NAME", "") + prefix,
                       "PATH_INFO": path[len(prefix):] or "/"}
            return fake(environ, start_response)
        result: Iterable[bytes] = application(environ, start_response)
        return result

    return dispatch


if __name__ == "__main__":
    main()
