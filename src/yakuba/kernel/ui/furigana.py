"""Furigana: ruby readings over the kanji words of rendered resident pages.

Readings come from MeCab (fugashi) with the UniDic dictionary shipped in unidic-lite, so nothing is
downloaded at run time. Three layers, cheapest first:

* ``reading_segments(text)`` splits plain text into ``(surface, reading)`` pairs; only segments with
  kanji get a (hiragana) reading, okurigana are left outside the ruby (申し込み → 申/もう, し, 込/こ, み).
  ``EXTRA_READINGS`` (town names and other words a town registers) win over the dictionary.
* ``annotate_text(text)`` renders one text node as escaped HTML with ``<ruby>`` markup; text nodes
  repeat from page to page (header, navigation, footer), so they are kept in an in-process LRU cache.
* ``add_ruby(html)`` annotates the text nodes of a whole document that a reader sees as text, leaving
  every other byte of the document untouched; ``add_ruby_cached(html)`` adds a page cache in Django's
  cache. ``add_ruby`` never raises: on any problem the page is served without ruby.

Only ``add_ruby_cached`` needs Django; the rest of the module is importable without settings.
"""

from __future__ import annotations

import functools
import hashlib
import html as htmllib
import logging
import re
import threading
import unicodedata
from html.parser import HTMLParser
from typing import Any, NamedTuple

logger = logging.getLogger(__name__)

Segment = tuple[str, str | None]

#: Words whose reading the dictionary gets wrong or does not know, applied before tokenising.
#: Surface → reading (hiragana or katakana). Change it with ``register_reading`` (or edit it directly:
#: the change is noticed on the next call and the caches that depend on it are keyed by its content).
EXTRA_READINGS: dict[str, str] = {
    "下仁田": "しもにた",
    "甘楽": "かんら",
    "中之条": "なかのじょう",
    # Municipality names: UniDic reads the 町 of a town name as ちょう or まち by guess.
    "下仁田町": "しもにたまち",
    "甘楽町": "かんらまち",
    "中之条町": "なかのじょうまち",
    "小山町": "おやまちょう",
}

#: Text nodes kept in the in-process LRU cache (nodes longer than TEXT_CACHE_MAX_CHARS bypass it).
TEXT_CACHE_SIZE = 8192
TEXT_CACHE_MAX_CHARS = 4000
#: Whole pages kept in Django's cache: timeout in seconds and the largest page cached (UTF-8 bytes).
PAGE_CACHE_TIMEOUT = 60 * 60
PAGE_CACHE_MAX_BYTES = 1_000_000
_PAGE_CACHE_PREFIX = "furigana:v1:"
#: Stored in the page cache for a page that had nothing to annotate (instead of a copy of the page).
_UNCHANGED = "="

# Kanji and the marks that are read like kanji: 々〆〇, ヵヶ (一ヵ月, 霞ヶ関), CJK radicals as found in
# text extracted from PDFs, compatibility ideographs and the supplementary ideograph planes.
_KANJI_CLASS = (
    "\u3005-\u3007\u30f5\u30f6\u2e80-\u2fdf\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
)
_HAS_KANJI = re.compile(f"[{_KANJI_CLASS}]")
_KANJI_RUNS = re.compile(f"[{_KANJI_CLASS}]+|[^{_KANJI_CLASS}]+")
_KANA_READING = re.compile("[\u3041-\u3096\u309d\u309e\u30fc\u30f7-\u30fa]+")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Character references as a browser may read them; each match is kept whole (never split by ruby).
_CHARREF = re.compile(r"&#?[A-Za-z0-9]+;?")
# Markup in what the parser reported as text means it lost track of the document: stop annotating.
_MARKUP_IN_TEXT = re.compile(r"<[A-Za-z!/?]")

_KATA_TO_HIRA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}


def _tagger_translation() -> dict[int, str]:
    """One-to-one replacements applied to the tagger's copy of the text (same length, same offsets)."""
    table = {0: " "}  # MeCab reads a C string: a NUL would end the text
    for code in [*range(0x2E80, 0x2FE0), *range(0xF900, 0xFB00)]:
        normal = unicodedata.normalize("NFKC", chr(code))
        if len(normal) == 1 and normal != chr(code):
            table[code] = normal  # ⼈ (KANGXI RADICAL MAN) → 人, so the dictionary knows it
    return table


_FOR_TAGGER = _tagger_translation()


def to_hiragana(kana: str) -> str:
    return kana.translate(_KATA_TO_HIRA)


# --- the tagger ----------------------------------------------------------------------------------

_tagger: Any = None
_kana_field = -1  # position of the reading in the dictionary's feature CSV (-1: ask fugashi by name)
_tagger_lock = threading.Lock()


def _get_tagger() -> Any:
    """The process's one MeCab tagger, created on first use."""
    global _tagger, _kana_field
    if _tagger is None:
        with _tagger_lock:
            if _tagger is None:
                import fugashi  # type: ignore[import-untyped, unused-ignore]

                tagger = fugashi.Tagger()
                fields = getattr(tagger("漢字")[0].feature, "_fields", ())
                _kana_field = fields.index("kana") if "kana" in fields else -1
                _tagger = tagger
    return _tagger


def _kana(node: Any) -> str | None:
    """The token's reading (katakana, surface form), or None.

    Reading one CSV field from ``feature_raw`` is several times cheaper than fugashi building the
    whole named tuple; fields quoted because they hold a comma fall back to fugashi's parsing.
    """
    if node.is_unk:
        return None
    if _kana_field >= 0:
        raw: str = node.feature_raw
        fields = raw.split(",", _kana_field + 1)
        if len(fields) > _kana_field:
            quote = raw.find('"')
            if quote < 0 or (len(fields) > _kana_field + 1 and quote >= len(raw) - len(fields[-1])):
                return fields[_kana_field]  # no quoted field up to the reading
    return getattr(node.feature, "kana", None)


def _tokens(text: str) -> list[tuple[str, str | None]]:
    """(surface, katakana reading or None) for each token MeCab finds in ``text``."""
    tagger = _get_tagger()
    tokens: list[tuple[str, str | None]] = []
    # fugashi nodes read their features lazily from the tagger's lattice, which the next parse
    # overwrites: everything is read while the lock is held.
    with _tagger_lock:
        for node in tagger(text):
            surface: str = node.surface
            tokens.append((surface, _kana(node) if _HAS_KANJI.search(surface) else None))
    return tokens


# --- registered readings -------------------------------------------------------------------------


class _Extra(NamedTuple):
    snapshot: dict[str, str]
    pattern: re.Pattern[str] | None
    readings: dict[str, str]
    fingerprint: str


_extra_state = _Extra({}, None, {}, "")
_extra_lock = threading.Lock()


def _extra() -> _Extra:
    """The compiled form of EXTRA_READINGS, rebuilt whenever the dict's content has changed."""
    global _extra_state
    state = _extra_state
    if state.snapshot == EXTRA_READINGS:
        return state
    with _extra_lock:
        snapshot = dict(EXTRA_READINGS)
        readings = {
            surface: to_hiragana(reading) for surface, reading in snapshot.items() if surface and reading
        }
        surfaces = sorted(readings, key=len, reverse=True)  # longest first: 下仁田町 before 下仁田
        pattern = re.compile("|".join(map(re.escape, surfaces))) if surfaces else None
        digest = hashlib.sha256(repr(sorted(readings.items())).encode("utf-8", "surrogatepass"))
        _extra_state = state = _Extra(snapshot, pattern, readings, digest.hexdigest()[:16])
    return state


def register_reading(surface: str, reading: str) -> None:
    """Let a town fix the reading of a word (its name, a district, a facility)."""
    EXTRA_READINGS[surface] = reading


# --- segmentation --------------------------------------------------------------------------------


def _align(surface: str, reading: str) -> list[Segment]:
    """Split a word and its hiragana reading so that only the kanji runs carry a reading."""
    runs = _KANJI_RUNS.findall(surface)
    if len(runs) == 1:
        return [(surface, reading)]
    pattern = "".join(
        "(.+?)" if _HAS_KANJI.match(run) else re.escape(to_hiragana(run)) for run in runs
    )
    match = re.fullmatch(pattern, reading)
    if match is None:  # irregular reading: annotate the word as a whole
        return [(surface, reading)]
    groups = iter(match.groups())
    return [(run, next(groups)) if _HAS_KANJI.match(run) else (run, None) for run in runs]


def _word_segments(surface: str, reading: str | None) -> list[Segment]:
    if reading is None or not _HAS_KANJI.search(surface):
        return [(surface, None)]
    hiragana = to_hiragana(reading)
    if not _KANA_READING.fullmatch(hiragana):  # unknown word ("*") or a reading that is not kana
        return [(surface, None)]
    return _align(surface, hiragana)


#: Tokens UniDic reads in a way residents would not expect on a town's page.
_TOKEN_READINGS = {"日本": "にほん"}  # UniDic: にっぽん


def _tokenised_segments(text: str) -> list[Segment]:
    if not _HAS_KANJI.search(text):
        return [(text, None)]
    for_tagger = _SURROGATE.sub("\ufffd", text.translate(_FOR_TAGGER))
    segments: list[Segment] = []
    position = 0
    for surface, reading in _tokens(for_tagger):
        start = for_tagger.find(surface, position) if surface else -1
        if start < 0:
            break  # the tagger's view no longer matches the text: leave the rest unannotated
        if start > position:
            segments.append((text[position:start], None))
        end = start + len(surface)
        if reading is not None and surface in _TOKEN_READINGS:
            reading = _TOKEN_READINGS[surface]
        segments.extend(_word_segments(text[start:end], reading))
        position = end
    if position < len(text):
        segments.append((text[position:], None))
    return segments


def _merge_plain(segments: list[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for surface, reading in segments:
        if not surface:
            continue
        if reading is None and merged and merged[-1][1] is None:
            merged[-1] = (merged[-1][0] + surface, None)
        else:
            merged.append((surface, reading))
    return merged


# After Arabic numerals MeCab reads 日 as か (ふつ-か) and 人 as にん whatever the number. The numbers
# with a reading of their own are annotated together with their counter (1日 ついたち, 2人 ふたり),
# other numbers leave the counter its plain reading (31日: 日 にち).
_DIGITS_AT_END = re.compile(r"[0-9０-９]+\Z")  # \Z, not $: "0\n" must not match
_DAYS = {
    1: "ついたち", 2: "ふつか", 3: "みっか", 4: "よっか", 5: "いつか", 6: "むいか", 7: "なのか", 8: "ようか",
    9: "ここのか", 10: "とおか", 14: "じゅうよっか", 20: "はつか", 24: "にじゅうよっか",
}
_COUNTERS = {"日": (_DAYS, "にち"), "人": ({1: "ひとり", 2: "ふたり"}, "にん")}


def _number_reading(counter: str, digits: str, before: str) -> str | None:
    """Reading of number + counter when it is not the number's reading followed by the counter's."""
    if len(digits) > 2 or before.endswith((".", ",", "．", "，")):  # 1.5日, 1,000人
        return None
    number = int(digits)
    if counter == "日" and number == 1 and not before.endswith("月"):
        return None  # 1日 is ついたち in a date (4月1日) but いちにち as a length of time (1日3回)
    return _COUNTERS[counter][0].get(number)


def _counted(segments: list[Segment], index: int) -> list[Segment] | None:
    """What replaces ``segments[index - 1:index + 1]`` when they are a number and a counter."""
    counter, reading = segments[index]
    if reading is None or counter not in _COUNTERS or index == 0 or segments[index - 1][1] is not None:
        return None
    before = segments[index - 1][0]
    match = _DIGITS_AT_END.search(before)
    if match is None:
        return None
    prefix = before[:match.start()]
    context = prefix or (segments[index - 2][0] if index >= 2 else "")
    whole = _number_reading(counter, match.group(), context)
    head = [(prefix, None)] if prefix else []
    if whole is None:
        return [*head, (match.group(), None), (counter, _COUNTERS[counter][1])]
    return [*head, (match.group() + counter, whole)]


def _read_counters(segments: list[Segment]) -> list[Segment]:
    out: list[Segment] = []
    for index, segment in enumerate(segments):
        counted = _counted(segments, index) if segment[0] in _COUNTERS else None
        if counted is None:
            out.append(segment)
        else:
            out[-1:] = counted
    return out


def reading_segments(text: str) -> list[tuple[str, str | None]]:
    """Split ``text`` into (surface, hiragana reading or None); readings only on kanji.

    The surfaces joined give back ``text`` exactly.
    """
    if not _HAS_KANJI.search(text):
        return [(text, None)] if text else []
    extra = _extra()
    segments: list[Segment] = []
    position = 0
    if extra.pattern is not None:
        for match in extra.pattern.finditer(text):
            segments.extend(_tokenised_segments(text[position:match.start()]))
            segments.extend(_word_segments(match.group(), extra.readings[match.group()]))
            position = match.end()
    segments.extend(_tokenised_segments(text[position:]))
    return _merge_plain(_read_counters(_merge_plain(segments)))


# --- rendering -----------------------------------------------------------------------------------


def _ruby(base: str, reading: str) -> str:
    return f"<ruby>{base}<rp>(</rp><rt>{htmllib.escape(reading)}</rt><rp>)</rp></ruby>"


def _decode(raw: str) -> tuple[str, list[int]]:
    """Text of an HTML text node, and for each text offset the raw offset where the node may be cut
    there (-1 where it may not: inside a character reference such as ``&amp;``, which stays whole)."""
    parts: list[str] = []
    cuts: list[int] = []
    position = 0
    for match in _CHARREF.finditer(raw):
        cuts.extend(range(position, match.start()))
        parts.append(raw[position:match.start()])
        decoded = htmllib.unescape(match.group())
        if decoded:  # (a reference to an invalid code point decodes to nothing)
            cuts.append(match.start())
            cuts.extend([-1] * (len(decoded) - 1))
        parts.append(decoded)
        position = match.end()
    cuts.extend(range(position, len(raw) + 1))
    parts.append(raw[position:])
    return "".join(parts), cuts


def _annotate_raw_uncached(raw: str) -> str:
    if "&" in raw:
        text, cuts = _decode(raw)
    else:
        text, cuts = raw, None
    if not _HAS_KANJI.search(text):
        return raw
    out: list[str] = []
    raw_start = end = 0
    merged = 0  # segments since the last cut: more than one when a cut fell inside a reference
    for surface, reading in reading_segments(text):
        end += len(surface)
        merged += 1
        raw_end = end if cuts is None else cuts[end]
        if raw_end < 0:
            continue
        base = raw[raw_start:raw_end]
        out.append(_ruby(base, reading) if reading is not None and merged == 1 else base)
        raw_start, merged = raw_end, 0
    out.append(raw[raw_start:])
    return "".join(out)


@functools.lru_cache(maxsize=TEXT_CACHE_SIZE)
def _annotate_raw_cached(raw: str, fingerprint: str) -> str:
    return _annotate_raw_uncached(raw)


def _annotate_raw(raw: str) -> str:
    """Ruby markup inserted into the source of one text node; every other character kept as it is."""
    if len(raw) > TEXT_CACHE_MAX_CHARS:
        return _annotate_raw_uncached(raw)
    return _annotate_raw_cached(raw, _extra().fingerprint)


def annotate_text(text: str) -> str:
    """``text`` as escaped HTML, with ``<ruby>`` over its kanji words."""
    return _annotate_raw(htmllib.escape(text))


def clear_caches() -> None:
    """Forget annotated text nodes (the page cache expires on its own and is keyed by the readings)."""
    _annotate_raw_cached.cache_clear()


# --- documents -----------------------------------------------------------------------------------

#: Elements whose content is not annotated: not rendered as text, already annotated, or literal.
SKIP_ELEMENTS = frozenset({
    "head", "title", "script", "style", "template", "textarea", "select", "option", "optgroup", "datalist",
    "ruby", "rt", "rp", "code", "pre", "kbd", "samp", "svg", "math", "iframe", "noembed", "noframes", "xmp",
    "plaintext", "object",
})
VOID_ELEMENTS = frozenset({
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img", "input", "keygen",
    "link", "meta", "param", "source", "track", "wbr",
})
_HEAD_CONTENT = frozenset({"base", "link", "meta", "noscript", "script", "style", "template", "title"})
_FOREIGN = frozenset({"svg", "math"})
_NO_FURIGANA_CLASS = "no-furigana"


def _opts_out(tag: str, attrs: list[tuple[str, str | None]]) -> bool:
    if tag in SKIP_ELEMENTS:
        return True
    for name, value in attrs:
        if name == "translate" and (value or "").strip().lower() == "no":
            return True
        if name == "class" and _NO_FURIGANA_CLASS in (value or "").split():
            return True
    return False


class _TextNodeFinder(HTMLParser):
    """Finds the source spans of the text a reader sees, and their annotated replacements."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self.source = source
        self.edits: list[tuple[int, int, str]] = []
        self._line_starts = [0, *(match.end() for match in re.finditer("\n", source))]
        self._open: list[tuple[str, bool]] = []  # (tag, skipped) of the elements open here
        self._run_start = self._run_end = -1
        self._lost = False

    # Position bookkeeping.
    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def _skipping(self) -> bool:
        return self._lost or (bool(self._open) and self._open[-1][1])

    def _text(self, raw: str) -> None:
        start = self._offset()
        if self._skipping() or not self.source.startswith(raw, start):
            self.flush()
            return
        if start != self._run_end:
            self.flush()
            self._run_start = start
        self._run_end = start + len(raw)

    def flush(self) -> None:
        start, end = self._run_start, self._run_end
        self._run_start = self._run_end = -1
        if start < 0 or end <= start:
            return
        raw = self.source[start:end]
        annotated = _annotate_raw(raw)
        if annotated != raw:
            self.edits.append((start, end, annotated))

    # Text.
    def handle_data(self, data: str) -> None:
        if self.cdata_elem is None and _MARKUP_IN_TEXT.search(data):
            self.flush()
            self._lost = True
            return
        self._text(data)

    def handle_entityref(self, name: str) -> None:
        self._text(self._reference("&" + name))

    def handle_charref(self, name: str) -> None:
        self._text(self._reference("&#" + name))

    def _reference(self, text: str) -> str:
        end = self._offset() + len(text)
        return text + ";" if self.source.startswith(";", end) else text

    # Elements.
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.flush()
        if tag == "body" or (tag not in _HEAD_CONTENT and any(name == "head" for name, _ in self._open)):
            self._close("head")
        if tag in VOID_ELEMENTS:
            return
        self._open.append((tag, self._skipping() or _opts_out(tag, attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _FOREIGN or any(name in _FOREIGN for name, _ in self._open):
            self.flush()  # <svg/>, and <path/> inside SVG, are complete elements
            return
        self.handle_starttag(tag, attrs)  # <div/> in HTML opens a div

    def handle_endtag(self, tag: str) -> None:
        self.flush()
        self._close(tag)

    def _close(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                del self._open[index:]
                return

    # Everything else ends a text run.
    def handle_comment(self, data: str) -> None:
        self.flush()

    def handle_decl(self, decl: str) -> None:
        self.flush()

    def handle_pi(self, data: str) -> None:
        self.flush()

    def unknown_decl(self, data: str) -> None:
        self.flush()


def add_ruby(html: str) -> str:
    """``html`` with ruby over the kanji words of its visible text, byte for byte the same elsewhere.

    Never raises: on any error the document is returned unchanged (and a warning logged).
    """
    if not _HAS_KANJI.search(html) and "&#" not in html:
        return html
    try:
        finder = _TextNodeFinder(html)
        finder.feed(html)
        finder.close()
        finder.flush()
    except Exception:
        logger.warning("furigana: page left without ruby", exc_info=True)
        return html
    if not finder.edits:
        return html
    parts: list[str] = []
    position = 0
    for start, end, replacement in finder.edits:
        parts.append(html[position:start])
        parts.append(replacement)
        position = end
    parts.append(html[position:])
    return "".join(parts)


def page_cache_key(html: str) -> str:
    """Django cache key for the annotated form of ``html`` (depends on the registered readings too)."""
    digest = hashlib.sha256(_extra().fingerprint.encode("ascii"))
    digest.update(html.encode("utf-8", "surrogatepass"))
    return _PAGE_CACHE_PREFIX + digest.hexdigest()


def add_ruby_cached(html: str) -> str:
    """``add_ruby`` behind Django's cache: an identical page is annotated once an hour at most."""
    if len(html.encode("utf-8", "surrogatepass")) > PAGE_CACHE_MAX_BYTES:
        return add_ruby(html)
    from django.core.cache import cache

    key = page_cache_key(html)
    try:
        cached = cache.get(key)
    except Exception:
        logger.warning("furigana: page cache unavailable", exc_info=True)
        return add_ruby(html)
    if isinstance(cached, str):
        return html if cached == _UNCHANGED else cached
    annotated = add_ruby(html)
    try:
        cache.set(key, _UNCHANGED if annotated == html else annotated, PAGE_CACHE_TIMEOUT)
    except Exception:
        logger.warning("furigana: page cache unavailable", exc_info=True)
    return annotated
