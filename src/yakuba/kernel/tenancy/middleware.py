"""Resolve request.municipality from the host name or a /t/<code>/ prefix and open its scope."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import get_script_prefix, set_script_prefix
from django_scopes import scope

from yakuba.kernel.http import TownRequest

from .codes import full_code
from .models import Municipality

_PREFIX = re.compile(r"^/t/(?P<code>[^/]+)(?P<rest>/.*)?$")


def municipality_for_host(host: str) -> Municipality | None:
    # Municipality and MunicipalityHost are not tenant rows (plain managers): no scope is needed to find the town.
    return Municipality.objects.filter(hosts__host=host.lower().rstrip("."), is_active=True).first()


def municipality_for_code(code: str) -> Municipality | None:
    six = full_code(code)
    if six is None:
        return None
    return Municipality.objects.filter(code=six, is_active=True).first()


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
