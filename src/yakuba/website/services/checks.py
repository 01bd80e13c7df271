"""アクセシビリティ点検: the checks a page's content must pass before it is sent for approval (errors) or should pass
(warnings), per JIS X 8341-3:2016 (WCAG 2.0 AA), the Digital Agency's 「ウェブアクセシビリティ導入ガイドブック」 and the
checks common to 自治体 CMSs. One set of rules reads two inputs: a version's blocks (`check_version`, the editor and
the town's report) and any HTML (`check_html`, a page saved from the old site, before it is imported).

Both are turned into the same small list of things a reader meets (headings, images, links, tables, prose, files);
each rule reads that list, so an imported page and a written one are held to the same words.

機種依存文字 are warnings, not errors: the site is served in UTF-8 and every current browser shows ① or ㈱, so no one
is kept from the content; what remains is that screen readers read them inconsistently (㍻, ㈱, ①) and that they
garble when copied into Shift_JIS systems (mail, old forms), which the warning names with the replacement."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from yakuba.kernel.ui import richtext

from .. import blocks as page_blocks

ERROR = "error"  # blocks sending for approval
WARNING = "warning"  # shown, the author decides

PDF_SUGGESTION_MAX = 20_000  # characters of a PDF's text offered as the page's text
LONG_LINK = 80  # characters: a link read aloud longer than this is a sentence, not a name


@dataclass(frozen=True)
class AssetInfo:
    """What the checks need of a file a block names."""

    content_type: str
    name: str = ""
    text: str = ""  # a PDF's text (Asset.text)


@dataclass(frozen=True)
class Finding:
    """One problem: `code` names the rule, `block` the block at fault (0-based, None for the page) and `field` the
    part of it (“alt”, “html”, “title” …). `suggestion` is text the editor may offer (the PDF's text …)."""

    code: str
    severity: str
    message: str
    block: int | None = None
    field: str = ""
    suggestion: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


# What a reader meets -------------------------------------------------------------------------------------------------

@dataclass
class _Heading:
    level: int
    text: str
    block: int | None


@dataclass
class _Image:
    alt: str | None  # None: no alt at all
    decorative: bool
    name: str  # the file's name (or src)
    block: int | None


@dataclass
class _Link:
    text: str
    url: str
    block: int | None


@dataclass
class _Table:
    has_th: bool
    has_caption: bool
    block: int | None


@dataclass
class _Prose:
    text: str
    block: int | None
    field: str


@dataclass
class _Content:
    headings: list[_Heading] = field(default_factory=list)
    images: list[_Image] = field(default_factory=list)
    links: list[_Link] = field(default_factory=list)
    tables: list[_Table] = field(default_factory=list)
    prose: list[_Prose] = field(default_factory=list)
    files: list[tuple[int | None, AssetInfo | None]] = field(default_factory=list)
    has_body_text: bool = False
    first_heading_levels: tuple[int, ...] = (2,)


# Words ---------------------------------------------------------------------------------------------------------------

# Link words that say nothing when a screen reader lists the page's links (WCAG 2.4.4).
VAGUE_LINKS = frozenset({
    "こちら", "ここ", "クリック", "ここをクリック", "こちらをクリック", "詳細", "詳しく", "詳しくはこちら",
    "詳細はこちら",
    "詳細を見る", "もっと見る", "続き", "続きを読む", "リンク", "このページ", "click here", "click", "here", "more",
    "read more", "more info", "details", "link", "this page",
})
VAGUE_ALT = frozenset({"画像", "写真", "図", "イメージ", "image", "photo", "picture", "img", "icon", "アイコン",
                       "画像1",
                       "写真1", "no image", "spacer"})
_FILE_NAME = re.compile(r"^[\w\-. ()]+\.(jpe?g|png|gif|webp|svg|bmp|heic|tiff?)$", re.IGNORECASE)
_PUNCT = " \t\r\n　。、.,:：!！?？»›>＞→←<＜「」『』()（）[]［］【】"

_CJK = "ぁ-んァ-ヶー一-龥々〆"
# 「お　知　ら　せ」「住　所」: letters of one word spread with spaces for layout (read one by one aloud).
_SPACED = re.compile(rf"(?<![{_CJK}])[{_CJK}](?:[ 　]+[{_CJK}]){{1,}}(?![{_CJK}])")
_COLOUR_WORD = r"(?:赤|青|緑|黄|黄色|橙|オレンジ|ピンク|紫|水色|灰|灰色|グレー)"
# Text that gives meaning by colour alone (WCAG 1.4.1): 「赤字の部分」「青い部分」「赤色で示した」「色の付いた欄」.
_COLOUR = re.compile(
    rf"(?:{_COLOUR_WORD}(?:色|字|文字)?(?:い|の|で|く)?"
    r"(?:部分|箇所|個所|欄|項目|セル|枠|マーク|印|太字|ところ|日付|日|線|示し|示す|示され|示した|表示|表記|記載|囲|塗))"
    rf"|{_COLOUR_WORD}(?:い|の|色の)(?:文字|字)"
    r"|色(?:の|が)?(?:付い|つい|ついて|付き|つき)|色分け|色の(?:違う|異なる|濃い|薄い)")
_COLOUR_FALSE = re.compile(r"青色申告|赤い羽根|黄色い(?:帽子|旗|ハンカチ)|赤字(?:決算|財政|経営|路線|額)|白黒")
_SHOUT = re.compile(r"\b[A-Z]{2,}(?:\s+[A-Z]{2,}){2,}\b")
_HALF_KANA = re.compile(r"[\uff61-\uff9f]+")
_CIRCLED = {chr(0x2460 + n): f"({n + 1})" for n in range(20)}


@cache
def dependent_characters() -> frozenset[str]:
    """機種依存文字: characters Windows' Shift_JIS (cp932) has and JIS X 0208 lacks: the NEC special characters (row 13:
    ①, Ⅰ, ㈱, ㍻, ㎝ …), the NEC-selected and IBM extensions (ⅰ, ￤, 髙, 﨑 …)."""
    found = set()
    for lead in (0x87, 0xED, 0xEE, 0xFA, 0xFB, 0xFC):
        for trail in range(0x40, 0xFD):
            try:
                char = bytes((lead, trail)).decode("cp932")
            except UnicodeDecodeError:
                continue
            if char.encode("cp932")[0] in (0x87, 0xED, 0xEE, 0xFA, 0xFB, 0xFC):  # not a JIS X 0208 duplicate
                found.add(char)
    return frozenset(found)


def replacement(char: str) -> str:
    """What to write instead: ① → (1), ㈱ → (株), ㍻ → 平成, ㎝ → cm, ｶ → カ; "" when there is none (髙)."""
    if char in _CIRCLED:
        return _CIRCLED[char]
    normal = unicodedata.normalize("NFKC", char)
    return "" if normal == char else normal


def _link_words(text: str) -> str:
    return " ".join(text.strip(_PUNCT).split()).lower()


# Reading blocks ------------------------------------------------------------------------------------------------------

_A = re.compile(r"<a\b[^>]*?href=\"([^\"]*)\"[^>]*>(.*?)</a>", re.IGNORECASE | re.DOTALL)
_H = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1>", re.IGNORECASE | re.DOTALL)
_TABLE = re.compile(r"<table\b.*?</table>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def _rich(content: _Content, html: str, index: int, name: str) -> None:
    """A sanitised rich-text field (nh3 output: well-formed, attributes quoted): its links, tables and prose."""
    import html as html_lib

    for level, inner in _H.findall(html):  # sub-headings (h3, h4) inside rich text: part of the page's outline
        content.headings.append(_Heading(int(level), html_lib.unescape(_TAG.sub("", inner)).strip(), index))
    for href, inner in _A.findall(html):
        content.links.append(_Link(html_lib.unescape(_TAG.sub("", inner)), html_lib.unescape(href), index))
    for table in _TABLE.findall(html):
        content.tables.append(_Table("<th" in table.lower(), "<caption" in table.lower(), index))
    text = richtext.plain_text(html)
    if text:
        content.has_body_text = True
        content.prose.append(_Prose(text, index, name))


def _from_blocks(title: str, items: list[page_blocks.Block], assets: Mapping[str, AssetInfo],
                 details: Mapping[str, Any]) -> _Content:
    content = _Content()
    content.prose.append(_Prose(title, None, "title"))
    for index, block in enumerate(items):
        kind = block.kind
        if kind == "heading":
            content.headings.append(_Heading(int(block.get("level", 2)), block.get("text"), index))
            content.prose.append(_Prose(block.get("text"), index, "text"))
        elif kind == "text":
            _rich(content, block.get("html"), index, "html")
        elif kind == "faq":
            content.headings.append(_Heading(2, block.get("question"), index))  # rendered as an h2
            content.prose.append(_Prose(block.get("question"), index, "question"))
            _rich(content, block.get("answer"), index, "answer")
        elif kind == "image":
            asset = assets.get(block.get("asset"))
            content.images.append(_Image(block.get("alt") or None, bool(block.get("decorative")),
                                         asset.name if asset else "", index))
            if block.get("caption"):
                content.prose.append(_Prose(block.get("caption"), index, "caption"))
        elif kind == "link":
            content.links.append(_Link(block.get("text"), block.get("url"), index))
        elif kind == "file":
            content.links.append(_Link(block.get("label"), f"asset:{block.get('asset')}", index))
            content.files.append((index, assets.get(block.get("asset"))))
        elif kind == "map":
            content.prose.append(_Prose(block.get("label"), index, "label"))
    for name, value in _strings(details):
        content.prose.append(_Prose(value, None, f"details.{name}"))
    return content


def _strings(details: Mapping[str, Any], prefix: str = "") -> Iterable[tuple[str, str]]:
    for key, value in details.items():
        if isinstance(value, str):
            yield f"{prefix}{key}", value
        elif isinstance(value, Mapping):
            yield from _strings(value, f"{prefix}{key}.")
        elif isinstance(value, list):
            for n, item in enumerate(value):
                if isinstance(item, str):
                    yield f"{prefix}{key}.{n}", item
                elif isinstance(item, Mapping):
                    yield from _strings(item, f"{prefix}{key}.{n}.")


# Reading HTML --------------------------------------------------------------------------------------------------------

_DROPPED = ("script", "style", "noscript", "template")
_BLOCKISH = frozenset({"p", "div", "li", "td", "th", "dd", "dt", "section", "article", "main", "blockquote", "pre",
                       "caption", "figcaption", "address"})


def _from_html(html: str) -> _Content:  # noqa: C901 - one branch per element a reader meets
    import lxml.html
    from lxml import etree

    content = _Content(first_heading_levels=(1, 2))
    source = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)
    if not source.strip():
        return content
    try:
        root = lxml.html.fromstring(source)
    except (etree.LxmlError, ValueError):
        return content
    for element in list(root.iter(*_DROPPED)):
        element.drop_tree()
    body = root.find(".//body")
    root = body if body is not None else root
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            content.headings.append(_Heading(int(tag[1]), " ".join(element.text_content().split()), None))
        elif tag == "img":
            alt = element.get("alt")
            content.images.append(_Image(alt, alt is not None and not alt.strip(),
                                         Path(element.get("src") or "").name, None))
        elif tag == "a" and element.get("href") is not None:
            words = " ".join(element.text_content().split()) or " ".join(
                img.get("alt") or "" for img in element.iter("img")).strip()
            content.links.append(_Link(words, element.get("href") or "", None))
        elif tag == "table":
            content.tables.append(_Table(bool(element.findall(".//th")), element.find(".//caption") is not None,
                                         None))
    text = "\n".join(line for line in _lines(root) if line)
    if text:
        content.has_body_text = True
        content.prose.append(_Prose(text, None, "html"))
    return content


def _lines(root: Any) -> Iterable[str]:
    """The text of the page, one line per block element (so words in two cells never join into one)."""
    parts: list[str] = []

    def walk(element: Any) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in _BLOCKISH or (tag and tag[0] == "h" and tag[1:].isdigit()) or tag == "br":
            parts.append("\n")
        if tag and element.text:
            parts.append(element.text)
        for child in element:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if tag in _BLOCKISH:
            parts.append("\n")

    walk(root)
    return (line.strip() for line in "".join(parts).split("\n"))


# Rules ---------------------------------------------------------------------------------------------------------------

def _images(content: _Content) -> Iterable[Finding]:
    for image in content.images:
        if image.decorative:
            continue
        alt = (image.alt or "").strip()
        if not alt:
            yield Finding("image-alt", ERROR, _(
                "画像に代替テキストがありません。画像が伝える内容を代替テキストに書いてください"
                "（飾りだけの画像なら「飾りの画像で、伝える内容はない」にチェックを付けてください）。"),
                image.block, "alt")
        elif alt.lower() in VAGUE_ALT or _FILE_NAME.match(alt) or (image.name and alt == image.name):
            yield Finding("image-alt-vague", WARNING, _(
                "代替テキスト「%(alt)s」では画像の内容が伝わりません。何が写っているか、何を示す図かを書いてください。")
                % {"alt": alt}, image.block, "alt")


def _headings(content: _Content) -> Iterable[Finding]:
    previous: int | None = None
    for heading in content.headings:
        if not heading.text.strip():
            yield Finding("heading-empty", ERROR, _(
                "見出しが空です。見出しの言葉を入力するか、見出しを削除してください。"), heading.block, "text")
        if previous is None and heading.level not in content.first_heading_levels:
            yield Finding("heading-first", ERROR, _(
                "最初の見出しは「大見出し（h2）」にしてください（いまは h%(level)s です）。")
                % {"level": heading.level}, heading.block, "level")
        elif previous is not None and heading.level > previous + 1:
            yield Finding("heading-skip", ERROR, _(
                "見出しのレベルが飛んでいます（h%(before)s の次に h%(level)s）。h%(expected)s にしてください。")
                % {"before": previous, "level": heading.level, "expected": previous + 1}, heading.block, "level")
        previous = heading.level


def _links(content: _Content) -> Iterable[Finding]:
    seen: dict[str, str] = {}
    told: set[str] = set()
    for link in content.links:
        words = _link_words(link.text)
        if not words:
            yield Finding("link-empty", ERROR, _(
                "リンクに文字がありません。リンク先の内容がわかる言葉を入れてください。"), link.block, "text")
            continue
        if words in VAGUE_LINKS:
            yield Finding("link-vague", ERROR, _(
                "リンクの文字「%(text)s」ではリンク先がわかりません。「%(example)s」のように、"
                "リンク先の内容がわかる言葉にしてください。")
                % {"text": link.text.strip(), "example": _("申請書の様式（PDF）")}, link.block, "text")
        elif len(words) > LONG_LINK:
            yield Finding("link-long", WARNING, _(
                "リンクの文字が長すぎます（%(n)s文字）。リンク先の名前だけをリンクにしてください。")
                % {"n": len(words)}, link.block, "text")
        if words in seen and seen[words] != link.url and words not in told:
            told.add(words)
            yield Finding("link-same-text", WARNING, _(
                "同じ文字「%(text)s」のリンクが別々のページを指しています。それぞれのリンク先がわかる言葉にしてください。")
                % {"text": link.text.strip()}, link.block, "text")
        seen.setdefault(words, link.url)


def _tables(content: _Content) -> Iterable[Finding]:
    for table in content.tables:
        if not table.has_th:
            yield Finding("table-header", ERROR, _(
                "表に見出しのセルがありません。1行目（または1列目）を見出しのセル（th）にしてください。"),
                table.block, "html")
        if not table.has_caption:
            yield Finding("table-caption", WARNING, _(
                "表に表題（キャプション）がありません。何の表かを表題に書いてください。"), table.block, "html")


def _prose(content: _Content) -> Iterable[Finding]:
    for prose in content.prose:
        text = prose.text
        colour = next((m for m in _COLOUR.finditer(text)
                       if not _COLOUR_FALSE.search(text, max(0, m.start() - 4), m.end() + 4)), None)
        if colour:
            yield Finding("colour-only", WARNING, _(
                "「%(words)s」のように色だけで意味を伝えると、色の見分けにくい人や音声で読む人に伝わりません。"
                "「※」などの記号や「（締切）」などの言葉も添えてください。") % {"words": colour.group(0)}, prose.block,
                prose.field)
        yield from _characters(prose)
        spaced = _SPACED.search(text)
        if spaced:
            yield Finding("spaced-word", WARNING, _(
                "「%(words)s」のように文字の間に空白があると、音声読み上げで1文字ずつ読まれます。"
                "空白を取って「%(joined)s」としてください。")
                % {"words": spaced.group(0), "joined": re.sub(r"[ 　]", "", spaced.group(0))}, prose.block, prose.field)
        shout = _SHOUT.search(text)
        if shout:
            yield Finding("uppercase", WARNING, _(
                "英語の「%(words)s」が大文字だけで書かれています。音声読み上げで1文字ずつ読まれることがあるため、"
                "普通の書き方（先頭だけ大文字）にしてください。") % {"words": shout.group(0)}, prose.block, prose.field)


def _characters(prose: _Prose) -> Iterable[Finding]:
    dependent = dependent_characters()
    found = sorted({char for char in prose.text if char in dependent})
    kana = _HALF_KANA.findall(prose.text)
    if not found and not kana:
        return
    pairs = [f"{char} → {replacement(char)}" if replacement(char) else char for char in found]
    pairs += [f"{run} → {unicodedata.normalize('NFKC', run)}" for run in dict.fromkeys(kana)]
    yield Finding("dependent-character", WARNING, _(
        "機種依存文字や半角カナがあります（%(pairs)s）。環境によって正しく表示・読み上げされないため、"
        "矢印の右の文字に置き換えてください。") % {"pairs": "、".join(pairs)}, prose.block, prose.field,
        suggestion="" if prose.field in ("html", "answer") else _replace_all(prose.text))


def _replace_all(text: str) -> str:
    dependent = dependent_characters()
    text = _HALF_KANA.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)
    return "".join(replacement(char) or char if char in dependent else char for char in text)


def _files(content: _Content) -> Iterable[Finding]:
    if not content.files or content.has_body_text:
        return
    texts = [info.text.strip() for _index, info in content.files if info is not None and info.text.strip()]
    suggestion = "\n\n".join(texts)[:PDF_SUGGESTION_MAX]
    message = _("ページの内容がファイル（PDFなど）だけです。"
                "ファイルを開かなくても読めるよう、ページに本文を追加してください。")
    if suggestion:
        message += _("PDFから取り出した文章を本文として使えます。")
    yield Finding("file-only", ERROR, message, content.files[0][0], "", suggestion=suggestion)


def _title(title: str, siblings: Collection[str]) -> Iterable[Finding]:
    words = " ".join(title.split())
    if not words:
        yield Finding("title-empty", WARNING, _("タイトルが空です。ページの内容がわかるタイトルを付けてください。"),
                      None, "title")
    elif words in {" ".join(other.split()) for other in siblings}:
        yield Finding("title-duplicate", WARNING, _(
            "同じ分類に同じタイトル「%(title)s」のページがあります。違いがわかるタイトルにしてください。")
            % {"title": words}, None, "title")


CODES = ("image-alt", "image-alt-vague", "heading-empty", "heading-first", "heading-skip", "link-empty", "link-vague",
         "link-long", "link-same-text", "table-header", "table-caption", "colour-only", "dependent-character",
         "spaced-word", "uppercase", "file-only", "title-empty", "title-duplicate")


def _run(content: _Content) -> list[Finding]:
    findings: list[Finding] = []
    for rule in (_images, _headings, _links, _tables, _prose, _files):
        findings.extend(rule(content))
    return findings


def check_version(title: str, blocks: list[page_blocks.Block], assets: Mapping[str, AssetInfo],
                  details: Mapping[str, Any], *, siblings: Collection[str] = ()) -> list[Finding]:
    """The findings on a version's content, errors first. `siblings` are the titles of the other pages in the
    same section (for a title used twice); `assets` maps a block's asset key to the file."""
    findings = [*_title(title, siblings), *_run(_from_blocks(title, blocks, assets, details))]
    return sorted(findings, key=lambda f: (f.severity != ERROR, f.block if f.block is not None else -1))


def check_html(html: str) -> list[Finding]:
    """The findings on a page's HTML (a saved page of the old site, a fragment): its first heading may be its h1."""
    findings = _run(_from_html(html))
    return sorted(findings, key=lambda f: f.severity != ERROR)


def errors(findings: Iterable[Finding]) -> list[Finding]:
    """The findings that keep a version from being sent for approval."""
    return [finding for finding in findings if finding.is_error]


def label(code: str) -> str:
    """The rule's name for the report's counts."""
    labels = {
        "image-alt": _("画像の代替テキストがない"), "image-alt-vague": _("代替テキストが内容を伝えていない"),
        "heading-empty": _("空の見出し"), "heading-first": _("最初の見出しが h2 でない"),
        "heading-skip": _("見出しのレベルが飛んでいる"), "link-empty": _("文字のないリンク"),
        "link-vague": _("「こちら」などのリンク"), "link-long": _("長すぎるリンク"),
        "link-same-text": _("同じ文字で別のリンク先"), "table-header": _("見出しセルのない表"),
        "table-caption": _("表題のない表"), "colour-only": _("色だけで伝えている"),
        "dependent-character": _("機種依存文字・半角カナ"), "spaced-word": _("文字の間の空白"),
        "uppercase": _("大文字だけの英語"), "file-only": _("ファイルだけのページ"), "title-empty": _("空のタイトル"),
        "title-duplicate": _("同じ分類に同じタイトル"),
    }
    return labels.get(code, code)


# The town's report ---------------------------------------------------------------------------------------------------

CACHE_SECONDS = 7 * 24 * 3600
RULES_VERSION = 1  # bumped when a rule changes, so the report never shows findings of an older rule


@dataclass
class ReportRow:
    """One page in the report: the version checked (the live one, or the open one when drafts are asked for)."""

    page: Any
    version: Any
    findings: list[Finding]

    @property
    def errors(self) -> int:
        return sum(1 for finding in self.findings if finding.is_error)

    @property
    def warnings(self) -> int:
        return len(self.findings) - self.errors


@dataclass
class Report:
    rows: list[ReportRow]
    checked: int  # pages checked (with and without findings)
    counts: list[tuple[str, str, str, int]]  # (code, label, severity, pages)


def visible_pages(staff: Any) -> Any:
    """The pages a staff member's report covers: their 課's; every 課's for 情報担当."""
    from yakuba.kernel.accounts.models import Role

    from ..models import Page

    pages = Page.objects.filter(retired_at__isnull=True)
    return pages if staff.role >= Role.ADMIN else pages.filter(department_id=staff.department_id)


def _key(version: Any) -> str:
    from django.utils import translation

    return f"website:checks:{RULES_VERSION}:{translation.get_language()}:{version.pk}:{version.updated_at.timestamp()}"


def _findings_of(versions: list[Any]) -> dict[int, list[Finding]]:
    """Each version's findings: read back from the cache in one round trip, the missing ones checked and kept."""
    from django.core.cache import cache

    keys = {version.pk: _key(version) for version in versions}
    kept = cache.get_many(list(keys.values()))
    found: dict[int, list[Finding]] = {}
    fresh: dict[str, list[Finding]] = {}
    for version in versions:
        key = keys[version.pk]
        if key in kept:
            found[version.pk] = list(kept[key])
            continue
        try:
            items = page_blocks.parse(version.blocks)
        except page_blocks.BlockError:
            items = []
        found[version.pk] = fresh[key] = check_version(version.title, items, {}, version.details or {})
    if fresh:
        cache.set_many(fresh, CACHE_SECONDS)
    return found


def report(staff: Any, *, department: int | None = None, severity: str = "", drafts: bool = False) -> Report:
    """Every page the staff member's report covers, checked: its live version (one query for the pages and their
    versions), or with `drafts` the version being worked on where there is one. Findings of a version are kept in
    the cache by the version's last change, so a report over thousands of pages reads them back."""
    from ..models import OPEN_STATES, PageVersion

    pages = visible_pages(staff).select_related("live", "department").defer(
        "live__blocks_en", "live__blocks_easy", "live__machine_draft").order_by("department__sort_order", "path")
    if department is not None:
        pages = pages.filter(department_id=department)
    if not drafts:  # what residents can read now: published, not past its 掲載期限
        from django.db.models import Q
        from django.utils import timezone

        pages = pages.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()), live__isnull=False)
    rows = list(pages)
    open_versions: dict[int, Any] = {}
    if drafts:
        open_versions = {version.page_id: version for version in PageVersion.objects.filter(
            page__in=pages, state__in=OPEN_STATES)}
    titles: dict[Any, Counter[str]] = {}
    chosen = []
    for page in rows:
        version = open_versions.get(page.pk) or page.live
        if version is None:
            continue
        chosen.append((page, version))
        titles.setdefault(page.parent_id, Counter())[" ".join(version.title.split())] += 1
    result, tally = [], Counter[str]()
    findings = _findings_of([version for _page, version in chosen])
    for page, version in chosen:
        found = findings[version.pk]
        if titles[page.parent_id][" ".join(version.title.split())] > 1:
            found += list(_title(version.title, [version.title]))
        if severity in (ERROR, WARNING):
            found = [finding for finding in found if finding.severity == severity]
        tally.update({finding.code for finding in found})
        if found:
            result.append(ReportRow(page, version, found))
    severities = {code: severity for code, severity in _SEVERITIES.items()}
    counts = [(code, label(code), severities.get(code, WARNING), tally[code]) for code in CODES if tally[code]]
    return Report(result, len(chosen), counts)


_SEVERITIES = {"image-alt": ERROR, "heading-empty": ERROR, "heading-first": ERROR, "heading-skip": ERROR,
               "link-empty": ERROR, "link-vague": ERROR, "table-header": ERROR, "file-only": ERROR}


__all__ = ["CODES", "ERROR", "WARNING", "AssetInfo", "Finding", "Report", "ReportRow", "check_html", "check_version",
           "dependent_characters", "errors", "label", "replacement", "report", "visible_pages"]
