"""Say once on a page that some of it is shown in Japanese, where an English reader got untranslated town texts.

The base template leaves NOTE where the sentence goes (at the top of the main content); it is known only once the
page is drawn whether any text was untranslated, so the sentence is put in here, or the marker removed."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from . import display

NOTE = "<!--words:note-->"


class UntranslatedNoteMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (getattr(response, "streaming", False) or not response.get("Content-Type", "").startswith("text/html")
                or response.has_header("Content-Encoding")):
            return response
        charset = response.charset or "utf-8"
        marker = NOTE.encode(charset)
        if marker not in response.content:
            return response
        translator: display.Translator | None = getattr(request, display.ATTRIBUTE, None)
        note = ""
        if translator is not None and translator.missing:
            note = format_html('<p class="words-note">{}</p>',
                               _("このページの一部は、まだ翻訳されていないため日本語で表示しています。"))
        response.content = response.content.replace(marker, note.encode(charset), 1)
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response
