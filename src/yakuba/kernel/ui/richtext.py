"""Rich text written by staff (a 起案's 本文, a web page's text): sanitised with nh3, the only trust boundary, and read
back as plain text. Whatever the editor (kernel.ui.widgets.RichTextarea, a paste, an import) produced, only structure
and links survive: nothing that runs or loads."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

import nh3

# The structure of an official document and links to web pages or mail addresses.
TAGS = frozenset({"p", "br", "strong", "em", "u", "ul", "ol", "li", "h2", "h3", "h4", "blockquote", "table", "thead",
                  "tbody", "tr", "th", "td", "hr", "a", "caption"})
ATTRIBUTES = {"td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan", "scope"}, "a": {"href"}}
LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_BLOCK_END = re.compile(r"<(br|/p|/li|/h[1-6]|/tr|/caption|/blockquote)\s*/?>", re.IGNORECASE)
_CELL_END = re.compile(r"</t[dh]\s*>", re.IGNORECASE)


def sanitise(body: str, *, tags: Iterable[str] = TAGS, schemes: Iterable[str] = LINK_SCHEMES) -> str:
    """`body` as safe HTML (paragraphs, headings, lists, bold, tables, links). Plain text (no tags) becomes
    paragraphs, one per blank-line block."""
    if not re.search(r"<[a-zA-Z/]", body):
        blocks = [block.strip() for block in re.split(r"\n\s*\n", body.replace("\r\n", "\n")) if block.strip()]
        body = "".join("<p>" + html.escape(block).replace("\n", "<br>") + "</p>" for block in blocks)
    allowed = set(tags)
    attributes = {tag: names for tag, names in ATTRIBUTES.items() if tag in allowed}
    return nh3.clean(body, tags=allowed, attributes=attributes, url_schemes=set(schemes),
                     link_rel="noopener noreferrer nofollow")


def plain_text(body: str) -> str:
    """The HTML as text (for search, indexes and kept records): one line per block, cells separated by a space."""
    text = _CELL_END.sub(" ", _BLOCK_END.sub("\n", body))
    return html.unescape(nh3.clean(text, tags=set())).strip()
