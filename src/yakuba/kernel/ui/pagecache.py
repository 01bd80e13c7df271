"""Anonymous public pages from a shared cache: a view declares itself cacheable and which kinds of records it shows.

    @cacheable_public(kinds=("notices.notice", "notices.shelter"))
    def board(request): ...

The middleware (placed just inside the tenancy middleware, outside sessions and authentication) answers an anonymous
GET or HEAD for such a view from the cache (Django's default cache: Redis in production with several machines), keyed
by town, host, path and query, and by what changes the HTML (language, ふりがな, 文字サイズ), and by one generation
token per town and kind. A change of records (kernel.records `changing` at the write, `changed` once it commits)
replaces the kind's token, so the next reader misses and renders the page anew: every reader sees a write as soon as
it commits.

Only what is the same for every visitor is kept: a request with a session, a pending message or credentials is never
answered from the cache, and a response is only stored when the visitor was anonymous, it is a 200 without cookies, and
rendering it asked for no CSRF token and no once-token (PrivatePagesMiddleware marks those `private, no-store`).
Stored pages say `public` with a short shared max-age (a CDN or reverse proxy in front absorbs the load) and carry an
ETag, so a browser's conditional GET gets a 304.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control

from . import prefs
from .once import RENDERED as ONCE_TOKEN_RENDERED

logger = logging.getLogger(__name__)
ATTRIBUTE = "yakuba_page_cache"
TOWN = "kernel.town"  # the town itself (name, phone, settings): part of every page's key
ALERT = "kernel.alert"  # the town's alert in force (registry.town_alert, 災害モード's banner): part of every page's key
DEPARTMENTS = "accounts.department"  # 担当課 and their phone numbers (the home page)
HEADER = "X-Page-Cache"  # "hit" or "miss" on the cacheable responses (for operators and tests)
# Headers that belong to one response, never replayed from the cache.
_NOT_STORED = {"set-cookie", "date", "content-length", HEADER.lower()}
_METHODS = ("GET", "HEAD")

View = TypeVar("View", bound=Callable[..., Any])


@dataclass(frozen=True)
class Policy:
    # The kinds of records (kernel.records) the page shows, or a function of none that says them (read per request,
    # for pages that show what apps register, such as the home page).
    kinds: tuple[str, ...] | Callable[[], Iterable[str]]
    max_age: int | None  # for browsers; None: the default (settings.PAGE_CACHE_MAX_AGE) unless the view set one
    private_params: tuple[str, ...]  # query parameters that make the page someone's own (a message's key)

    def kind_names(self) -> tuple[str, ...]:
        return tuple(self.kinds()) if callable(self.kinds) else self.kinds


def cacheable_public(kinds: Iterable[str] | Callable[[], Iterable[str]] = (), *, max_age: int | None = None,
                     private_params: Iterable[str] = ()) -> Callable[[View], View]:
    """Declare a view's anonymous GET pages the same for every visitor, changing only with records of `kinds`.

    `max_age` is for browsers (default: settings.PAGE_CACHE_MAX_AGE, or what the view set); a request with one of
    `private_params` in its query is someone's own page (a message's key) and never cached."""
    policy = Policy(kinds if callable(kinds) else tuple(kinds), max_age, tuple(private_params))

    def decorate(view: View) -> View:
        setattr(view, ATTRIBUTE, policy)
        return view

    return decorate


def policy_of(view: Callable[..., Any]) -> Policy | None:
    found: Policy | None = getattr(view, ATTRIBUTE, None)
    return found


def _cache() -> Any:
    return caches[settings.PAGE_CACHE_ALIAS]


def _generation_key(municipality_id: int, kind: str) -> str:
    return f"pc:g:{municipality_id}:{kind}"


def bump(kind: str, municipality_id: int) -> None:
    """Every cached page of the town that shows records of `kind` is out of date (a fresh token: no old key again)."""
    _cache().set(_generation_key(municipality_id, kind), uuid.uuid4().hex, None)


def _generations(municipality_id: int, kinds: tuple[str, ...]) -> str:
    cache = _cache()
    keys = [_generation_key(municipality_id, kind) for kind in (TOWN, ALERT, *kinds)]
    found = cache.get_many(keys)
    tokens = []
    for key in keys:
        token = found.get(key)
        if token is None:
            # Never set, or evicted: a fresh token (a shared cache keeps the first one added), never a reset to a
            # value an older page was stored under.
            cache.add(key, uuid.uuid4().hex, None)
            token = cache.get(key) or uuid.uuid4().hex
        tokens.append(str(token))
    return ".".join(tokens)


def on_records_changed(sender: str, *, kind: str, municipality_id: int, **kwargs: Any) -> None:
    try:
        bump(kind, municipality_id)
    except Exception:  # noqa: BLE001 - never fail the write; pages expire on their own (PAGE_CACHE_SECONDS)
        logger.error("page cache: could not mark %s of town %s changed", kind, municipality_id, exc_info=True)


def on_town_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    from yakuba.kernel import records

    records.announce(TOWN, instance.pk)  # after the write commits, as every other kind


def _bypassed(request: HttpRequest) -> bool:
    """A request that may be someone's own: a session (signed in, or a conversation), a message waiting, credentials."""
    cookies = request.COOKIES
    return (settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies
            or "HTTP_AUTHORIZATION" in request.META)


def _etag(content: bytes) -> str:
    return '"' + hashlib.blake2b(content, digest_size=12).hexdigest() + '"'


def _matches(request: HttpRequest, etag: str) -> bool:
    wanted = request.META.get("HTTP_IF_NONE_MATCH", "")
    if not wanted:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in wanted.split(",")}
    return "*" in tags or etag in tags


def _not_modified(etag: str, headers: list[tuple[str, str]]) -> HttpResponse:
    response = HttpResponseNotModified()
    for name, value in headers:
        if name.lower() in ("cache-control", "vary", "content-language", "expires", "last-modified"):
            response[name] = value
    response["ETag"] = etag
    return response


class PublicPageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            key, policy = self._key(request)
            stored = _cache().get(key) if key is not None else None
        except Exception:  # noqa: BLE001 - a cache that is down costs speed, never the page
            logger.warning("page cache unavailable", exc_info=True)
            key = policy = stored = None
        if stored is not None:
            return self._replay(request, stored)
        response = self.get_response(request)
        if key is not None and policy is not None and request.method == "GET" and self._storable(request, response):
            try:
                etag, headers = self._store(response, key, policy)
            except Exception:  # noqa: BLE001
                logger.warning("page cache unavailable", exc_info=True)
                return response
            if _matches(request, etag):  # the browser had this very page
                response = _not_modified(etag, headers)
            response[HEADER] = "miss"
        return response

    @staticmethod
    def _key(request: HttpRequest) -> tuple[str | None, Policy | None]:
        municipality = getattr(request, "municipality", None)
        if (not settings.PAGE_CACHE or municipality is None or request.method not in _METHODS
                or _bypassed(request)):
            return None, None
        try:
            match = resolve(request.path_info, urlconf=getattr(request, "urlconf", None))
        except Resolver404:
            return None, None
        policy = policy_of(match.func)
        if policy is None or any(name in request.GET for name in policy.private_params):
            return None, None
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        page = hashlib.blake2b(
            f"{request.scheme}://{request.get_host()}{request.get_full_path()}".encode(), digest_size=16).hexdigest()
        view = "f" if prefs.furigana_on(request) else "-"
        key = (f"pc:p:{municipality.pk}:{language}:{prefs.text_size(request)}:{view}:"
               f"{_generations(municipality.pk, policy.kind_names())}:{page}")
        return key, policy

    @staticmethod
    def _replay(request: HttpRequest, stored: tuple[bytes, list[tuple[str, str]], str]) -> HttpResponse:
        content, headers, etag = stored
        if _matches(request, etag):
            response = _not_modified(etag, headers)
        else:
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
        response[HEADER] = "hit"
        return response

    @staticmethod
    def _storable(request: HttpRequest, response: HttpResponse) -> bool:
        user = getattr(request, "user", None)
        chosen = response.get("Cache-Control", "")
        return (
            response.status_code == 200
            and not getattr(response, "streaming", False)
            and not response.cookies
            and not (user is not None and user.is_authenticated)
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and not getattr(request, ONCE_TOKEN_RENDERED, False)
            and not any(word in chosen for word in ("private", "no-store", "no-cache"))
        )

    @staticmethod
    def _store(response: HttpResponse, key: str, policy: Policy) -> tuple[str, list[tuple[str, str]]]:
        max_age = policy.max_age
        if max_age is None and "max-age" not in response.get("Cache-Control", ""):
            max_age = settings.PAGE_CACHE_MAX_AGE
        directives: dict[str, Any] = {
            "public": True, "s_maxage": settings.PAGE_CACHE_SHARED_MAX_AGE,
            "stale_while_revalidate": settings.PAGE_CACHE_STALE_SECONDS,
            "stale_if_error": settings.PAGE_CACHE_STALE_IF_ERROR_SECONDS,
        }
        if max_age is not None:
            directives["max_age"] = max_age
        patch_cache_control(response, **directives)
        etag = _etag(response.content)
        response["ETag"] = etag
        headers = [(name, value) for name, value in response.items() if name.lower() not in _NOT_STORED]
        _cache().set(key, (response.content, headers, etag), settings.PAGE_CACHE_SECONDS)
        return etag, headers
