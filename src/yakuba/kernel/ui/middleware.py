"""Furigana on resident pages: ruby added to the rendered HTML when the resident asked for it."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from yakuba.kernel.http import TownRequest

from . import prefs


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

    Forms keep the user's typing for every mistake a person can make; this is the one input no person makes.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._has_nul(request):
            from django.shortcuts import render

            return render(request, "400.html", status=400)
        return self.get_response(request)

    @staticmethod
    def _has_nul(request: HttpRequest) -> bool:
        if "\x00" in request.path:
            return True
        data = [request.GET] + ([request.POST] if request.method == "POST" else [])
        return any("\x00" in key or any("\x00" in value for value in query.getlist(key))
                   for query in data for key in query)
