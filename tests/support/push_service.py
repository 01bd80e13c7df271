"""A Web Push service on loopback (RFC 8030) for tests and benchmarks: it hands out subscriptions to receivers
whose keys it holds, checks each POST's VAPID authorization (RFC 8292) the way a real push service does,
decrypts the aes128gcm body (RFC 8291) as the browser would, and keeps what it received.

Standalone (benchmarks): `python -m tests.support.push_service --port 8790 --receivers 1000 --out subs.json`
writes that many subscription_info dicts and serves until interrupted, printing how many messages arrived.
"""

from __future__ import annotations

import argparse
import base64
import itertools
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class VapidRejected(Exception):
    pass


def verify_vapid(authorization: str, audience: str, now: float | None = None) -> dict[str, Any]:
    """Check `Authorization: vapid t=<JWT>, k=<public key>`: an ES256 JWT signed by k, for this origin, not
    expired and not valid for more than 24 hours. Returns the claims."""
    scheme, _, params = authorization.partition(" ")
    if scheme.lower() != "vapid":
        raise VapidRejected(f"scheme {scheme!r}")
    parts = dict(item.strip().split("=", 1) for item in params.split(",") if "=" in item)
    token, key = parts.get("t", ""), parts.get("k", "")
    try:
        header_b64, claims_b64, signature_b64 = token.split(".")
        header = json.loads(unb64url(header_b64))
        claims = json.loads(unb64url(claims_b64))
        signature = unb64url(signature_b64)
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
    except (ValueError, TypeError) as error:
        raise VapidRejected(f"malformed: {error}") from error
    if header.get("alg") != "ES256" or len(signature) != 64:
        raise VapidRejected("not ES256")
    der = utils.encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    try:
        public.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as error:
        raise VapidRejected("bad signature") from error
    now = time.time() if now is None else now
    if claims.get("aud") != audience:
        raise VapidRejected(f"aud {claims.get('aud')!r} != {audience!r}")
    if not isinstance(claims.get("exp"), int) or not now < claims["exp"] <= now + 24 * 3600 + 60:
        raise VapidRejected(f"exp {claims.get('exp')!r}")
    if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
        raise VapidRejected("sub")
    claims["k"] = key
    return claims


@dataclass
class Receiver:
    """One browser's subscription: its ECDH key pair and auth secret."""

    id: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes

    @property
    def p256dh(self) -> str:
        return b64url(self.private_key.public_key().public_bytes(serialization.Encoding.X962,
                                                                 serialization.PublicFormat.UncompressedPoint))


@dataclass
class PushService:
    host: str = "127.0.0.1"
    port: int = 0
    receivers: dict[str, Receiver] = field(default_factory=dict)
    received: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[tuple[str, int, str]] = field(default_factory=list)  # (id, status, reason)
    gone: set[str] = field(default_factory=set)  # answer 410 Gone (subscription expired)
    missing: set[str] = field(default_factory=set)  # answer 404 Not Found
    _failures: list[int] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None
    _counter: itertools.count = field(default_factory=itertools.count)

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, receiver_id: str) -> str:
        return f"{self.origin}/push/{receiver_id}"

    def subscription(self, receiver_id: str | None = None) -> dict[str, Any]:
        """A new receiver, as `PushSubscription.toJSON()` would describe it."""
        receiver = Receiver(receiver_id or secrets.token_urlsafe(12), ec.generate_private_key(ec.SECP256R1()),
                            secrets.token_bytes(16))
        with self._lock:
            self.receivers[receiver.id] = receiver
        return {"endpoint": self.url(receiver.id), "keys": {"p256dh": receiver.p256dh, "auth": b64url(receiver.auth)}}

    def fail_next(self, count: int, status: int = 429) -> None:
        """The next `count` valid POSTs are answered with `status` (429 Too Many Requests, 500, 503…)."""
        with self._lock:
            self._failures.extend([status] * count)

    def for_receiver(self, receiver_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return [message for message in self.received if message["id"] == receiver_id]

    # ------------------------------------------------------------ the HTTP side

    def _handle(self, path: str, headers: Any, body: bytes) -> tuple[int, dict[str, str]]:
        receiver_id = path.removeprefix("/push/")
        with self._lock:
            receiver = self.receivers.get(receiver_id) if path.startswith("/push/") else None
        if receiver is None or receiver_id in self.missing:
            return self._reject(receiver_id, 404, "unknown subscription")
        try:
            verify_vapid(headers.get("Authorization", ""), self.origin)
        except VapidRejected as error:
            return self._reject(receiver_id, 401, str(error))
        if receiver_id in self.gone:
            return self._reject(receiver_id, 410, "gone")
        with self._lock:
            failure = self._failures.pop(0) if self._failures else None
        if failure is not None:
            return self._reject(receiver_id, failure, "told to fail")
        if headers.get("TTL") is None:
            return self._reject(receiver_id, 400, "no TTL")
        if headers.get("Content-Encoding") != "aes128gcm":
            return self._reject(receiver_id, 415, "not aes128gcm")
        try:
            plain = http_ece.decrypt(body, private_key=receiver.private_key, auth_secret=receiver.auth,
                                     version="aes128gcm")
            payload = json.loads(plain.decode("utf-8"))
        except Exception as error:  # noqa: BLE001 - anything undecryptable is the sender's fault
            return self._reject(receiver_id, 400, f"undecryptable: {error!r}")
        number = next(self._counter)
        with self._lock:
            self.received.append({"id": receiver_id, "payload": payload, "headers": {
                "TTL": headers.get("TTL"), "Urgency": headers.get("Urgency"), "Topic": headers.get("Topic")}})
        return 201, {"Location": f"{self.origin}/message/{number}"}

    def _reject(self, receiver_id: str, status: int, reason: str) -> tuple[int, dict[str, str]]:
        with self._lock:
            self.rejected.append((receiver_id, status, reason))
        return status, {}

    def start(self) -> PushService:
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - http.server's hook name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, extra = service._handle(self.path, self.headers, body)
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


@pytest.fixture
def push_service(settings, tmp_path):
    """A running push service; http endpoints allowed and the VAPID key kept in the test's tmp_path."""
    settings.MESSAGING_PUSH_ALLOW_HTTP = True
    settings.VAPID_PRIVATE_KEY_FILE = str(tmp_path / "vapid_private.pem")
    service = PushService().start()
    try:
        yield service
    finally:
        service.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--receivers", type=int, default=100)
    parser.add_argument("--out", default="push_subscriptions.json")
    options = parser.parse_args()
    service = PushService(port=options.port).start()
    with open(options.out, "w", encoding="utf-8") as file:
        json.dump([service.subscription() for _ in range(options.receivers)], file)
    print(f"push service on {service.origin}; {options.receivers} subscriptions in {options.out}", flush=True)
    try:
        while True:
            time.sleep(5)
            print(f"received {len(service.received)}, rejected {len(service.rejected)}", flush=True)
    except KeyboardInterrupt:
        service.stop()


if __name__ == "__main__":
    main()
