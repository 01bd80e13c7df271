"""Web Push for residents' browsers: the VAPID public key, subscribing and unsubscribing a browser, and the
service worker (served at the town's root so it may control every page of the town)."""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.request import RawPostDataException
from django.shortcuts import render
from django.urls import NoReverseMatch, get_script_prefix, path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from yakuba.kernel.accounts.models import Resident
from yakuba.kernel.http import TownRequest
from yakuba.kernel.throttle import Limit, limit_per_ip

from . import services, vapid
from .channels.webpush import valid_endpoint
from .models import Channel, Endpoint, Language, Subscriber

MAX_BODY = 8 * 1024
# A browser subscribes once per device and permission change; a script minting subscriptions is refused.
PUSH_LIMIT = Limit("messaging.push", 30, 600)
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")


def _decode(value: Any, length: int) -> bytes | None:
    if not isinstance(value, str) or not _BASE64URL.match(value):
        return None
    try:
        raw = base64.urlsafe_b64decode(value.rstrip("=") + "=" * (-len(value.rstrip("=")) % 4))
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == length else None


def parse_subscription(data: Any) -> tuple[str, dict[str, str]] | None:
    """A browser's PushSubscription.toJSON(): the endpoint and its keys, or None if it is not one we can use."""
    if not isinstance(data, dict) or not isinstance(data.get("keys"), dict):
        return None
    endpoint, keys = data.get("endpoint"), data["keys"]
    if not isinstance(endpoint, str) or not valid_endpoint(endpoint):
        return None
    p256dh, auth = _decode(keys.get("p256dh"), 65), _decode(keys.get("auth"), 16)
    if p256dh is None or auth is None:
        return None
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), p256dh)
    except ValueError:
        return None  # 65 bytes, but not a point on P-256: nothing could ever be encrypted to it
    return endpoint, {"p256dh": keys["p256dh"], "auth": keys["auth"]}


def _json_body(request: HttpRequest) -> Any:
    if request.content_type != "application/json":
        return None  # a form post (its stream already read by the CSRF check) is not a subscription
    try:
        if len(request.body) > MAX_BODY:
            return None
        return json.loads(request.body.decode("utf-8"))
    except (RawPostDataException, UnicodeDecodeError, ValueError):
        return None


def _bad(message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=400, json_dumps_params={"ensure_ascii": False})


def _resident(request: TownRequest) -> Resident | None:
    if not request.user.is_authenticated:
        return None
    return Resident.objects.filter(municipality=request.municipality, user=request.user).first()


def _subscriber(request: TownRequest, token: Any, address: str) -> Subscriber:
    """The signed-in resident's subscriber; else the one whose token the page carried; else the one this
    browser already belongs to (it subscribed before: the endpoint URL is its secret); else a new one."""
    resident = _resident(request)
    if resident is not None:
        return services.subscriber_for_resident(request.municipality, resident)
    if isinstance(token, str) and token:
        existing = services.subscriber_by_token(request.municipality, token)
        if existing is not None:
            return existing
    known = (Endpoint.objects.filter(municipality=request.municipality, channel=Channel.WEBPUSH, address=address)
             .select_related("subscriber").first())
    if known is not None:
        return known.subscriber
    language = translation.get_language() or Language.JA
    return services.new_subscriber(request.municipality,
                                   language=language if language in Language.values else Language.JA)


def _manage_url(subscriber: Subscriber) -> str:
    try:
        return reverse("notices:subscription", args=[subscriber.token])
    except NoReverseMatch:
        return ""


@require_GET
def push_key(request: TownRequest) -> JsonResponse:
    return JsonResponse({"publicKey": vapid.public_key_b64()})


@limit_per_ip(PUSH_LIMIT)
@require_POST
def push_subscribe(request: TownRequest) -> JsonResponse:
    data = _json_body(request)
    if not isinstance(data, dict):
        return _bad(_("通知の登録に失敗しました。ページを読み込み直して、もう一度お試しください。"))
    parsed = parse_subscription(data.get("subscription"))
    if parsed is None:
        return _bad(_("この端末の通知の登録情報が正しくありません。ページを読み込み直して、もう一度お試しください。"))
    address, keys = parsed
    subscriber = _subscriber(request, data.get("token"), address)
    services.add_confirmed(subscriber, Channel.WEBPUSH.value, address, keys)
    return JsonResponse({"ok": True, "manage_url": _manage_url(subscriber)})


@limit_per_ip(PUSH_LIMIT)
@require_POST
def push_unsubscribe(request: TownRequest) -> JsonResponse:
    """The browser dropped its subscription: stop sending to it (knowing the endpoint URL is the proof; it
    is a secret only that browser and its push service know)."""
    data = _json_body(request)
    address = data.get("endpoint") if isinstance(data, dict) else None
    if not isinstance(address, str) or not address or len(address) > 1000:
        return _bad(_("通知の停止に失敗しました。ページを読み込み直して、もう一度お試しください。"))
    endpoint = Endpoint.objects.filter(municipality=request.municipality, channel=Channel.WEBPUSH,
                                       address=address).first()
    if endpoint is not None:
        services.pause(endpoint, "unsubscribed in the browser")
    return JsonResponse({"ok": True})


@require_GET
def service_worker(request: TownRequest) -> HttpResponse:
    response = render(request, "messaging/sw.js", content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = get_script_prefix()
    response["Cache-Control"] = "no-cache"
    return response


urlpatterns = [
    path("push/key/", push_key, name="push-key"),
    path("push/subscribe/", push_subscribe, name="push-subscribe"),
    path("push/unsubscribe/", push_unsubscribe, name="push-unsubscribe"),
]
root_urlpatterns = [
    path("sw.js", service_worker, name="sw"),
]
