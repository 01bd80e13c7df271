"""The client of fakepay (yakuba/payments/fakepay.py), over its HTTP API."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import TYPE_CHECKING, Any

import requests

from .. import fakepay
from . import BadSignature, Created, Event, Order, ProviderDown, ProviderRefused, Remote, SettlementLine

if TYPE_CHECKING:
    from ..config import TownConfig

TIMEOUT = (3, 10)  # connect, read seconds


class FakeClient:
    name = "fake"

    def __init__(self, config: TownConfig) -> None:
        self.base = config.base
        self.secret = config.webhook_secret
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {config.api_key}"

    def _call(self, method: str, path: str, *, json_body: dict[str, Any] | None = None, key: str = ""
              ) -> requests.Response:
        headers = {"Idempotency-Key": key} if key else {}
        try:
            response = self.session.request(method, self.base + path, json=json_body, headers=headers,
                                            timeout=TIMEOUT)
        except requests.RequestException as error:
            raise ProviderDown(str(error)) from error
        if response.status_code >= 500:
            raise ProviderDown(f"{response.status_code}")
        if response.status_code >= 400:
            raise ProviderRefused(response.text[:200])
        return response

    def create(self, order: Order) -> Created:
        data = self._call("POST", "/v1/payments", key=order.idempotency_key, json_body={
            "amount": order.amount, "description": order.description, "reference": order.reference,
            "return_url": order.return_url, "webhook_url": order.webhook_url}).json()
        return Created(provider_id=data["id"], next_url=data["next_url"])

    @staticmethod
    def _remote(data: dict[str, Any]) -> Remote:
        return Remote(provider_id=data["id"], status=data["status"], amount=data["amount"],
                      method=data.get("method") or "", fee=data.get("fee") or 0,
                      refunded_amount=data.get("refunded_amount") or 0)

    def get(self, provider_id: str) -> Remote:
        return self._remote(self._call("GET", f"/v1/payments/{provider_id}").json())

    def cancel(self, provider_id: str) -> Remote:
        try:
            return self._remote(self._call("POST", f"/v1/payments/{provider_id}/cancel").json())
        except ProviderRefused:
            return self.get(provider_id)  # already paid or failed: the caller reads what it is

    def refund(self, provider_id: str, amount: int, idempotency_key: str) -> str:
        data = self._call("POST", f"/v1/payments/{provider_id}/refunds", key=idempotency_key,
                          json_body={"amount": amount}).json()
        return str(data["id"])

    def verify(self, body: bytes, headers: dict[str, str]) -> Event:
        header = headers.get(fakepay.SIGNATURE_HEADER.lower(), "")
        if not self.secret or not header or not fakepay.verify(self.secret, body, header):
            raise BadSignature("signature does not verify")
        try:
            data = json.loads(body)
            return Event(event_id=str(data["id"]), event_type=str(data["type"]),
                         provider_id=str(data.get("payment_id") or ""), payload=data)
        except (ValueError, KeyError, TypeError) as error:
            raise BadSignature("not an event") from error

    def settlement(self, day: date) -> list[SettlementLine]:
        text = self._call("GET", f"/v1/settlements/{day.isoformat()}.csv").content.decode("utf-8")
        return parse_settlement(text)


def parse_settlement(text: str) -> list[SettlementLine]:
    return [SettlementLine(kind=row["type"], provider_id=row["payment_id"], refund_id=row["refund_id"],
                           reference=row["reference"], method=row["method"], amount=int(row["amount"]),
                           fee=int(row["fee"])) for row in csv.DictReader(io.StringIO(text))]
