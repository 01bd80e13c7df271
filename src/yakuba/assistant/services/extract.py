"""Text out of an uploaded document: plain text and Markdown, HTML, PDF (its text layer) and Word .docx."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from io import BytesIO
from typing import Any

from django.utils.translation import gettext as _

from ..models import Format

# First bytes of files that are not text, whatever their name says.
BINARY_MAGIC = (b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b")
OLD_WORD = b"\xd0\xcf\x11\xe0"  # .doc, .xls (OLE compound file)
SHIFT_JIS = frozenset({"shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "windows-31j", "cp932", "ms932"})
CONTROL = re.compile(r"[\x01-\x08\x0e-\x1f\x7f]")  # C0 controls but tab, line breaks and form feed

# HTML: elements that are not the page's content, and how the others break lines.
HTML_DROPPED = ("head", "script", "style", "nav", "header", "footer", "noscript", "template", "iframe", "svg")
HTML_PARAGRAPHS = frozenset({"p", "table", "ul", "ol", "dl", "section", "article", "blockquote", "pre", "figure",
                             "hr"})
HTML_LINES = frozenset({"div", "li", "dt", "dd", "caption", "figcaption", "address", "main", "aside", "form",
                        "fieldset", "details", "summary", "body"})
HTML_HEADINGS = {f"h{level}": level for level in range(1, 7)}
PARAGRAPH_MARK = "\ue000"  # a blank line to keep, through the whitespace clean-up


class Unreadable(Exception):
    """The file could not be read as its format; the message says why, in Japanese (gettext)."""


def format_of(file_name: str) -> Format | None:
    """The format a file name claims (.txt, .md, .html/.htm, .pdf, .docx), or None if not accepted."""
    suffix = file_name.lower().rsplit(".", 1)[-1] if "." in file_name else ""
    return {"txt": Format.TEXT, "md": Format.MARKDOWN, "html": Format.HTML, "htm": Format.HTML,
            "pdf": Format.PDF, "docx": Format.DOCX}.get(suffix)


def extract(data: bytes, fmt: str) -> str:
    """The document's text, with its line structure kept (headings and 条 on their own lines)."""
    readers: dict[str, Callable[[bytes], str]] = {
        Format.TEXT: _plain, Format.MARKDOWN: _plain, Format.HTML: _html, Format.PDF: _pdf, Format.DOCX: _docx}
    reader = readers.get(fmt)
    if reader is None:
        raise Unreadable(_("この形式は読み取れません。"))
    return _tidy(reader(data))


def _tidy(text: str) -> str:
    """Line breaks as \\n, no NUL, no trailing spaces, no run of more than two blank lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").replace("\x00", "")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return re.sub(r"\n{4,}", "\n\n", text).strip("\n")


# Plain text and Markdown -------------------------------------------------------------------------------------------

def _plain(data: bytes) -> str:
    text = _decode(data)
    if len(CONTROL.findall(text)) > max(2, len(text) // 200):
        raise Unreadable(_("テキストファイルではありません（中身が文字ではないようです）。"
                           "ファイルの種類を確かめてください。"))
    return text


def _decode(data: bytes) -> str:
    """Text of a file from a town office: UTF-8 (with or without BOM), UTF-16 with a BOM, else Shift_JIS (CP932)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _decode_as(data, "utf-8-sig")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode_as(data, "utf-16")
    if data.startswith(BINARY_MAGIC) or b"\x00" in data:
        raise Unreadable(_("テキストファイルではありません（PDF や Word、画像などのファイルのようです）。"
                           "ファイルの種類を確かめてください。"))
    for encoding in ("utf-8", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _unknown_encoding()


def _decode_as(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise _unknown_encoding() from error


def _unknown_encoding() -> Unreadable:
    return Unreadable(_("文字コードを読み取れませんでした。UTF-8 か Shift_JIS のテキストにしてください。"))


# HTML --------------------------------------------------------------------------------------------------------------

def _html(data: bytes) -> str:
    import lxml.html
    from lxml import etree

    source = _decode_html(data)
    source = re.sub(r"^\s*<\?xml[^>]*\?>", "", source)  # lxml refuses str input that declares an encoding
    try:
        root = lxml.html.document_fromstring(source)
        for element in list(root.iter(*HTML_DROPPED)):
            element.drop_tree()
        out: list[str] = []
        _render(root, out)
    except (etree.LxmlError, ValueError, RecursionError) as error:
        raise Unreadable(_("HTMLを読み取れませんでした（ファイルが壊れている可能性があります）。")) from error
    lines = [" ".join(line.split()) for line in "".join(out).split("\n")]
    text = "\n".join(line.replace(PARAGRAPH_MARK, "") for line in lines if line)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    if not text:
        raise Unreadable(_("HTMLに本文が見つかりませんでした。"))
    return text


def _decode_html(data: bytes) -> str:
    """The page as text: its BOM, else its <meta charset>, else as a plain text file."""
    if not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        declared = re.search(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_\-]+)", data[:4096], re.IGNORECASE)
        if declared:
            encoding = declared.group(1).decode("ascii").lower()
            encoding = "cp932" if encoding in SHIFT_JIS else encoding
            try:
                return data.decode(encoding, errors="replace")
            except LookupError:
                pass  # an unknown charset name: guess as for a text file
    return _decode(data)


def _render(element: Any, out: list[str]) -> None:
    """Append the text of `element` and its tail: headings as "## …", table rows as "a | b" (a row of <th> followed
    by "--- | ---"), blocks on new lines."""
    tag = element.tag if isinstance(element.tag, str) else ""  # comments and processing instructions have no tag
    if tag in HTML_HEADINGS:
        out.append(f"\n{PARAGRAPH_MARK}\n{'#' * HTML_HEADINGS[tag]} {_inline(element.text_content())}\n")
    elif tag == "br":
        out.append("\n")
    elif tag == "tr":
        cells = [_inline(cell.text_content()).strip() for cell in element if cell.tag in ("td", "th")]
        out.append("\n" + (" | ".join(cells) if any(cells) else "") + "\n")
        if any(cells) and all(cell.tag == "th" for cell in element if cell.tag in ("td", "th")):
            out.append(_rule(len(cells)))  # a header row: tables.py keeps its names in every row
    elif tag:
        brk = f"\n{PARAGRAPH_MARK}\n" if tag in HTML_PARAGRAPHS else "\n" if tag in HTML_LINES else ""
        out.append(brk + _inline(element.text))
        for child in element:
            _render(child, out)
        out.append(brk)
    out.append(_inline(element.tail))


def _rule(cells: int) -> str:
    """The line under a table's header row, as in Markdown: "--- | ---"."""
    return " | ".join(["---"] * cells) + "\n"


def _inline(text: str | None) -> str:
    """Source line breaks inside running text are spaces, except between two Japanese characters."""
    if not text:
        return ""
    text = re.sub(r"(?<=[^\x00-\x7f])[ \t\r]*\n\s*(?=[^\x00-\x7f])", "", text)
    return re.sub(r"\s+", " ", text)


# PDF ---------------------------------------------------------------------------------------------------------------

def _pdf(data: bytes) -> str:
    if b"%PDF" not in data[:1024]:
        raise Unreadable(_("PDFファイルではありません。ファイルの種類を確かめてください。"))
    try:
        reader = _open_pdf(data)
        pages = [_pdf_page(page) for page in reader.pages]
    except Unreadable:
        raise
    except Exception as error:  # pypdf raises many kinds on a damaged file; any of them means the same here
        raise Unreadable(_("PDFを読み取れませんでした（ファイルが壊れている可能性があります）。")) from error
    text = "\n".join(pages)
    if not text.strip():
        raise Unreadable(_("文字が入っていないPDFです（画像だけのPDF）。"
                           "文字を選択できるPDFにしてから登録してください。"))
    return text


def _pdf_page(page: Any) -> str:
    """A page's text; the rows of a table (three or more cells apart in the page's layout) with their cells
    separated by tabs, as tables.py reads them. The text itself is pypdf's plain extraction."""
    text: str = page.extract_text() or ""
    try:
        layout = page.extract_text(extraction_mode="layout") or ""
    except Exception:  # the layout mode fails on pages the plain one reads: keep the plain text
        return text
    rows = _layout_rows(layout)
    if not rows:
        return text
    return "\n".join(rows.get(_squash(line), line) for line in text.split("\n"))


def _layout_rows(layout: str) -> dict[str, str]:
    """Table rows of a page laid out with spaces: runs of two or more lines of three or more cells, each row by
    its text without spaces (to find it among the plain lines)."""
    cells = [re.split(r"[ \u3000]{3,}", line.strip()) for line in layout.split("\n")]
    rows: dict[str, str] = {}
    run: list[list[str]] = []
    for line in [*cells, []]:
        if len(line) >= 3:
            run.append(line)
            continue
        if len(run) >= 2:
            rows.update({_squash("".join(row)): "\t".join(" ".join(cell.split()) for cell in row) for row in run})
        run = []
    return rows


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _open_pdf(data: bytes) -> Any:
    from pypdf import PasswordType, PdfReader

    reader = PdfReader(BytesIO(data))
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")  # a PDF with only an owner password opens with an empty one
        except Exception:  # an encryption pypdf cannot undo
            opened = PasswordType.NOT_DECRYPTED
        if opened == PasswordType.NOT_DECRYPTED:
            raise Unreadable(_("パスワードで保護されたPDFは読み取れません。パスワードを外したPDFを登録してください。"))
    return reader


# Word .docx --------------------------------------------------------------------------------------------------------

def _docx(data: bytes) -> str:
    import docx
    from docx.table import Table

    if data.startswith(OLD_WORD):
        raise Unreadable(_("古い形式のWordファイル（.doc）は読み取れません。Wordで .docx 形式で保存し直してください。"))
    if not data.startswith(b"PK"):
        raise Unreadable(_("Wordファイル（.docx）ではありません。ファイルの種類を確かめてください。"))
    try:
        document = docx.Document(BytesIO(data))
        blocks = [_table(block) if isinstance(block, Table) else _paragraph(block)
                  for block in document.iter_inner_content()]
    except Exception as error:  # a damaged zip, a zip that is not a Word file, broken XML
        raise Unreadable(_("Wordファイルを読み取れませんでした"
                           "（ファイルが壊れているか、.docx ではない可能性があります）。")) from error
    return "\n".join(blocks)


def _paragraph(paragraph: Any) -> str:
    """A paragraph's text; a heading (見出し) as "## …"."""
    text: str = paragraph.text
    style = unicodedata.normalize("NFKC", paragraph.style.name if paragraph.style is not None else "")
    level = re.match(r"(?:heading|見出し)\s*(\d)", style, re.IGNORECASE)
    if level and text.strip():
        return "#" * int(level.group(1)) + " " + text.strip()
    if style.lower() == "title" and text.strip():
        return "# " + text.strip()
    return text


def _table(table: Any) -> str:
    """One line per row, cells joined by " | " (a merged cell once); a header row marked by "--- | ---"."""
    rows = []
    for index, row in enumerate(table.rows):
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            if previous is not None and cell._tc is previous._tc:
                continue  # python-docx repeats a horizontally merged cell
            previous = cell
            cells.append(" ".join(cell.text.split()))
        if any(cells):
            rows.append(" | ".join(cells))
            if index == 0 and _repeated_header(row):
                rows.append(_rule(len(cells)).rstrip("\n"))
    return "\n".join(rows)


def _repeated_header(row: Any) -> bool:
    """Whether Word marks the row as the table's header (「タイトル行の繰り返し」, w:tblHeader)."""
    from docx.oxml.ns import qn

    properties = row._tr.trPr
    return properties is not None and properties.find(qn("w:tblHeader")) is not None
