"""Showing residents the checked translation of a town text in the language they read, or the Japanese marked as such.

English (LANGUAGE_CODE en): the checked English, else the Japanese as `Japanese` (a str that templates draw as
`<span lang="ja">…</span>`; the page then says once that some parts are shown in Japanese). やさしい日本語 (the
resident's display choice, kernel.ui.prefs): the checked easy version, else the ordinary Japanese. Japanese: as is.

A translation is shown only while it is checked and its Japanese is the town's Japanese now: a translation of words
that have since changed (a changed amount, a new date) would tell a reader something the town no longer says.

Translations are read once per town and language and kept in the process, keyed by the page cache's generation token
of WORDS (announced on every change), so a page costs one cache round trip and no query while nothing changed.
"""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

from django.http import HttpRequest
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django_scopes import scopes_disabled

from yakuba.kernel.forms.definition import Field, FormDefinition
from yakuba.kernel.ui import prefs
from yakuba.kernel.ui.pagecache import WORDS, tokens_of

from .models import Language, State, Translation

ATTRIBUTE = "yakuba_words"


class Japanese(str):
    """A town text shown in Japanese where the reader asked for English (no checked translation)."""

    __slots__ = ()


def html(value: Any, *, limit: int = 0, lines: bool = False) -> SafeString:
    """`value` escaped for HTML, in `<span lang="ja" class="untranslated">` when it is Japanese shown to an
    English reader; cut to `limit` characters (with …), line breaks as <br> with `lines`."""
    text = str(value)
    if limit and len(text) > limit:
        text = text[:limit - 1] + "…"
    escaped = str(conditional_escape(text))
    if lines:
        escaped = escaped.replace("\r\n", "\n").replace("\n", "<br>")
    if isinstance(value, Japanese):
        return format_html('<span lang="ja" class="untranslated">{}</span>', SafeString(escaped))
    return SafeString(escaped)


Table = dict[tuple[str, str, str], tuple[str, str]]  # (kind, key, field) -> (source, text)
_tables: dict[tuple[int, str], tuple[str, Table]] = {}
_lock = threading.Lock()


def table(municipality_id: int, language: str) -> Table:
    """The town's checked translations in `language` (one query when they changed, none otherwise)."""
    token = tokens_of(municipality_id, [WORDS])
    kept = _tables.get((municipality_id, language))
    if kept is not None and kept[0] == token:
        return kept[1]
    with scopes_disabled():
        rows = Translation.objects.filter(municipality_id=municipality_id, language=language,
                                          state=State.CHECKED).values_list("kind", "key", "field", "source", "text")
        found: Table = {(kind, key, field): (source, text) for kind, key, field, source, text in rows}
    with _lock:
        _tables[(municipality_id, language)] = (token, found)
    return found


def forget() -> None:
    """Drop what the process keeps (tests)."""
    with _lock:
        _tables.clear()


class Translator:
    """One request's translations: asks the table at most once, remembers whether it showed Japanese to an English
    reader (the page then says so once)."""

    def __init__(self, municipality_id: int | None, language: str | None) -> None:
        self.municipality_id = municipality_id
        self.language = language if municipality_id is not None else None
        self.missing = False
        self._table: Table | None = None

    def text(self, kind: str, key: object, field: str, japanese: str) -> str:
        if not self.language or not japanese or not japanese.strip():
            return japanese
        if self._table is None:
            assert self.municipality_id is not None
            self._table = table(self.municipality_id, self.language)
        found = self._table.get((kind, str(key), field))
        if found is not None and found[0] == japanese:
            return found[1]
        if self.language == Language.ENGLISH:
            self.missing = True
            return Japanese(japanese)
        return japanese

    def form(self, kind: str, key: object, definition: FormDefinition) -> FormDefinition:
        """`definition` with its title, page titles, labels, hints, options and group item labels translated. The
        structure is unchanged, so answers, validation and errors (which then name the translated label) hold."""
        if not self.language:
            return definition

        def words(item: Field, prefix: str) -> Field:
            at = f"form.{prefix}{item.name}"
            return dataclasses.replace(
                item, label=self.text(kind, key, f"{at}.label", item.label),
                help_text=self.text(kind, key, f"{at}.help_text", item.help_text),
                item_label=self.text(kind, key, f"{at}.item_label", item.item_label),
                options=tuple((value, self.text(kind, key, f"{at}.option.{value}", label))
                              for value, label in item.options),
                fields=tuple(words(sub, f"{prefix}{item.name}.") for sub in item.fields))

        pages = tuple(dataclasses.replace(page, title=self.text(kind, key, f"form.page.{index}.title", page.title),
                                          fields=tuple(words(item, "") for item in page.fields))
                      for index, page in enumerate(definition.pages))
        return dataclasses.replace(definition, title=self.text(kind, key, "form.title", definition.title),
                                   pages=pages)


def language_of(request: HttpRequest) -> str | None:
    """"en", "easy" or None (Japanese as the town wrote it) for this request."""
    if (get_language() or "ja").startswith("en"):
        return Language.ENGLISH
    if prefs.easy_on(request):
        return Language.EASY
    return None


def shown(municipality_id: int, kind: str, key: object, field: str, japanese: str) -> tuple[str, str]:
    """For code that has no request (lists kept in a cache per language): the text in the active language (English
    or Japanese) and "ja" when it is Japanese shown to an English reader, else ""."""
    language = Language.ENGLISH if (get_language() or "ja").startswith("en") else None
    text = Translator(municipality_id, language).text(kind, key, field, japanese)
    return str(text), "ja" if isinstance(text, Japanese) else ""


def translator(request: HttpRequest | None) -> Translator:
    """The request's translator (made once per request)."""
    if request is None:
        return Translator(None, None)
    found: Translator | None = getattr(request, ATTRIBUTE, None)
    if found is None:
        municipality = getattr(request, "municipality", None)
        found = Translator(municipality.pk if municipality is not None else None, language_of(request))
        setattr(request, ATTRIBUTE, found)
    return found


def translate(request: HttpRequest | None, kind: str, key: object, field: str, japanese: str) -> str:
    """The text to show this request's reader (a `Japanese` when an English reader gets the Japanese)."""
    return translator(request).text(kind, key, field, japanese)


def form(request: HttpRequest | None, kind: str, key: object, definition: FormDefinition) -> FormDefinition:
    return translator(request).form(kind, key, definition)
