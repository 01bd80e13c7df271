"""Japanese text into search terms: NFKC, MeCab (fugashi + unidic-lite) lemmas of content words, compounds of
adjacent nouns, synonyms folded to one term, and citation terms for 第N条第M項第K号 written in any numerals."""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .synonyms import EXPANSIONS, canonical

# Parts of speech that carry no meaning for search (particles, auxiliaries, symbols, blanks).
SKIP_POS = frozenset({"助詞", "助動詞", "補助記号", "記号", "空白"})
# Lemmas too common to tell passages apart (する, ある, いる, なる, こと, もの, …).
STOP = frozenset({
    "為る", "有る", "居る", "成る", "事", "物", "其の", "此の", "等", "又", "及び", "若しくは", "並びに", "又は",
    "出来る", "為", "所", "様", "よう", "もの", "こと", "ため", "とき", "場合", "これ", "それ", "その", "この",
    "教える", "下さる", "ください", "何", "どう", "どの", "どこ", "いつ", "方", "的", "について", "貰う", "くれる",
    "思う", "知る", "分かる", "言う", "御", "お", "ご", "？", "?", "第", "条", "項", "号", "何曜", "何曜日",
})
WEEKDAY = "曜日"  # also indexed for 月曜…日曜, so that 「何曜日？」 finds 「月曜日と木曜日」
# Words that end a compound: 第5条 is a citation (see citation_terms), not part of a name.
BREAKS = frozenset({"第", "条", "項", "号", "章", "節", "款", "目"})
KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}
NUMBER = r"[0-9〇零一二三四五六七八九十百千]+"
CITATION = re.compile(rf"第({NUMBER})条(?:の({NUMBER}))?(?:第({NUMBER})項)?(?:第({NUMBER})号)?")

_local = threading.local()


def tagger() -> Any:
    """One MeCab tagger per thread (a tagger is not thread-safe; building one reads the dictionary)."""
    found = getattr(_local, "tagger", None)
    if found is None:
        import fugashi  # type: ignore[import-untyped, unused-ignore]

        found = _local.tagger = fugashi.Tagger()
    return found


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def number(text: str) -> int:
    """A number written in Arabic or kanji numerals (十二 → 12, 百五 → 105, 二〇 → 20)."""
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for char in text:
        if char in KANJI_DIGITS:
            current = current * 10 + KANJI_DIGITS[char]
        elif char in KANJI_UNITS:
            total += (current or 1) * KANJI_UNITS[char]
            current = 0
    return total + current


def section_terms(article: int, branch: int | None = None, paragraph: int | None = None,
                  item: int | None = None) -> list[str]:
    """Terms that name a place in a statute: 第5条 → 条5; 第5条第6項 → 条5, 条5-6; 第5条の2 → 条5の2."""
    base = f"条{article}" + (f"の{branch}" if branch else "")
    terms = [base]
    if paragraph:
        terms.append(f"{base}-{paragraph}")
        if item:
            terms.append(f"{base}-{paragraph}-{item}")
    elif item:
        terms.append(f"{base}-1-{item}")
    return terms


def citation_terms(text: str) -> list[str]:
    terms: list[str] = []
    for match in CITATION.finditer(unicodedata.normalize("NFKC", text)):
        article, branch, paragraph, item = (number(g) if g else None for g in match.groups())
        assert article is not None
        terms.extend(section_terms(article, branch, paragraph, item))
    return terms


@dataclass(frozen=True)
class Token:
    term: str  # what is indexed (lemma, folded)
    start: int  # span in the normalised text
    end: int


def _lemma(node: Any) -> str:
    lemma = node.feature.lemma if len(node.feature) > 7 else None
    if not lemma or node.feature.pos2 == "固有名詞":
        lemma = node.surface  # proper nouns' lemmas are readings (下仁田 → シモニタ)
    return lemma.split("-", 1)[0]


def tokens_with_spans(text: str) -> Iterator[Token]:
    """Content words of `text` (already normalised) with their spans; adjacent nouns also as one compound."""
    position = 0
    run: list[Token] = []
    for node in tagger()(text):
        surface = node.surface
        start = text.find(surface, position) if surface else position
        if start < 0:
            start = position
        end = start + len(surface)
        position = end
        pos1 = node.feature.pos1
        if pos1 in SKIP_POS:
            yield from _compound(run)
            run = []
            continue
        term = canonical(_lemma(node))
        token = Token(term, start, end)
        if pos1 in ("名詞", "接頭辞", "接尾辞") and node.feature.pos2 != "数詞" and term not in BREAKS:
            run.append(token)
        else:
            yield from _compound(run)
            run = []
        if term and term not in STOP and pos1 not in ("接頭辞", "接尾辞"):
            yield token
        if len(term) == 2 and term[1] == "曜":
            yield Token(WEEKDAY, start, end)
        for word in EXPANSIONS.get(term, ()):
            yield Token(canonical(word), start, end)
    yield from _compound(run)


def _compound(run: list[Token]) -> Iterator[Token]:
    if len(run) < 2:
        return
    term = canonical("".join(t.term for t in run))
    if term not in STOP:
        yield Token(term, run[0].start, run[-1].end)


def terms(text: str) -> list[str]:
    """The search terms of a passage or a query."""
    normalised = normalise(text)
    return [t.term for t in tokens_with_spans(normalised)] + citation_terms(normalised)


def highlight_spans(text: str, wanted: set[str]) -> list[tuple[int, int]]:
    """Spans of `text` whose term is one of `wanted` (NFKC keeps lengths for Japanese text in practice; spans are
    clipped to the text and merged)."""
    normalised = normalise(text)
    if len(normalised) != len(text):
        return []  # a character whose NFKC form has another length (e.g. ㍻): better no marks than wrong ones
    spans = sorted((t.start, t.end) for t in tokens_with_spans(normalised) if t.term in wanted)
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
