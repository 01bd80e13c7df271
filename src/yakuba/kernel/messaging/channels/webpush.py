"""Web Push (RFC 8030/8291/8292) with pywebpush: one HTTP session per batch, VAPID-signed, the payload
encrypted to the browser's keys, and a Topic derived from the idempotency key so that a resend after a crash
replaces the pending message at the push service instead of showing twice."""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from py_vapid import VapidException
from pywebpush import WebPushException, webpush

from yakuba.kernel.tenancy.models import Municipality

from .. import vapid
from . import Outgoing, Permanent, Temporary, Transport, register

BODY_LIMIT = 200
MAX_ENDPOINT_LENGTH = 1000
TIMEOUT_SECONDS = 10
# How long the push service keeps a message for a device that is offline.
TTL_URGENT = 24 * 3600
TTL_NORMAL = 3 * 24 * 3600
GONE = (404, 410)


def topic(key: str) -> str:
    """At most 32 base64url characters (RFC 8030 §5.4), the same on every attempt of one delivery."""
    try:
        raw = uuid.UUID(key).bytes
    except ValueError:
        raw = hashlib.sha256(key.encode()).digest()[:24]
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _allow_http() -> bool:
    return bool(getattr(settings, "MESSAGING_PUSH_ALLOW_HTTP", False))


def _public_host(host: str) -> bool:
    """A name a push service could have: not an IP literal, not a local name (the worker must not be made to
    POST to machines inside our network)."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return False
    return "." in host and not host.endswith((".local", ".localhost", ".internal", ".localdomain"))


def valid_endpoint(url: str) -> bool:
    """A push service URL we will POST to: https (http only where the deployment allows it, for tests and
    benchmarks against a local push service), at most 1000 characters."""
    if not isinstance(url, str) or not url or len(url) > MAX_ENDPOINT_LENGTH:
        return False
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return False
    if not host or parts.username or parts.password:
        return False
    if _allow_http():
        return parts.scheme in ("https", "http")
    return parts.scheme == "https" and _public_host(host)


def shorten(text: str, limit: int = BODY_LIMIT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


URGENT_MARK = {"en": "[URGENT] ", "ja-easy": "【きんきゅう】"}


def payload(outgoing: Outgoing) -> dict[str, Any]:
    """What the service worker shows (see templates/messaging/sw.js)."""
    mark = URGENT_MARK.get(outgoing.language, "【緊急】") if outgoing.urgent else ""
    return {
        "title": mark + outgoing.subject,
        "body": shorten(outgoing.body),
        "url": outgoing.page_url,
        "urgent": outgoing.urgent,
        "tag": topic(outgoing.key),
        "lang": "en" if outgoing.language == "en" else "ja",
    }


class WebPushTransport(Transport):
    channel = "webpush"
    batch_size = 100

    def enabled(self, municipality: Municipality) -> bool:
        return True

    @contextmanager
    def open(self, municipality: Municipality) -> Iterator[Any]:
        try:
            signing_key = vapid.key()  # loaded (or generated) once per batch, not per message
        except (OSError, VapidException) as error:
            raise Temporary(f"VAPID key unavailable: {error}") from error
        session = requests.Session()
        session.max_redirects = 0  # push services do not redirect; never follow one elsewhere
        try:
            yield session, signing_key
        finally:
            session.close()

    def send(self, session: Any, outgoing: Outgoing) -> str:
        http, signing_key = session
        keys = outgoing.keys or {}
        if not valid_endpoint(outgoing.address):
            raise Permanent("push endpoint is not an allowed URL")
        if not isinstance(keys.get("p256dh"), str) or not isinstance(keys.get("auth"), str):
            raise Permanent("push subscription has no keys")
        tag = topic(outgoing.key)
        try:
            response = webpush(
                subscription_info={"endpoint": outgoing.address, "keys": {"p256dh": keys["p256dh"],
                                                                          "auth": keys["auth"]}},
                data=json.dumps(payload(outgoing), ensure_ascii=False),
                vapid_private_key=signing_key,
                vapid_claims=vapid.claims(),
                ttl=TTL_URGENT if outgoing.urgent else TTL_NORMAL,
                headers={"Topic": tag, "Urgency": "high" if outgoing.urgent else "normal"},
                timeout=TIMEOUT_SECONDS,
                requests_session=http,
            )
        except WebPushException as error:
            status = error.status_code
            if status is None:
                # Raised before any request: the stored subscription (keys) cannot be used, now or later.
                raise Permanent(f"push subscription unusable: {error.message}") from error
            if status in GONE:
                raise Permanent(f"push subscription gone ({status})") from error
            raise Temporary(f"push service answered {status}") from error
        except VapidException as error:
            # Our configuration (VAPID_SUBJECT, the key file), not the subscription: retry once it is fixed.
            raise Temporary(f"VAPID signing failed: {error}") from error
        except requests.RequestException as error:
            raise Temporary(f"push service unreachable: {error.__class__.__name__}") from error
        except (ValueError, TypeError) as error:
            # The stored keys do not decode to a P-256 point / auth secret: this subscription can never work.
            raise Permanent(f"push subscription keys unusable: {error}") from error
        return str(getattr(response, "headers", {}).get("Location", "") or tag)[:200]


register(WebPushTransport())
