"""Request limits on the shared cache (every process sees the same counts): anonymous endpoints and sign-in."""

from __future__ import annotations

import functools
import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Limit:
    """At most `count` events per `seconds` for one key (fixed windows: simple, and at most 2x at a boundary).
    settings.YAKUBA_THROTTLE may override a scope's (count, seconds) for a deployment or a test."""

    scope: str
    default_count: int
    default_seconds: int

    @property
    def count(self) -> int:
        return int(getattr(settings, "YAKUBA_THROTTLE", {}).get(self.scope, (self.default_count,))[0])

    @property
    def seconds(self) -> int:
        override = getattr(settings, "YAKUBA_THROTTLE", {}).get(self.scope)
        return int(override[1]) if override else self.default_seconds

    def _key(self, who: str) -> tuple[str, int]:
        now = int(time.time())
        start = now - now % self.seconds
        # Hash the caller's value: an address or an e-mail never becomes part of a cache key as is.
        digest = hashlib.sha256(who.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        return f"yakuba:throttle:{self.scope}:{digest}:{start}", start + self.seconds - now

    def used(self, who: str) -> int:
        key, _left = self._key(who)
        return int(cache.get(key, 0))

    def add(self, who: str) -> int:
        """Count one event; the count so far in this window."""
        key, left = self._key(who)
        if cache.add(key, 1, timeout=left + 1):
            return 1
        try:
            return int(cache.incr(key))
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=left + 1)
            return 1

    def retry_after(self, who: str) -> int | None:
        """Seconds to wait if `who` has used the whole window, else None (does not count)."""
        key, left = self._key(who)
        return max(1, left) if int(cache.get(key, 0)) >= self.count else None

    def take(self, who: str) -> int | None:
        """Count one event; seconds to wait if it was over the limit, else None."""
        _key, left = self._key(who)
        return max(1, left) if self.add(who) > self.count else None


View = Callable[..., HttpResponse]


def client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def too_many(request: HttpRequest, retry_after: int, *, as_json: bool) -> HttpResponse:
    """429 with Retry-After, as JSON for API clients and as a page for people."""
    message = _("短い時間に多くのリクエストがありました。%(minutes)s分ほどたってからお試しください。") % {
        "minutes": max(1, math.ceil(retry_after / 60))}
    response: HttpResponse
    if as_json:
        response = JsonResponse({"success": False, "error": {"__type": "Rate Limit", "message": message}},
                                status=429)
    else:
        response = render(request, "ui/too_many.html", {"message": message}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def limit_per_ip(limit: Limit, *, as_json: bool = True,
                 headers: dict[str, str] | None = None) -> Callable[[View], View]:
    """Refuse a caller (by address) who sends more than `limit` requests with 429 and Retry-After (plus
    `headers`, e.g. CORS, so a page on another site can read the refusal)."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not getattr(settings, "YAKUBA_RATE_LIMITS", True):
                return view(request, *args, **kwargs)
            wait = limit.take(client_ip(request))
            if wait is not None:
                response = too_many(request, wait, as_json=as_json)
                for name, value in (headers or {}).items():
                    response[name] = value
                return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def check_shared_cache(**kwargs: Any) -> list[Any]:
    """A system check: in production the limits need a cache every process shares (not the per-process locmem)."""
    from django.core import checks

    backend = str(settings.CACHES.get("default", {}).get("BACKEND", ""))
    if getattr(settings, "PRODUCTION", False) and backend.endswith("LocMemCache"):
        return [checks.Warning(
            "The default cache is per process, so request and sign-in limits do not hold across workers.",
            hint="Set YAKUBA_CACHE_BACKEND (and YAKUBA_CACHE_LOCATION) to Redis, Memcached or the database cache.",
            id="yakuba.W001")]
    return []
