"""Splitting a document's text into citable sections: 条例・規則・法令 at 条・項 (号 kept inside their 項), and
other documents (plans, FAQ, help pages) at their headings. Each section keeps its path (第3条第2項) and an anchor
for the citation URL."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from yakuba.kernel.search.text import number, section_terms, terms

from . import tables

LIMIT = 1200  # characters in one section of a plan or FAQ; a longer one is cut
TINY = 40  # a section of a plan shorter than this joins a neighbour under the same heading
HEADING_MAX = 40  # a plain line longer than this is a sentence, not a heading
DIGITS = frozenset("0123456789０１２３４５６７８９")  # not ① (NFKC makes it 1): ① … is a list item

# Patterns match the NFKC form of a line (full-width digits, spaces and brackets become ASCII); text is kept as is.
N = "[0-9〇一二三四五六七八九十百千]+"
ARTICLE_LINE = re.compile(rf"^第({N})条((?:の{N})*)(?:\s|$)")  # 第三条の二 この条例は…
ARTICLE_HEADING = re.compile(rf"^第({N})条((?:の{N})*)\s*(?:\(.*\))?$")  # ### 第3条の2 / ### 第1条(目的)
PARAGRAPH_LINE = re.compile(r"^(\d{1,3})\s+\S")  # ２ 前項の…
PARAGRAPH_HEADING = re.compile(rf"^第({N})項$")
ITEM_LINE = re.compile(r"^(?:([一二三四五六七八九十]+)\s+\S|\((\d{1,3})\))")  # 一 … / (1) …
ITEM_HEADING = re.compile(rf"^第({N})号$")
CAPTION = re.compile(r"^\([^()]{1,40}\)$")  # (目的)
CHAPTER = re.compile(rf"^第{N}[編章節款目](?:\s|$)")
SUPPLEMENTARY = re.compile(r"^附\s*則\s*(?:\(.*\))?\s*(?:抄)?$")
ENACTED = re.compile(r"^\(?(?:明治|大正|昭和|平成|令和).{0,30}第.{1,8}号\)?$")  # 令和2年3月19日条例第5号
MARKDOWN_HEADING = re.compile(r"^(#{1,6})[ \t\u3000]+(\S.*)$")
MARKDOWN_ARTICLE = re.compile(r"^#{1,6}[ \t\u3000]+第\S*条", re.MULTILINE)
# Headings of plans written as plain text, with their level: 第1章 above 1. above 【…】 above (1) and ■. In the
# seed plans 【方針1】 and ■現状と課題 sit under a numbered heading, so they rank below it.
KANA_KANJI = "\u3040-\u30ff\u3400-\u9fff"
CHAPTER_BAR = re.compile(r"^\d{1,2}\s*\|\s*[^|\s][^|]*$")  # 1 | なぜDXに取り組むのか (one bar: not a table row)
PLAIN_HEADINGS = (
    (re.compile(rf"^第{N}[部編章]"), 1),
    (CHAPTER_BAR, 1),
    (re.compile(rf"^第{N}節"), 2),
    (re.compile(r"^\d{1,2}(?:\.\d{1,2})+\.?\s+\S"), 3),  # 1.2 …
    (re.compile(r"^\d{1,2}(?:\s+|[.、](?!\d)\s*)\S"), 2),  # 1 はじめに / 1.計画の目的
    (re.compile(r"^【[^】]+】"), 3),
    # 方針 1-(1) 自治体のフロントヤード改革の推進 / 1-(2) … / 施策2-3 …; 方針4 …, 基本目標2 … (named numbers)
    (re.compile(rf"^[{KANA_KANJI}]{{0,6}}\s*\d{{1,2}}\s*-\s*\(?\d{{1,2}}\)?\s*[^\s\d)-]"), 3),
    (re.compile(r"^(?:基本)?(?:方針|目標|施策|重点施策|重点目標|取組|重点取組|政策)\s*\d{1,2}\s+\S"), 3),
    (re.compile(r"^\(\d{1,2}\)\s*\S"), 4),
    (re.compile(r"^[■◆]\s*\S"), 4),
    (re.compile(r"^No\.\s*\d{1,3}\s+\S", re.IGNORECASE), 4),  # No.1 SNS・ホームページの活用促進
)
# 取組項目① 行政事務の効率化, テーマ② …: a name and a circled number (matched on the line as written: NFKC makes ① 1).
NAMED_CIRCLED = re.compile(rf"^[{KANA_KANJI}]{{1,8}}[①-⑳][ \t\u3000]*[^\s：:]")
NAMED_CIRCLED_LEVEL = 4
ROMAN = re.compile(r"^[IVX]{1,4}\s*[-.．、]?\s+(?=\S)")  # I 背景・目的 (NFKC: Ⅱ is II)
NUMBERING = re.compile(r"^(?:\d{1,2}\s*\|\s*|\d{1,2}(?:\.\d{1,2})*[.、]?\s*|第\S{1,4}[部編章節]\s*)")
REPEAT_MIN = 4  # characters of a chapter title repeated without its number (a title page after the 目次)
SERIES = re.compile(r"^([^\s\d]{2,12})\s+\d{1,2}\.\s*[^\s\d]")  # 原則解説 1. …, 原則解説 2. …: a series of headings
SHARE = re.compile(r"\d\s*%\)?$")  # 「1. スマートフォン 51.3%」: a survey answer, not a heading


@dataclass(frozen=True)
class Section:
    path: str  # "第3条第2項", "第3条の2", "2 何を目指すのか？ > 1. 基本理念"; "" for a document's only section
    anchor: str  # URL fragment, unique within the document: "a3-2", "a3_2", "s4"
    text: str  # the section's own text (for a 項: its sentence and its 号)
    terms: tuple[str, ...] = ()  # extra search terms (yakuba.kernel.search.text.section_terms for legal sections)


def split(text: str, *, legal: bool, tables: bool = True) -> list[Section]:
    """Sections of `text` in order; never empty for a text with content, empty for a blank one. `tables`: a table's
    rows (and a list's answers) are sections of their own (tables.py); off for pages the platform writes itself."""
    reader = None
    if legal:
        reader = _read_markdown_law(text) if MARKDOWN_ARTICLE.search(text) else _read_statute(text)
        if not any(part.legal for part in reader.parts):
            reader = None  # no 条 at all: split at headings like any other document
    if reader is None:
        reader = _read_headings(text)
    return _sections(reader.parts, legal=legal, prefix_laws=len(set(reader.laws)) > 1, tables=tables)


@dataclass
class _Part:
    """A section as it is read: one 項 of a 条 (or of 附則), or the text under a chain of headings."""

    law: str = ""
    article: tuple[int, ...] = ()  # (3,) 第3条, (3, 2) 第3条の2; () outside any 条
    paragraph: int | None = None  # None: the unnumbered first 項
    suppl: bool = False  # 附則
    group: int = 0  # the parts of one 条 (or one 附則 without 条) share a group
    chain: tuple[str, ...] = ()  # headings above a part outside any 条
    lines: list[str] = field(default_factory=list)
    items: list[int] = field(default_factory=list)  # 号 numbers in this 項
    caption: str = ""  # the 条's caption （使用料）: in the first 項's text, in the terms of the others

    @property
    def legal(self) -> bool:
        return bool(self.article) or self.suppl

    @property
    def text(self) -> str:
        text = "\n".join(line.rstrip() for line in self.lines).strip("\n")
        return re.sub(r"\n{3,}", "\n\n", text)


class _Reader:
    """Collects parts while a document is read line by line: a 条, a 項, 附則 or a heading starts a new part."""

    def __init__(self) -> None:
        self.parts: list[_Part] = []
        self.laws: list[str] = []
        self.chain: list[tuple[int, str]] = []
        self.groups = 0
        self.level = 0  # Markdown level of the current 条 (or 附則) heading
        self.suppl = False

    @property
    def in_article(self) -> bool:
        return bool(self.parts) and self.parts[-1].legal

    def law(self, level: int, name: str) -> None:
        self.laws.append(name)
        self.suppl = False
        self.chain = [(level, name)]
        self._start(_Part(chain=(name,)))

    def heading(self, level: int, title: str) -> None:
        self.suppl = False
        while self.chain and self.chain[-1][0] >= level:
            self.chain.pop()
        self.chain.append((level, title))
        self._start(_Part(chain=tuple(title for _, title in self.chain)))

    def article(self, numbers: tuple[int, ...], lines: list[str], level: int = 0) -> None:
        self.groups += 1
        self.level = level
        caption = next((line.strip() for line in lines if re.fullmatch(r"[（(][^）)]{1,40}[）)]", line.strip())), "")
        self._start(_Part(article=numbers, suppl=self.suppl, group=self.groups, caption=caption))
        self.parts[-1].lines.extend(lines)

    def supplementary(self, level: int = 0) -> None:
        self.groups += 1
        self.level = level
        self.suppl = True
        self._start(_Part(suppl=True, group=self.groups))

    def paragraph(self, paragraph: int) -> None:
        current = self.parts[-1]
        self._start(_Part(article=current.article, suppl=current.suppl, group=current.group, paragraph=paragraph,
                          caption=current.caption))

    def expects(self, paragraph: int) -> bool:
        """Whether a line numbered `paragraph` starts the next 項 (２ after the first; １ first in 附則)."""
        if not self.in_article:
            return False
        current = self.parts[-1]
        if paragraph == 1:
            return current.suppl and not current.article and current.paragraph is None and not current.text
        return paragraph == (current.paragraph or 1) + 1

    def line(self, text: str, item: int | None = None) -> None:
        if not self.parts:
            self._start(_Part(chain=tuple(title for _, title in self.chain)))
        self.parts[-1].lines.append(text)
        if item and self.in_article:
            self.parts[-1].items.append(item)

    def _start(self, part: _Part) -> None:
        part.law = self.laws[-1] if self.laws else ""
        self.parts.append(part)


def _nfkc(line: str) -> str:
    return unicodedata.normalize("NFKC", line).strip()


def _numbers(match: re.Match[str]) -> tuple[int, ...]:
    """第3条の2 → (3, 2)."""
    return (number(match.group(1)), *(number(branch) for branch in re.findall(N, match.group(2))))


def _item(norm: str) -> int | None:
    match = ITEM_LINE.match(norm)
    return number(match.group(1) or match.group(2)) if match else None


# Readers -----------------------------------------------------------------------------------------------------------

def _read_statute(text: str) -> _Reader:
    """A statute as printed: 第一条 lines, ２ for the second 項, 一 for 号, （目的） captions, 附則."""
    reader = _Reader()
    lines = text.split("\n")
    norms = [_nfkc(line) for line in lines]
    captions = _captions(norms)
    front: list[str] | None = []  # lines before the first 条; None once it is read
    held: list[str] = []  # a caption waiting for its 条
    for raw, norm, caption in zip(lines, norms, captions, strict=True):
        article = ARTICLE_LINE.match(norm)
        if caption:
            held.append(raw)
        elif article:
            if front is not None:
                for line in _preface(front):
                    reader.line(line)
                front = None
            reader.article(_numbers(article), [*held, raw])
            held = []
        elif front is not None:
            front.append(raw)
        elif norm or not held:  # a blank line between a caption and its 条 is dropped
            _statute_line(reader, raw, norm)
    return reader


def _statute_line(reader: _Reader, raw: str, norm: str) -> None:
    paragraph = PARAGRAPH_LINE.match(norm)
    if CHAPTER.match(norm):
        return  # 章・節 are no sections; their name is not part of any 項
    if SUPPLEMENTARY.match(norm):
        reader.supplementary()
    elif paragraph and reader.expects(int(paragraph.group(1))):
        reader.paragraph(int(paragraph.group(1)))
        reader.line(raw)
    else:
        reader.line(raw, _item(norm))


def _captions(norms: list[str]) -> list[bool]:
    """Which lines are captions: （目的） just before a 条 line."""
    found = [False] * len(norms)
    for index, norm in enumerate(norms):
        if CAPTION.match(norm):
            following = next((norms[j] for j in range(index + 1, len(norms)) if norms[j]), "")
            found[index] = bool(ARTICLE_LINE.match(following))
    return found


def _preface(lines: list[str]) -> list[str]:
    """The 前文 among the lines before the first 条, without the title, 目次, 章 names and the enactment line;
    nothing if no sentence is left."""
    body = [line for line in lines if line.strip()][1:]
    body = [line for line in body if not _front_matter(_nfkc(line))]
    prose = any(_nfkc(line).endswith("。") or len(_nfkc(line)) > HEADING_MAX for line in body)
    return body if prose else []


def _front_matter(norm: str) -> bool:
    return norm == "目次" or bool(CHAPTER.match(norm) or SUPPLEMENTARY.match(norm) or ENACTED.match(norm))


def _read_markdown_law(text: str) -> _Reader:
    """Laws as in the Digital Agency's lawqa set: ## 法令名, ### 第N条, #### 第N項, ##### 第N号."""
    reader = _Reader()
    for raw in text.split("\n"):
        heading = MARKDOWN_HEADING.match(raw)
        if heading:
            _markdown_heading(reader, len(heading.group(1)), heading.group(2).strip())
        else:
            reader.line(raw, _item(_nfkc(raw)))
    return reader


def _markdown_heading(reader: _Reader, level: int, title: str) -> None:
    norm = _nfkc(title)
    article, paragraph, item = ARTICLE_HEADING.match(norm), PARAGRAPH_HEADING.match(norm), ITEM_HEADING.match(norm)
    if article:
        caption = re.search(r"[（(].*", title)
        reader.article(_numbers(article), [caption.group()] if caption else [], level)
    elif reader.in_article and paragraph:
        reader.paragraph(number(paragraph.group(1)))
    elif reader.in_article and item:
        reader.line(title, number(item.group(1)))
    elif SUPPLEMENTARY.match(norm):
        reader.supplementary(level)
    elif reader.in_article and level > reader.level:
        reader.line(title)  # イ, ロ or a table under a 号: part of the 項
    elif level <= 2 and not CHAPTER.match(norm):
        reader.law(level, title)
    else:
        reader.heading(level, title)


def _read_headings(text: str) -> _Reader:
    """Any document: Markdown headings, or plan-style heading lines (第1章, 1., (1), 【…】, ■, 方針1-(1), 取組項目①),
    and a chapter's title repeated without its number (after a 目次: 「なぜDXに取り組むのか？」 for 「1 | なぜDX…」)."""
    reader = _Reader()
    lines = text.split("\n")
    headings = [_heading(raw) for raw in lines]
    series = Counter(match.group(1) for raw in lines if (match := SERIES.match(_nfkc(raw))))
    titles: dict[str, tuple[int, str]] = {}
    numbered: dict[str, tuple[int, str]] = {}  # every numbered title, for 「I 背景・目的」 before 「1 背景・目的」
    for heading in headings:
        _number_title(heading, numbered)
    for raw, heading in zip(lines, headings, strict=True):
        heading = heading or _repeated_title(raw, titles, numbered) or _series(raw, series)
        _number_title(heading, titles)
        if heading:
            reader.heading(*heading)
        else:
            reader.line(raw)
    return reader


def _heading(line: str) -> tuple[int, str] | None:
    markdown = MARKDOWN_HEADING.match(line)
    if markdown:
        return len(markdown.group(1)), markdown.group(2).strip()
    norm = _nfkc(line)
    longest = HEADING_MAX * 2 if CHAPTER_BAR.match(norm) else HEADING_MAX  # 「4 | …～進めるコツ・…～」 is a chapter
    if (not norm or len(norm) > longest or norm.endswith("。") or "\t" in line or norm.count("|") >= 2
            or SHARE.search(norm)):
        return None  # a sentence, a table row, a survey answer with its share
    if norm[0].isdigit() and line.strip()[0] not in DIGITS:
        return None
    if NAMED_CIRCLED.match(line.strip()):
        return NAMED_CIRCLED_LEVEL, " ".join(line.split())
    level = next((level for pattern, level in PLAIN_HEADINGS if pattern.match(norm)), None)
    return (level, " ".join(line.split())) if level else None


def _number_title(heading: tuple[int, str] | None, titles: dict[str, tuple[int, str]]) -> None:
    """Keep a chapter or section heading with a number (level 1 and 2) by its title without it (the first seen)."""
    if heading and heading[0] <= 2:
        bare = _bare(heading[1])
        if bare != _nfkc(heading[1]) and len(bare) >= REPEAT_MIN:
            titles.setdefault(bare, heading)


def _series(line: str, series: Counter[str]) -> tuple[int, str] | None:
    """「DX推進の原則解説 1. 町民目線をいちばんに考える（…）」: a name and a number repeated on several lines."""
    norm = _nfkc(line)
    match = SERIES.match(norm)
    if match and series[match.group(1)] >= 2 and len(norm) <= HEADING_MAX * 2 and not norm.endswith("。"):
        return 2, " ".join(line.split())
    return None


def _repeated_title(line: str, titles: dict[str, tuple[int, str]],
                    numbered: dict[str, tuple[int, str]]) -> tuple[int, str] | None:
    """A plain line that is the title of a numbered heading above it, alone (a chapter's title page after the 目次):
    that heading again; or a numbered heading's title with a Roman number (「I 背景・目的」 and 「1 背景・目的」): a
    heading at its level."""
    norm = _nfkc(line)
    if not norm or len(norm) > HEADING_MAX * 2 or "\t" in line:
        return None
    if norm in titles:
        return titles[norm]
    roman = ROMAN.match(norm)
    if roman and norm[roman.end():] in numbered:
        return numbered[norm[roman.end():]][0], " ".join(line.split())
    return None


def _bare(title: str) -> str:
    return " ".join(NUMBERING.sub("", _nfkc(title), count=1).split())


# Sections ----------------------------------------------------------------------------------------------------------

def _sections(parts: list[_Part], *, legal: bool, prefix_laws: bool, tables: bool = True) -> list[Section]:
    parts = _merge_tiny(_join_same([part for part in parts if part.text]))
    _number_first_paragraphs(parts)
    sections: list[Section] = []
    used: set[str] = set()
    counter = 1
    for part in parts:
        if part.legal:
            path = f"{part.law} {_legal_path(part)}" if prefix_laws and part.law else _legal_path(part)
            sections.append(Section(path, _unique(_legal_anchor(part), used), part.text, _terms(part)))
            continue
        if legal and not part.chain:
            base = "s0"  # a statute's 前文
        else:
            base, counter = f"s{counter}", counter + 1
        pieces = _pieces(part) if tables else [(piece, ()) for piece in _cut(part.text)]
        for index, (piece, words) in enumerate(pieces):
            anchor = _unique(f"{base}-{index + 1}" if index else base, used)
            sections.append(Section(" > ".join(part.chain), anchor, piece, words))
    return sections


def _pieces(part: _Part) -> list[tuple[str, tuple[str, ...]]]:
    """The texts of a part's sections in order, with their extra terms: its prose cut to LIMIT, and a passage for
    each row of its tables (tables.py: 「見出し：値」 rows under the table's caption; the words for what the table
    holds, 目標 or スケジュール, as terms)."""
    pieces: list[tuple[str, tuple[str, ...]]] = []
    for segment in tables.read(part.lines):
        if isinstance(segment, tables.Table):
            words = tuple(dict.fromkeys(term for word in segment.words for term in terms(word)))
            pieces.extend((cut, words) for passage in segment.passages(LIMIT) for cut in _cut(passage))
        else:
            pieces.extend((cut, ()) for cut in _cut(segment))
    return pieces


def _join_same(parts: list[_Part]) -> list[_Part]:
    """One part for consecutive parts under the same headings (a slide title repeated on every page)."""
    joined: list[_Part] = []
    for part in parts:
        previous = joined[-1] if joined else None
        if previous and not previous.legal and not part.legal and previous.chain == part.chain:
            previous.lines.extend(["", *part.lines])
        else:
            joined.append(part)
    return joined


def _merge_tiny(parts: list[_Part]) -> list[_Part]:
    """A part shorter than TINY joins the previous part under the same parent heading (or that parent), else the
    next one under the same parent (or its own first subheading); its heading becomes a line of the text."""
    kept: list[_Part] = []
    for part in parts:
        previous = kept[-1] if kept else None
        parent = part.chain[:-1]
        if (previous and part.chain and _tiny(part) and _generic(previous)
                and parent in (previous.chain, previous.chain[:-1])):
            previous.lines.extend(["", part.chain[-1], *part.lines])
        else:
            kept.append(part)
    merged: list[_Part] = []
    for part in reversed(kept):
        following = merged[-1] if merged else None
        lead = _lead(part, following) if following and _tiny(part) and _generic(following) else None
        if following and lead:
            following.lines[:0] = lead
        else:
            merged.append(part)
    return merged[::-1]


def _lead(part: _Part, following: _Part) -> list[str] | None:
    """The lines a tiny part puts in front of the next one: its text under the next one's heading, or its heading
    and text before a sibling; None if they are not that close."""
    if following.chain[:len(part.chain)] == part.chain:
        return [*part.lines, ""]
    if part.chain and following.chain[:-1] == part.chain[:-1]:
        return [part.chain[-1], *part.lines, ""]
    return None


def _tiny(part: _Part) -> bool:
    return not part.legal and len(part.text) < TINY


def _generic(part: _Part) -> bool:
    return not part.legal and bool(part.chain)


def _cut(text: str, limit: int = LIMIT) -> list[str]:
    """`text` in pieces of at most `limit` characters, cut at blank lines, else line ends, else after 。."""
    if len(text) <= limit:
        return [text]
    for separator in ("\n\n", "\n", "。"):
        units = [unit + separator for unit in text.split(separator)]
        units[-1] = units[-1][:-len(separator)]
        if len(units) > 1:
            break
    else:
        return [text[start:start + limit] for start in range(0, len(text), limit)]
    pieces = [""]
    for unit in units:
        if pieces[-1] and len(pieces[-1]) + len(unit) > limit:
            pieces.append("")
        pieces[-1] += unit
    return [cut for piece in pieces if piece.strip() for cut in _cut(piece.strip(), limit)]


def _number_first_paragraphs(parts: list[_Part]) -> None:
    """An unnumbered first 項 is 第1項 when its 条 has others; alone, its section is the whole 条 (第3条)."""
    sizes = Counter(part.group for part in parts if part.legal)
    for part in parts:
        if part.legal and part.paragraph is None and sizes[part.group] > 1:
            part.paragraph = 1


def _legal_path(part: _Part) -> str:
    """附則第2条第3項, 第3条の2第1項, 第5条."""
    article = ""
    if part.article:
        first, *branches = part.article
        article = f"第{first}条" + "".join(f"の{branch}" for branch in branches)
    paragraph = f"第{part.paragraph}項" if part.paragraph else ""
    return ("附則" if part.suppl else "") + article + paragraph


def _legal_anchor(part: _Part) -> str:
    """a3-2 (第3条第2項), a3_2-1 (第3条の2第1項), a5 (第5条), suppl, suppl-2 (附則第2項), suppl-a1 (附則第1条)."""
    names = ["suppl"] if part.suppl else []
    if part.article:
        names.append("a" + "_".join(str(n) for n in part.article))
    if part.paragraph:
        names.append(str(part.paragraph))
    return "-".join(names)


def _terms(part: _Part) -> tuple[str, ...]:
    """section_terms of the 項 and of each of its 号; none for 附則 (a citation of 第2条 means the main text)."""
    if part.suppl:
        return ()
    article, *branches = part.article
    branch = branches[0] if branches else None
    found = section_terms(article, branch, part.paragraph)
    for item in part.items:
        found += section_terms(article, branch, part.paragraph or 1, item)
    if len(branches) > 1:  # 第3条の4の2: section_terms knows one branch; write the others in
        short, full = f"条{article}の{branch}", "条" + "の".join(str(n) for n in part.article)
        found = [full + term[len(short):] for term in found]
    if part.caption and part.caption not in part.text:  # the caption names the whole 条, not only its first 項
        found += terms(part.caption)
    return tuple(dict.fromkeys(found))


def _unique(anchor: str, used: set[str]) -> str:
    found, count = anchor, 1
    while found in used:
        count += 1
        found = f"{anchor}-{count}"
    used.add(found)
    return found
