"""A page's body as blocks (見出し, 本文, 画像, ファイル, 地図, リンク, よくある質問): parsed from and to plain JSON,
checked, and rendered to HTML that is safe by construction (every text escaped, every rich text through the kernel's
sanitiser), so a page never carries script, frames, event handlers or `javascript:` links whatever was pasted.

    blocks = parse(raw)            # raises BlockError naming the block at fault
    html = render(blocks, assets)  # safe HTML for the public page
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.urls import get_script_prefix
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from yakuba.kernel.ui import richtext

KINDS = ("heading", "text", "image", "file", "map", "link", "faq")
HEADING_LEVELS = (2, 3, 4)  # the page's title is the h1
MAX_BLOCKS = 300
MAX_TEXT = 20_000  # characters of one rich-text block
MAX_LINE = 300  # a heading, a caption, an alt text, a link's words
# Rich text inside a block: sub-headings only (an h2 is a block of its own: the page's sections are its h2 blocks).
TEXT_TAGS = richtext.TAGS - {"h2"}
LINK_SCHEMES = ("http", "https", "mailto", "tel")


class BlockError(ValueError):
    """A block is not valid: `index` is its place (0-based), `field` the part at fault, the message says why."""

    def __init__(self, index: int, field: str, message: str) -> None:
        super().__init__(message)
        self.index = index
        self.field = field


@dataclass(frozen=True)
class Block:
    kind: str
    data: Mapping[str, Any]

    def get(self, name: str, default: Any = "") -> Any:
        return self.data.get(name, default)


def _text(raw: Mapping[str, Any], name: str, index: int, *, limit: int = MAX_LINE, required: bool = False) -> str:
    value = raw.get(name, "")
    if not isinstance(value, str):
        raise BlockError(index, name, _("文字で入力してください。"))
    value = " ".join(value.split()) if limit <= MAX_LINE else value.strip()
    if required and not value:
        raise BlockError(index, name, _("入力してください。"))
    if len(value) > limit:
        raise BlockError(index, name, _("%(limit)s文字以内で入力してください。") % {"limit": limit})
    return value


def safe_url(url: str) -> bool:
    """A link residents may follow: a path on this site, or http(s)/mailto/tel (never javascript: or data:)."""
    if url.startswith("/") and not url.startswith("//"):
        return True
    parts = urlsplit(url)
    return parts.scheme.lower() in LINK_SCHEMES and (parts.scheme.lower() in ("mailto", "tel") or bool(parts.netloc))


def _number(raw: Mapping[str, Any], name: str, index: int, low: float, high: float) -> float:
    try:
        value = float(raw.get(name))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise BlockError(index, name, _("数字で入力してください。")) from None
    if not low <= value <= high:
        raise BlockError(index, name, _("%(low)sから%(high)sの間で入力してください。") % {"low": low, "high": high})
    return value


def _parse_one(raw: Any, index: int) -> Block:  # noqa: C901 - one branch per kind, each short
    if not isinstance(raw, Mapping) or raw.get("type") not in KINDS:
        raise BlockError(index, "type", _("ブロックの種類が正しくありません。"))
    kind = raw["type"]
    if kind == "heading":
        level = raw.get("level", 2)
        if level not in HEADING_LEVELS:
            raise BlockError(index, "level", _("見出しの大きさを選んでください。"))
        return Block(kind, {"level": level, "text": _text(raw, "text", index, required=True)})
    if kind == "text":
        body = richtext.sanitise(_text(raw, "html", index, limit=MAX_TEXT), tags=TEXT_TAGS)
        if not richtext.plain_text(body):
            raise BlockError(index, "html", _("本文を入力してください。"))
        return Block(kind, {"html": body})
    if kind in ("image", "file"):
        asset = _text(raw, "asset", index, required=True)
        if kind == "image":
            return Block(kind, {"asset": asset, "alt": _text(raw, "alt", index),
                                "caption": _text(raw, "caption", index), "decorative": bool(raw.get("decorative"))})
        return Block(kind, {"asset": asset, "label": _text(raw, "label", index, required=True)})
    if kind == "map":
        return Block(kind, {"lat": _number(raw, "lat", index, 20, 46), "lng": _number(raw, "lng", index, 122, 154),
                            "label": _text(raw, "label", index, required=True)})
    if kind == "link":
        url = _text(raw, "url", index, limit=500, required=True)
        if not safe_url(url):
            raise BlockError(index, "url", _(
                "リンク先は http:// か https:// で始まるアドレス、またはこのサイトのページにしてください。"))
        return Block(kind, {"url": url, "text": _text(raw, "text", index, required=True)})
    answer = richtext.sanitise(_text(raw, "answer", index, limit=MAX_TEXT), tags=TEXT_TAGS)
    if not richtext.plain_text(answer):
        raise BlockError(index, "answer", _("答えを入力してください。"))
    return Block(kind, {"question": _text(raw, "question", index, required=True), "answer": answer})


def _parse_kept(raw: Any, index: int) -> Block:
    block = _parse_one(raw, index)
    if isinstance(raw, Mapping) and raw.get("untranslated"):
        # A translation's block still in Japanese (its Japanese changed since it was translated): shown as Japanese.
        return Block(block.kind, {**block.data, "untranslated": True})
    return block


def parse(raw: Any) -> list[Block]:
    """The blocks of `raw` (a JSON list), checked and cleaned; BlockError names the first at fault."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        raise BlockError(0, "type", _("本文の形式が正しくありません。"))
    if len(raw) > MAX_BLOCKS:
        raise BlockError(MAX_BLOCKS, "type", _("ブロックは%(n)s個までです。") % {"n": MAX_BLOCKS})
    return [_parse_kept(item, index) for index, item in enumerate(raw)]


def dump(blocks: list[Block]) -> list[dict[str, Any]]:
    return [{"type": block.kind, **block.data} for block in blocks]


@dataclass(frozen=True)
class AssetView:
    """What a block needs of a file: its public URL, type, size and (for a PDF) whether its text is kept."""

    url: str
    content_type: str
    size: int
    name: str
    width: int | None = None
    height: int | None = None
    has_text: bool = False


def _size(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB" if size >= 1_048_576 else f"{max(1, size // 1024)} KB"


def _file_type(content_type: str) -> str:
    return {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}.get(content_type, _("ファイル"))


_SITE_PATH = re.compile(r'href="/(?!/)')


def site_url(url: str) -> str:
    """A stored link to a path of this site ("/bousai/"), as the visitor reaches it: behind the town's path prefix
    where towns are told apart by path (/t/10382/bousai/), as it is where they are told apart by host name."""
    if url.startswith("/") and not url.startswith("//"):
        return get_script_prefix().rstrip("/") + url
    return url


def _site_links(html: str) -> str:
    prefix = 'href="' + escape(get_script_prefix().rstrip("/")) + "/"
    return _SITE_PATH.sub(lambda _match: prefix, html)


def render_block(block: Block, index: int, assets: Mapping[str, AssetView]) -> SafeString:  # noqa: C901
    kind = block.kind
    if kind == "heading":
        level = block.get("level", 2)
        return format_html('<h{} id="b{}">{}</h{}>', level, index, block.get("text"), level)
    if kind == "text":
        return mark_safe(_site_links(richtext.sanitise(block.get("html"), tags=TEXT_TAGS)))  # noqa: S308 - sanitised
    if kind == "faq":
        return format_html('<div class="faq" id="b{}"><h2 class="faq__q">{}</h2><div class="faq__a">{}</div></div>',
                           index, block.get("question"),
                           mark_safe(_site_links(richtext.sanitise(block.get("answer"), tags=TEXT_TAGS))))  # noqa: S308
    if kind == "link":
        return format_html('<p class="page-link"><a href="{}">{}</a></p>', site_url(block.get("url")),
                           block.get("text"))
    if kind == "map":
        return format_html(
            '<figure class="page-map" data-map data-lat="{}" data-lng="{}" data-label="{}"><figcaption>{} '
            '<a href="https://maps.gsi.go.jp/#16/{}/{}/">{}</a></figcaption></figure>',
            block.get("lat"), block.get("lng"), block.get("label"), block.get("label"), block.get("lat"),
            block.get("lng"), _("地理院地図で見る"))
    asset = assets.get(block.get("asset"))
    if asset is None:
        return SafeString("")
    if kind == "image":
        alt = "" if block.get("decorative") else block.get("alt")
        caption = block.get("caption")
        image = format_html('<img src="{}" alt="{}" loading="lazy"{}>', asset.url, alt,
                            format_html(' width="{}" height="{}"', asset.width, asset.height)
                            if asset.width and asset.height else "")
        if caption:
            return format_html('<figure class="page-image">{}<figcaption>{}</figcaption></figure>', image, caption)
        return format_html('<figure class="page-image">{}</figure>', image)
    return format_html('<p class="page-file"><a href="{}">{}</a>（{}、{}）</p>', asset.url, block.get("label"),
                       _file_type(asset.content_type), _size(asset.size))


def render(blocks: list[Block], assets: Mapping[str, AssetView]) -> SafeString:
    """The blocks as one safe HTML fragment (a translation's block still in Japanese says so with lang="ja")."""
    parts = []
    for index, block in enumerate(blocks):
        html = render_block(block, index, assets)
        parts.append(format_html('<div lang="ja" class="untranslated">{}</div>', html) if block.get("untranslated")
                     else html)
    return SafeString("\n".join(parts))


def realign(old: list[dict[str, Any]], old_translated: list[dict[str, Any]], new: list[dict[str, Any]]
            ) -> list[dict[str, Any]]:
    """A translation carried over to changed Japanese blocks: a block whose Japanese is unchanged keeps its
    translation; a new or changed one is the Japanese, marked `untranslated` (shown with lang="ja" until
    translated)."""
    if not old_translated:
        return []
    from difflib import SequenceMatcher

    def key(block: dict[str, Any]) -> str:
        return repr(sorted((k, v) for k, v in block.items() if k != "untranslated"))

    result = [{**block, "untranslated": True} for block in new]
    matcher = SequenceMatcher(a=[key(b) for b in old], b=[key(b) for b in new], autojunk=False)
    for tag, a0, a1, b0, _b1 in matcher.get_opcodes():
        if tag == "equal":
            for offset in range(a1 - a0):
                if a0 + offset < len(old_translated):
                    result[b0 + offset] = old_translated[a0 + offset]
    return result


def plain_text(blocks: list[Block]) -> str:
    """The words of the blocks, one line per block (for search, diffs and the assistant)."""
    lines = []
    for block in blocks:
        if block.kind == "heading":
            lines.append(block.get("text"))
        elif block.kind == "text":
            lines.append(richtext.plain_text(block.get("html")))
        elif block.kind == "faq":
            lines.append(f"Q. {block.get('question')}\nA. {richtext.plain_text(block.get('answer'))}")
        elif block.kind in ("link", "file", "map"):
            lines.append(block.get("text") or block.get("label"))
        elif block.kind == "image" and not block.get("decorative"):
            lines.append(block.get("caption") or block.get("alt"))
    return "\n".join(line for line in lines if line)


@dataclass(frozen=True)
class Section:
    """A part of a page under one heading (or the lead before the first), for the assistant to cite."""

    anchor: str  # the heading's id ("" for the lead)
    heading: str
    text: str


def sections(blocks: list[Block]) -> list[Section]:
    """The page cut at its h2 headings (and each よくある質問 on its own)."""
    found: list[Section] = []
    anchor, heading, lines = "", "", []  # type: ignore[var-annotated]

    def close() -> None:
        text = plain_text(lines)
        if text:
            found.append(Section(anchor, heading, text))

    for index, block in enumerate(blocks):
        if (block.kind == "heading" and block.get("level") == 2) or block.kind == "faq":
            close()
            anchor, heading, lines = f"b{index}", block.get("text") or block.get("question"), []
        if block.kind == "faq":
            lines.append(block)
            close()
            anchor, heading, lines = "", "", []
        elif not (block.kind == "heading" and block.get("level") == 2):
            lines.append(block)
    close()
    return found


__all__ = ["AssetView", "Block", "BlockError", "Section", "dump", "parse", "plain_text", "render",
           "sections"]
