"""Middleware of the shared UI: furigana, language, refusal of input no person types, private pages never cached,
HEAD answered as GET, compression of public pages."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.http.multipartparser import MultiPartParserError
from django.middleware.gzip import GZipMiddleware
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from yakuba.kernel.http import TownRequest

from . import prefs
from .once import RENDERED as ONCE_TOKEN_RENDERED


class HeadAsGetMiddleware:
    """A HEAD request runs as the GET it stands for, and the answer goes out without its body.

    Views name the methods they take (`require_GET`, `require_http_methods(["GET", "POST"])`), and those
    decorators refuse HEAD with 405 — while link checkers, monitors and browsers' prefetch ask with HEAD.
    Answering here keeps every page, current and future, from having to list HEAD itself.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "HEAD":
            return self.get_response(request)
        request.method = "GET"
        try:
            response = self.get_response(request)
        finally:
            request.method = "HEAD"
        if isinstance(response, StreamingHttpResponse):
            response.streaming_content = iter(())  # the file behind it is closed with the response
        else:
            if not response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
            response.content = b""
        return response


class FuriganaMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: TownRequest) -> HttpResponse:
        response = self.get_response(request)
        if not self._applies(request, response):
            return response
        from .furigana import add_ruby_cached

        charset = response.charset or "utf-8"
        html = response.content.decode(charset)
        response.content = add_ruby_cached(html).encode(charset)
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response

    @staticmethod
    def _applies(request: TownRequest, response: HttpResponse) -> bool:
        return (
            prefs.furigana_on(request)
            and getattr(request, "municipality", None) is not None
            and not request.path_info.startswith("/staff/")
            and not getattr(response, "streaming", False)
            and response.get("Content-Type", "").startswith("text/html")
            and response.status_code == 200
        )


class LanguageMiddleware:
    """Japanese unless the visitor chose another language (cookie set by the language switch).

    The browser's Accept-Language is deliberately not followed: the town's pages are Japanese first,
    and English is one button away on every page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: TownRequest) -> HttpResponse:
        from django.conf import settings
        from django.utils import translation
        from django.utils.cache import patch_vary_headers

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


class RejectNulMiddleware:
    """A NUL character is never typed by a person, and PostgreSQL refuses it in text: answer 400 before any view.

    Forms keep the user's typing for every mistake a person can make; this is the one input no person makes. A JSON
    API's body is checked too (a raw NUL, or the escape \\u0000 that decodes to one).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            has_nul = self._has_nul(request)
        except RequestDataTooBig:
            return refuse_unreadable(request, TOO_LARGE)
        if has_nul:
            return refuse_unreadable(request, None)
        return self.get_response(request)

    @staticmethod
    def _has_nul(request: HttpRequest) -> bool:
        if "\x00" in request.path:
            return True
        if request.content_type == "application/json" and request.method in ("POST", "PUT", "PATCH"):
            body = request.body  # a JSON API's body: small, and read again by the view from the cached copy
            if b"\x00" in body or b"\\u0000" in body.lower():
                return True
        data = [request.GET] + ([request.POST] if request.method == "POST" else [])
        return any("\x00" in key or any("\x00" in value for value in query.getlist(key))
                   for query in data for key in query)


UNREADABLE_BODY = gettext_lazy(
    "送信された内容を読み取れませんでした（UTF-8 以外の文字コードで送られたか、壊れた文字が含まれています）。"
    "前の画面に戻って、もう一度送信してください。"
)
UNREADABLE_REQUEST = gettext_lazy("リクエストに使えない文字（NUL）が含まれています。")
TOO_LARGE = gettext_lazy(
    "送信された内容が大きすぎます。入力を短くするか、ファイルを小さくして、もう一度送信してください。"
)
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_UTF8 = codecs.lookup("utf-8").name


class RejectUnreadableBodyMiddleware:
    """A form body in another charset than UTF-8, or with bytes that do not decode, gets a 400 before anything reads it.

    Django refuses such a body (BadRequest) but leaves it unparsed, so whatever reads `request.POST` next raises
    again — its own 400 page does (through the CSRF check), which turned the refusal into a 500. Here the body is
    parsed once; if it cannot be, `request.POST` is replaced by an empty one and the 400 page is rendered from it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("POST", "PUT", "PATCH") and request.content_type in _FORM_TYPES:
            problem = self._problem(request)
            if problem is not None:
                from django.http import QueryDict
                from django.utils.datastructures import MultiValueDict

                request._post = QueryDict()  # type: ignore[attr-defined]
                request._files = MultiValueDict()  # type: ignore[attr-defined]
                return refuse_unreadable(request, problem)
        return self.get_response(request)

    @classmethod
    def _problem(cls, request: HttpRequest) -> Promise | None:
        try:
            return None if cls._readable(request) else UNREADABLE_BODY
        except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent):
            return TOO_LARGE

    @staticmethod
    def _readable(request: HttpRequest) -> bool:
        charset = (request.content_params or {}).get("charset")
        if charset is not None:
            try:
                if codecs.lookup(charset).name != _UTF8:
                    return False
            except LookupError:
                return False
            # "utf8" or "UTF-8" is UTF-8: Django only takes the exact spelling "utf-8" for a form body.
            request.encoding = "utf-8"
        try:
            post = request.POST
            request.FILES  # noqa: B018 - parse the uploads now too, while a failure can still be answered
        except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent):
            raise
        except (BadRequest, SuspiciousOperation, MultiPartParserError, UnicodeError, ValueError):
            return False
        if request.content_type == "application/x-www-form-urlencoded":
            # QueryDict decodes with errors="replace": check the bytes themselves.
            return all(_decodes(unquote_to_bytes(part.replace(b"+", b" ")))
                       for part in request.body.split(b"&"))
        # Multipart fields are decoded with errors="replace" too; U+FFFD is what a broken byte becomes.
        return not any("\ufffd" in key or any("\ufffd" in value for value in post.getlist(key)) for key in post)


def refuse_unreadable(request: HttpRequest, problem: Promise | None) -> HttpResponse:
    """400 for a request no view should see: the 400 page for people, the kernel's JSON refusal on a JSON API."""
    from django.http import JsonResponse
    from django.shortcuts import render

    from yakuba.kernel import openapi

    if openapi.serves_json(request.path_info):
        kind = "Too Large" if problem is TOO_LARGE else "Bad Request"
        message = str(problem or UNREADABLE_REQUEST)
        response: HttpResponse = JsonResponse({"success": False, "error": {"__type": kind, "message": message}},
                                              status=400, json_dumps_params={"ensure_ascii": False})
        response["Access-Control-Allow-Origin"] = "*"
        return response
    return render(request, "400.html", {"exception": problem} if problem is not None else {}, status=400)


def _decodes(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class PrivatePagesMiddleware:
    """A page for a signed-in person, or one carrying a form's CSRF token or once-token, is never kept by a browser or
    proxy cache (a token handed to the next visitor would be refused, and a form is one person's).

    On a shared counter PC or a library computer the back button or the disk cache would otherwise show マイページ
    or a resident's record after sign-out. A view that set Cache-Control itself chose its freshness on purpose (the
    防災 board's short max-age, an open data file's hour): that is kept and `private` added, also over `public`, since
    a signed-in person's response refreshes their session cookie and no shared cache may keep it. Pages for anonymous
    visitors keep their headers.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or has_form_tokens(request):
            from django.utils.cache import patch_cache_control

            chosen = response.get("Cache-Control", "")
            if not chosen:
                patch_cache_control(response, private=True, no_store=True)
            else:  # patch_cache_control drops `public` when `private` is added
                patch_cache_control(response, private=True)
        return response


def has_form_tokens(request: HttpRequest) -> bool:
    """Whether rendering the response asked for a CSRF token (Django flags the cookie to send) or a once-token."""
    return bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE")) or getattr(request, ONCE_TOKEN_RENDERED, False)


class PublicGZipMiddleware(GZipMiddleware):
    """Gzip only what is not `private`: pages the same for every visitor (BREACH needs a secret in the compressed
    body — a CSRF token, a once-token or one person's data — and those pages are all marked private). Django's
    GZipMiddleware also pads each body with random bytes (Heal The Breach)."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if "private" in response.get("Cache-Control", ""):
            return response
        return super().process_response(request, response)
