"""Display preferences a resident can set without an account: text size, furigana and やさしい日本語 (cookies)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

TEXT_SIZE_COOKIE = "yakuba_textsize"
FURIGANA_COOKIE = "yakuba_furigana"
# やさしい日本語: town texts in their checked easy version where there is one (kernel.words); with Japanese chosen.
EASY_COOKIE = "yakuba_easy"
EASY = "easy"  # the language switch's value for it
TEXT_SIZES = ("normal", "large", "xlarge")
ONE_YEAR = 365 * 24 * 3600


def text_size(request: HttpRequest) -> str:
    value = request.COOKIES.get(TEXT_SIZE_COOKIE, "normal")
    return value if value in TEXT_SIZES else "normal"


def furigana_on(request: HttpRequest) -> bool:
    return request.COOKIES.get(FURIGANA_COOKIE) == "1"


def easy_on(request: HttpRequest) -> bool:
    return request.COOKIES.get(EASY_COOKIE) == "1"


def apply(response: HttpResponse, *, size: str | None = None, furigana: bool | None = None,
          easy: bool | None = None) -> None:
    if size in TEXT_SIZES:
        response.set_cookie(TEXT_SIZE_COOKIE, size, max_age=ONE_YEAR, samesite="Lax", httponly=True)
    if furigana is not None:
        response.set_cookie(FURIGANA_COOKIE, "1" if furigana else "0", max_age=ONE_YEAR, samesite="Lax",
                            httponly=True)
    if easy is not None:
        response.set_cookie(EASY_COOKIE, "1" if easy else "0", max_age=ONE_YEAR, samesite="Lax", httponly=True)
