"""Anonymous public pages from a shared cache: a view declares itself cacheable and which kinds of records it shows.

    @cacheable_public(kinds=("notices.notice", "notices.shelter"))
    def board(request): ...

The middleware (placed just inside the tenancy middleware, outside sessions and authentication) answers an anonymous
GET or HEAD for such a view from the cache (Django's default cache: Redis in production with several machines), keyed
by town, host, path and query, and by what changes the HTML (language, ふりがな, やさしい日本語, 文字サイズ).
A page is kept with the generation tokens (one per town and kind) it was rendered under, and read together with the
current tokens in one round trip. A change of records (kernel.records `changing` at the write, `changed` once it
commits) replaces the kind's token, so the next reader misses and renders the page anew: every reader sees a write
as soon as it commits (readers of another process at most PAGE_CACHE_LOCAL_MS later, the time a process answers a
page again from memory).

Only what is the same for every visitor is kept: a request with a session, a pending message or credentials is never
answered from the cache, and a response is only stored when the visitor was anonymous, it is a 200 without cookies, and
rendering it asked for no CSRF token and no once-token (PrivatePagesMiddleware marks those `private, no-store`).
Stored pages say `public` with a short shared max-age (a CDN or reverse proxy in front absorbs the load) and carry an
ETag, so a browser's conditional GET gets a 304.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control, patch_vary_headers

from . import prefs
from .once import RENDERED as ONCE_TOKEN_RENDERED

logger = logging.getLogger(__name__)
ATTRIBUTE = "yakuba_page_cache"
TOWN = "kernel.town"  # the town itself (name, phone, settings): part of every page's key
ALERT = "kernel.alert"  # the town's alert in force (registry.town_alert, 災害モード's banner): part of every page's key
# Staff-entered translations of town texts (kernel.words): part of every page's key, as any page may show them.
WORDS = "kernel.words"
DEPARTMENTS = "accounts.department"  # 担当課 and their phone numbers (the home page)
HEADER = "X-Page-Cache"  # "hit" or "miss" on the cacheable responses (for operators and tests)
# Headers that belong to one response, never replayed from the cache.
_NOT_STORED = {"set-cookie", "date", "content-length", "content-encoding", HEADER.lower()}
_METHODS = ("GET", "HEAD")
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")

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


@functools.lru_cache(maxsize=4096)
def _policy_at(urlconf: str, path: str) -> Policy | None:
    """The policy of the view a path resolves to (paths are fixed while the process runs: asked once per path)."""
    try:
        return policy_of(resolve(path, urlconf=urlconf).func)
    except Resolver404:
        return None


def _cache() -> Any:
    return caches[settings.PAGE_CACHE_ALIAS]


def _generation_key(municipality_id: int, kind: str) -> str:
    return f"pc:g:{municipality_id}:{kind}"


class _Recent:
    """Pages this process served from the shared cache in the last PAGE_CACHE_LOCAL_MS, answered again without a
    round trip: when the whole town reloads the same page, most hits cost no network at all. A change made in this
    process forgets them at once; one made in another process is seen here at most PAGE_CACHE_LOCAL_MS later."""

    LIMIT = 1000

    def __init__(self) -> None:
        self._pages: dict[str, tuple[float, Stored]] = {}
        self._lock = threading.Lock()
        self.epoch = 0  # how many times forgotten: a page read before a change is not kept after it

    def get(self, key: str) -> Stored | None:
        entry = self._pages.get(key)
        if entry is None or entry[0] <= time.monotonic():
            return None
        return entry[1]

    def put(self, key: str, stored: Stored, epoch: int) -> None:
        seconds = settings.PAGE_CACHE_LOCAL_MS / 1000
        if seconds <= 0:
            return
        with self._lock:
            if epoch != self.epoch:
                return
            if len(self._pages) >= self.LIMIT:
                self._pages.clear()
            self._pages[key] = (time.monotonic() + seconds, stored)

    def clear(self) -> None:
        with self._lock:
            self.epoch += 1
            self._pages.clear()


def bump(kind: str, municipality_id: int) -> None:
    """Every cached page of the town that shows records of `kind` is out of date (a fresh token: no old key again)."""
    recent.clear()
    _cache().set(_generation_key(municipality_id, kind), uuid.uuid4().hex, None)
    recent.clear()  # again: a reader may have kept a page between the first clear and the new token


def _tokens(cache: Any, keys: list[str], found: dict[str, Any]) -> str:
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


def tokens_of(municipality_id: int, kinds: Iterable[str]) -> str:
    """The current tokens of `kinds` in the town (one round trip): part of a key that changes whenever records of one
    of them change, as a cached page's does. Anything else may key what it derives from those records on it."""
    cache = _cache()
    keys = [_generation_key(municipality_id, kind) for kind in kinds]
    return _tokens(cache, keys, cache.get_many(keys))


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


def _accepts_gzip(request: HttpRequest) -> bool:
    return bool(_ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))


def _not_modified(etag: str, headers: list[tuple[str, str]]) -> HttpResponse:
    response = HttpResponseNotModified()
    for name, value in headers:
        if name.lower() in ("cache-control", "vary", "content-language", "expires", "last-modified"):
            response[name] = value
    response["ETag"] = etag
    return response


@dataclass(frozen=True)
class Stored:
    """A page as kept: the generation tokens it was rendered under, its body compressed once, its headers."""

    tokens: str
    body: bytes  # gzip
    headers: list[tuple[str, str]]
    etag: str  # of the uncompressed body


recent = _Recent()
RENDERING, NOT_KEPT = 1, 0  # the rendering marker: someone renders this version; they finished and kept nothing


def _rendering_key(key: str, tokens: str) -> str:
    return f"{key}:r:{hashlib.blake2b(tokens.encode(), digest_size=8).hexdigest()}"


def _wait_for(key: str, tokens: str, rendering: str) -> Stored | None:
    """The page another reader is rendering under `tokens`, once it is kept; None when that reader kept nothing (a
    page that may not be kept, an error) or took longer than PAGE_CACHE_RENDER_WAIT_SECONDS: render it then."""
    deadline = time.monotonic() + settings.PAGE_CACHE_RENDER_WAIT_SECONDS
    while True:
        kept = recent.get(key)  # rendered by a thread of this process
        if kept is not None and kept.tokens == tokens:
            return kept
        found = _cache().get_many([key, rendering])
        stored = found.get(key)
        if isinstance(stored, Stored) and stored.tokens == tokens:
            return stored
        if found.get(rendering, NOT_KEPT) == NOT_KEPT or time.monotonic() >= deadline:
            return None
        time.sleep(0.02)


class PublicPageCacheMiddleware:
    """A hit costs one round trip to the cache (the page and its generation tokens in one get_many) and no
    compression: the body is kept gzipped and sent as it is to every client that accepts gzip (all browsers), or
    decompressed for one that does not. The public gzip middleware outside leaves an encoded body alone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        epoch = recent.epoch
        try:
            found = self._lookup(request)
        except Exception:  # noqa: BLE001 - a cache that is down costs speed, never the page
            logger.warning("page cache unavailable", exc_info=True)
            found = None
        if found is None:
            return self.get_response(request)
        if isinstance(found, Stored):
            return self._replay(request, found, "hit")
        key, tokens, policy, stored = found
        if stored is not None and stored.tokens == tokens:
            recent.put(key, stored, epoch)
            return self._replay(request, stored, "hit")
        rendering = _rendering_key(key, tokens)
        try:
            if not _cache().add(rendering, RENDERING, settings.PAGE_CACHE_RENDER_WAIT_SECONDS):
                # Another reader is rendering this very version (the whole town reloading the home page the moment
                # an alert made it stale): wait for its page rather than render it a hundred times at once.
                stored = _wait_for(key, tokens, rendering)
                if stored is not None:
                    return self._replay(request, stored, "hit")
        except Exception:  # noqa: BLE001
            logger.warning("page cache unavailable", exc_info=True)
        return self._render(request, key, tokens, policy, rendering, epoch)

    def _render(self, request: HttpRequest, key: str, tokens: str, policy: Policy, rendering: str,
                epoch: int) -> HttpResponse:
        response: HttpResponse | None = None
        try:
            municipality = getattr(request, "municipality", None)
            if municipality is not None:
                # The town row may come from the process's short-lived lookup (kernel.tenancy): what is stored under
                # the tokens just read is rendered from the row as it is now.
                municipality.refresh_from_db()
            response = self.get_response(request)
            if request.method == "GET" and self._storable(request, response):
                stored = self._store(response, key, tokens, policy)
                recent.put(key, stored, epoch)
                return self._replay(request, stored, "miss")
            return response
        except Exception:
            if response is None:
                raise
            logger.warning("page cache unavailable", exc_info=True)
            return response
        finally:
            try:
                _cache().set(rendering, NOT_KEPT, settings.PAGE_CACHE_RENDER_WAIT_SECONDS)  # waiters: stop waiting
            except Exception:  # noqa: BLE001
                logger.warning("page cache unavailable", exc_info=True)

    @staticmethod
    def _lookup(request: HttpRequest) -> Stored | tuple[str, str, Policy, Stored | None] | None:
        """A page this process served a moment ago; or the page's key, the tokens it must have been stored under, its
        policy, and what the shared cache holds for it (one round trip); None for a request never answered."""
        municipality = getattr(request, "municipality", None)
        if (not settings.PAGE_CACHE or municipality is None or request.method not in _METHODS
                or _bypassed(request)):
            return None
        policy = _policy_at(getattr(request, "urlconf", None) or settings.ROOT_URLCONF, request.path_info)
        if policy is None or any(name in request.GET for name in policy.private_params):
            return None
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        page = hashlib.blake2b(
            f"{request.scheme}://{request.get_host()}{request.get_full_path()}".encode(), digest_size=16).hexdigest()
        view = ("f" if prefs.furigana_on(request) else "-") + ("e" if prefs.easy_on(request) else "-")
        key = f"pc:p:{municipality.pk}:{language}:{prefs.text_size(request)}:{view}:{page}"
        kept = recent.get(key)
        if kept is not None:
            return kept
        generations = [_generation_key(municipality.pk, kind) for kind in (TOWN, ALERT, WORDS, *policy.kind_names())]
        cache = _cache()
        found = cache.get_many([key, *generations])
        stored = found.get(key)
        return key, _tokens(cache, generations, found), policy, stored if isinstance(stored, Stored) else None

    @staticmethod
    def _replay(request: HttpRequest, stored: Stored, state: str) -> HttpResponse:
        if _matches(request, stored.etag):
            response = _not_modified(stored.etag, stored.headers)
        else:
            compressed = _accepts_gzip(request)
            response = HttpResponse(stored.body if compressed else gzip.decompress(stored.body))
            for name, value in stored.headers:
                response[name] = value
            if compressed:
                response["Content-Encoding"] = "gzip"
                response["ETag"] = "W/" + stored.etag  # as Django's gzip middleware marks an encoded body
            response["Content-Length"] = str(len(response.content))
        response[HEADER] = state
        return response

    @staticmethod
    def _storable(request: HttpRequest, response: HttpResponse) -> bool:
        user = getattr(request, "user", None)
        chosen = response.get("Cache-Control", "")
        return (
            response.status_code == 200
            and not getattr(response, "streaming", False)
            and not response.cookies
            and not response.has_header("Content-Encoding")
            and not (user is not None and user.is_authenticated)
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and not getattr(request, ONCE_TOKEN_RENDERED, False)
            and not any(word in chosen for word in ("private", "no-store", "no-cache"))
        )

    @staticmethod
    def _store(response: HttpResponse, key: str, tokens: str, policy: Policy) -> Stored:
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
        patch_vary_headers(response, ("Accept-Encoding",))
        etag = _etag(response.content)
        response["ETag"] = etag
        headers = [(name, value) for name, value in response.items() if name.lower() not in _NOT_STORED]
        # Public pages only (no token, no one's data), so no BREACH padding: the same bytes for every reader.
        stored = Stored(tokens, gzip.compress(response.content, compresslevel=6, mtime=0), headers, etag)
        _cache().set(key, stored, settings.PAGE_CACHE_SECONDS)
        return stored
