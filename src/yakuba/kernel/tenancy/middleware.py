"""Resolve request.municipality from the host name or a /t/<code>/ prefix and open its scope."""

from __future__ import annotations

import copy
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import get_script_prefix, set_script_prefix
from django_scopes import scope

from yakuba.kernel.http import TownRequest

from .codes import full_code
from .models import Municipality

_PREFIX = re.compile(r"^/t/(?P<code>[^/]+)(?P<rest>/.*)?$")


class _Lookups:
    """Which town a host name or a code names, kept in this process for TENANCY_LOOKUP_SECONDS: every request asks,
    and the answer changes only when staff edit a town or its host names (a save here empties it at once; other
    processes follow within the TTL). Each caller gets its own copy of the row, so nothing one request caches on
    it is seen by another thread."""

    def __init__(self) -> None:
        self._found: dict[tuple[str, str], tuple[float, Municipality | None]] = {}
        self._lock = threading.Lock()

    def get(self, kind: str, value: str, load: Callable[[], Municipality | None]) -> Municipality | None:
        seconds = settings.TENANCY_LOOKUP_SECONDS
        now = time.monotonic()
        entry = self._found.get((kind, value))
        if entry is None or entry[0] <= now:
            found = load()
            if seconds > 0:
                with self._lock:
                    if len(self._found) > 10000:  # hosts that name no town are kept too: never grow without end
                        self._found.clear()
                    self._found[(kind, value)] = (now + seconds, copy.copy(found) if found is not None else None)
            return found
        return copy.copy(entry[1]) if entry[1] is not None else None

    def clear(self, *args: Any, **kwargs: Any) -> None:
        with self._lock:
            self._found.clear()


lookups = _Lookups()


def municipality_for_host(host: str) -> Municipality | None:
    # Municipality and MunicipalityHost are not tenant rows (plain managers): no scope is needed to find the town.
    host = host.lower().rstrip(".")
    return lookups.get("host", host, lambda: Municipality.objects.filter(hosts__host=host, is_active=True).first())


def municipality_for_code(code: str) -> Municipality | None:
    six = full_code(code)
    if six is None:
        return None
    return lookups.get("code", six, lambda: Municipality.objects.filter(code=six, is_active=True).first())


class MunicipalityMiddleware:
    """Sets request.municipality (or None) and runs the rest of the request inside its scope.

    With a /t/<code>/ prefix, the prefix becomes part of the script prefix, so every reverse()
    inside the request produces prefixed URLs and the town's URLconf never sees the prefix.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: TownRequest) -> HttpResponse:
        host = request.get_host().split(":")[0].lower()
        municipality = municipality_for_host(host)
        saved_prefix = get_script_prefix()
        match = _PREFIX.match(request.path_info)
        if municipality is None and settings.TENANT_PATH_PREFIX and match:
            municipality = municipality_for_code(match["code"])
            if municipality is None:
                request.municipality = None  # type: ignore[assignment]  # platform request: no town
                request.unknown_municipality = match["code"]
                request.urlconf = settings.PLATFORM_URLCONF
                return self._call(request, None)
            if not match["rest"]:
                return redirect(request.path + "/")
            request.path_info = match["rest"]
            set_script_prefix(saved_prefix.rstrip("/") + f"/t/{match['code']}/")
        request.municipality = municipality  # type: ignore[assignment]  # None on platform hosts
        if municipality is None:
            request.urlconf = settings.PLATFORM_URLCONF
            request.unknown_host = host not in settings.PLATFORM_HOSTS
        try:
            return self._call(request, municipality)
        finally:
            set_script_prefix(saved_prefix)

    def _call(self, request: TownRequest, municipality: Municipality | None) -> HttpResponse:
        if municipality is None:
            return self.get_response(request)
        with scope(municipality=municipality):
            return self.get_response(request)
