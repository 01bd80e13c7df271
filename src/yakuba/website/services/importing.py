"""移行（取り込み）: a town starts its site from the pages it already has. A 情報担当 uploads a ZIP of saved HTML pages
(with a list of their URLs, `url,file`, or a base URL under which the ZIP's paths are the URLs); every file is read
and checked first (encoding, title, body, dates, blocks), the clerk sees what is ready and what is refused and why,
then confirms, and the ready pages are created as drafts of 一般ページ, due for 棚卸し today, in one transaction.

Nothing of a file is trusted: its encoding is found, never guessed into mojibake (a Shift_JIS file with broken bytes
is refused with the byte named); its body goes through the kernel's sanitiser (no script, frame, event handler or
`javascript:` link survives); an image becomes a page's file only when the ZIP holds it; the ZIP itself is refused
when it is too large, holds too many files, would unpack to far more than it weighs, or names paths outside itself.

A run's progress and result live in ImportRun.report, one entry per file: `state` is waiting (not read yet), ready,
refused (with `error`), queued (confirmed), imported (with `page`) or failed (the run was rolled back)."""

from __future__ import annotations

import csv
import functools
import io
import logging
import posixpath
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.core.files.base import File
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope

from yakuba.kernel.accounts.models import Department, Role, Staff
from yakuba.kernel.audit.services import record
from yakuba.kernel.files.uploads import private_storage, sniff
from yakuba.kernel.refusal import Refused
from yakuba.kernel.scheduling.fiscal import REIWA_START
from yakuba.kernel.ui import richtext

from .. import blocks as page_blocks
from ..models import ImportRun, Page, PageKind, PageVersion, VersionState
from . import checks

logger = logging.getLogger(__name__)

MAX_FILES = 5_000
MAX_EXPANSION = 10  # the ZIP may unpack to at most this many times its upload limit (a zip bomb does not)
MAX_RATIO = 200  # nor may one member expand more than this (text compresses ~10×; a bomb ~1000×)
MAX_PAGE_BYTES = 5 * 1024 * 1024  # one saved page
MAX_IMAGE_BYTES = 10 * 1024 * 1024  # one image
INLINE_FILES = 50  # a run of at most this many pages is checked and imported while the clerk waits; more: a task
PROGRESS_EVERY = 50  # files between two progress writes of a task
HTML_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml", ".php", ".asp", ".aspx", ".jsp", ".cfm")
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
SHIFT_JIS = frozenset({"shift_jis", "shift-jis", "sjis", "x-sjis", "cp932", "ms932", "windows-31j", "ms_kanji"})
EUC_JP = frozenset({"euc-jp", "euc_jp", "x-euc-jp", "eucjp"})
# Where the old CMSs put a page's own content (the first found wins), before falling back to <body>.
CONTENT_SELECTORS = ("main", "article", "#tmp_contents", "#contents", "#content", "#main", "#main_body",
                     "#mainContents", "#primary", ".article", ".contents", ".main")
CHROME = ("header", "nav", "footer", "aside", "script", "style", "noscript", "form", "iframe", "object", "embed",
          "template", "button", "select", "input", "textarea")
CHROME_IDS = re.compile(r"(^|[_-])(header|footer|nav|navi|gnav|lnav|side|sidebar|menu|breadcrumbs?|topicpath|"
                        r"pankuzu|skip|pagetop|sns|share)([_-]|$)", re.IGNORECASE)
TITLE_SEPARATORS = "｜|│–—－-/／：:"
DATE_LABEL = re.compile(r"(更新日|最終更新|掲載日|公開日|作成日|更新)[^0-9０-９令平]{0,8}")
DATE_FORMS = (
    re.compile(r"(令和|平成)\s*(元|\d{1,2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"),
    re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"),
    re.compile(r"(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})"),
)
ERA_START = {"令和": REIWA_START, "平成": 1989}


def max_bytes() -> int:
    return int(getattr(settings, "WEBSITE_IMPORT_MAX_MB", 200)) * 1024 * 1024


# The ZIP --------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Listed:
    """One page to import: its old URL and its file in the ZIP."""

    url: str
    file: str


def _safe_name(name: str) -> str | None:
    """The member's path inside the ZIP, or None when it points outside (.., an absolute path, a drive)."""
    clean = name.replace("\\", "/")
    if clean.startswith("/") or re.match(r"^[A-Za-z]:", clean) or any(part == ".." for part in clean.split("/")):
        return None
    return posixpath.normpath(clean)


def open_zip(handle: IO[bytes], size: int) -> zipfile.ZipFile:
    """The upload as a ZIP, or Refused: too large, not a ZIP, too many files, a zip bomb, paths with .. ."""
    limit = max_bytes()
    if size > limit:
        raise Refused({"archive": _("ZIPファイルが大きすぎます（上限 %(mb)s MB）。ページを分けて複数回に"
                                    "取り込んでください。") % {"mb": limit // (1024 * 1024)}})
    try:
        archive = zipfile.ZipFile(handle)
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise Refused({"archive": _("ZIPファイルとして読めません。保存したページをZIP形式にまとめて選んでください。")
                       }) from None
    files = [member for member in members if not member.is_dir()]
    if len(files) > MAX_FILES:
        raise Refused({"archive": _("ZIPの中のファイルが多すぎます（%(n)s件、上限 %(max)s件）。"
                                    "分けて取り込んでください。") % {"n": len(files), "max": MAX_FILES}})
    bad = next((member.filename for member in files if _safe_name(member.filename) is None), None)
    if bad is not None:
        raise Refused({"archive": _("ZIPの中に、ZIPの外を指す名前のファイルがあります（%(name)s）。"
                                    "このZIPは取り込めません。") % {"name": bad}})
    unpacked = sum(member.file_size for member in files)
    bomb = next((m for m in files if m.compress_size and m.file_size / m.compress_size > MAX_RATIO
                 and m.file_size > 1024 * 1024), None)
    if unpacked > limit * MAX_EXPANSION or bomb is not None:
        raise Refused({"archive": _("ZIPを展開すると極端に大きくなるため、取り込めません（展開後 %(mb)s MB）。")
                       % {"mb": unpacked // (1024 * 1024)}})
    return archive


def _members(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    return {name: member for member in archive.infolist() if not member.is_dir()
            and (name := _safe_name(member.filename)) is not None and not name.startswith("__MACOSX/")}


def read_list(data: bytes) -> list[Listed]:
    """The list of pages: a CSV with the columns url and file (a header row; UTF-8 with or without BOM, or
    Shift_JIS as Excel saves it)."""
    text = None
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise Refused({"list": _("URLの一覧（CSV）の文字コードが読めません。UTF-8 で保存してください。")})
    rows = list(csv.reader(io.StringIO(text)))
    header = [cell.strip().lower() for cell in rows[0]] if rows else []
    if "url" not in header or "file" not in header:
        raise Refused({"list": _("URLの一覧（CSV）の1行目は「url,file」にしてください。")})
    at_url, at_file = header.index("url"), header.index("file")
    listed = []
    for row in rows[1:]:
        if len(row) > max(at_url, at_file) and (row[at_url].strip() or row[at_file].strip()):
            listed.append(Listed(row[at_url].strip(), (_safe_name(row[at_file].strip()) or row[at_file].strip())))
    if not listed:
        raise Refused({"list": _("URLの一覧（CSV）にページがありません。")})
    return listed


def list_pages(archive: zipfile.ZipFile, *, base_url: str = "", listing: bytes | None = None) -> list[Listed]:
    """Every page the run is about: from the list (a CSV beside the ZIP, or `urls.csv` inside it), else every HTML
    file of the ZIP with its path below `base_url`."""
    members = _members(archive)
    if listing is None:
        inside = [name for name in members if name.lower().endswith(".csv") and "/" not in name]
        if len(inside) == 1:
            listing = archive.read(members[inside[0]])
    if listing is not None:
        return read_list(listing)
    base = base_url.strip()
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Refused({"base_url": _("URLの一覧（CSV）がないときは、元のサイトのアドレス（https://〜）を入力してください。")})
    base = base if base.endswith("/") else base + "/"
    return [Listed(urljoin(base, name), name) for name in sorted(members)
            if name.lower().endswith(HTML_SUFFIXES) or "." not in posixpath.basename(name)]


# Encoding -------------------------------------------------------------------------------------------------------------

class Unreadable(ValueError):
    """A file that cannot be imported; the message says why, for the clerk."""


_DECLARED = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_\-]+)", re.IGNORECASE)


def _codec(name: str) -> str:
    name = name.lower()
    return "cp932" if name in SHIFT_JIS else "euc_jp" if name in EUC_JP else name


def _japanese_score(text: str) -> float:
    """How much `text` reads like Japanese: hiragana and common kanji count, half-width kana and rare symbols
    (what EUC-JP read as Shift_JIS turns into) count against."""
    good = sum(1 for char in text if "\u3041" <= char <= "\u309f" or "\u4e00" <= char <= "\u9fff"
               or "\u30a1" <= char <= "\u30fa")
    bad = sum(1 for char in text if "\uff61" <= char <= "\uff9f" or "\ue000" <= char <= "\uf8ff")
    return good - 3 * bad


def decode(data: bytes, name: str) -> str:
    """The file as text: its BOM, else its declared charset (<meta charset>, http-equiv), else UTF-8, Shift_JIS or
    EUC-JP, whichever reads without a broken byte. A file that reads in none is refused, naming the byte."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data[3:], "utf-8", name)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16", name)
    declared = _DECLARED.search(data[:4096])
    if declared:
        codec = _codec(declared.group(1).decode("ascii"))
        try:
            return data.decode(codec)
        except LookupError:
            pass  # an unknown charset name: find it as for an undeclared file
        except UnicodeDecodeError as error:
            try:
                return data.decode("utf-8")  # saved again as UTF-8 by a crawler, the old <meta> kept
            except UnicodeDecodeError:
                raise Unreadable(_broken(name, declared.group(1).decode("ascii"), error)) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as first:
        readings = []
        for codec in ("cp932", "euc_jp"):
            try:
                readings.append(data.decode(codec))
            except UnicodeDecodeError:
                continue
        if not readings:
            raise Unreadable(_broken(name, "Shift_JIS / UTF-8", first)) from None
        return max(readings, key=_japanese_score)


def _strict(data: bytes, codec: str, name: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        raise Unreadable(_broken(name, codec, error)) from None


def _broken(name: str, codec: str, error: UnicodeDecodeError) -> str:
    return _("%(file)s の %(offset)s バイト目が文字コード %(codec)s として読めません"
             "（文字化けを防ぐため取り込みません）。元のページを保存し直すか、UTF-8 に変換してください。") % {
                 "file": name, "offset": error.start, "codec": codec}


# One page -------------------------------------------------------------------------------------------------------------

@dataclass
class Prepared:
    """What one saved page becomes: its title (with the site's name still on it), its blocks, date and images
    (the block's asset key → the image's path in the ZIP), with notes for the clerk."""

    url: str
    file: str
    title: str = ""
    blocks: list[page_blocks.Block] = field(default_factory=list)
    day: date | None = None
    images: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    error: str = ""
    errors: int = 0
    warnings: int = 0


def _text_of(element: Any) -> str:
    return " ".join(element.text_content().split())


def _find_date(text: str) -> date | None:
    """The page's date: the one after 「更新日」「掲載日」… (a date in the body is an event's, not the page's)."""
    for label in DATE_LABEL.finditer(text):
        near = text[label.end(): label.end() + 24]
        for form in DATE_FORMS:
            found = form.match(near)
            if found:
                return _date(found.groups())
    return None


def _date(groups: tuple[str, ...]) -> date | None:
    try:
        if groups[0] in ERA_START:
            year = ERA_START[groups[0]] + (1 if groups[1] == "元" else int(groups[1])) - 1
            return date(year, int(groups[2]), int(groups[3]))
        return date(int(groups[0]), int(groups[1]), int(groups[2]))
    except ValueError:
        return None


def _main(root: Any) -> Any:
    """The element holding the page's own content."""
    for selector in CONTENT_SELECTORS:
        if selector.startswith("#"):
            found = root.xpath("//*[@id=$name]", name=selector[1:])
        elif selector.startswith("."):
            found = root.xpath("//*[contains(concat(' ', normalize-space(@class), ' '), $name)]",
                               name=f" {selector[1:]} ")
        else:
            found = root.xpath(f"//{selector}")
        if found and _text_of(found[0]):
            return found[0]
    body = root.find(".//body")
    return body if body is not None else root


def _strip_chrome(element: Any) -> None:
    for tag in CHROME:
        for found in list(element.iter(tag)):
            found.drop_tree()
    for found in list(element.iter()):
        if not isinstance(found.tag, str) or found.getparent() is None:
            continue
        names = f"{found.get('id') or ''} {found.get('class') or ''}"
        if CHROME_IDS.search(names.replace(" ", "_")) and found.tag in ("div", "ul", "ol", "p", "section", "dl"):
            found.drop_tree()


class _Builder:
    """The content element's children as blocks: headings (re-levelled to start at h2), rich text (sanitised),
    images found in the ZIP."""

    def __init__(self, page: Prepared, base_url: str, member: str, find_image: Callable[[str], str | None],
                 shift: int) -> None:
        self.page, self.base_url, self.member, self.find_image, self.shift = page, base_url, member, find_image, shift
        self.pending: list[str] = []
        self.size = 0

    def flush(self) -> None:
        if not self.pending:
            return
        html = richtext.sanitise("".join(self.pending), tags=page_blocks.TEXT_TAGS)
        self.pending, self.size = [], 0
        if richtext.plain_text(html):
            self.page.blocks.append(page_blocks.Block("text", {"html": html}))

    def add_html(self, html: str) -> None:
        if self.size + len(html) > page_blocks.MAX_TEXT * 3 // 4:
            self.flush()
        self.pending.append(html)
        self.size += len(html)

    def image(self, element: Any) -> None:
        src = (element.get("src") or "").strip()
        path = self.find_image(src) if src and not src.startswith("data:") else None
        if path is None:
            self.page.notes.append(_("画像「%(src)s」はZIPにないため取り込みませんでした。")
                                   % {"src": src[:100] or "—"})
            return
        self.flush()
        key = f"zip:{len(self.page.images)}"
        self.page.images[key] = path
        alt = " ".join((element.get("alt") or "").split())[: page_blocks.MAX_LINE]
        self.page.blocks.append(page_blocks.Block("image", {"asset": key, "alt": alt, "caption": "",
                                                            "decorative": False}))

    def walk(self, element: Any) -> None:  # noqa: C901 - one branch per kind of element
        import lxml.html

        if element.text and element.text.strip():
            self.add_html(f"<p>{_escape(element.text)}</p>")
        for child in element:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                text = _text_of(child)[: page_blocks.MAX_LINE]
                if text:
                    self.flush()
                    level = min(max(int(tag[1]) - self.shift, 2), 4)
                    self.page.blocks.append(page_blocks.Block("heading", {"level": level, "text": text}))
            elif tag == "img":
                self.image(child)
            elif tag in ("p", "ul", "ol", "table", "blockquote", "dl", "pre", "address", "hr"):
                for image in list(child.iter("img")):
                    self.image(image)
                self._absolute_links(child)
                self.add_html(lxml.html.tostring(child, encoding="unicode", with_tail=False))
            elif tag in ("div", "section", "article", "main", "figure", "span", "center", "font", "td", "li"):
                self.walk(child)
            elif tag in ("a", "strong", "em", "b", "i", "u", "br", "small", "big", "sup", "sub"):
                self._absolute_links(child)
                self.add_html("<p>" + lxml.html.tostring(child, encoding="unicode", with_tail=False) + "</p>")
            if child.tail and child.tail.strip():
                self.add_html(f"<p>{_escape(child.tail)}</p>")

    def _absolute_links(self, element: Any) -> None:
        """Links of the old site, made absolute against the page's old URL (relative ones would point nowhere)."""
        for anchor in element.iter("a"):
            href = (anchor.get("href") or "").strip()
            if href and not href.startswith(("#", "mailto:", "tel:")):
                anchor.set("href", urljoin(self.base_url, href))


def _escape(text: str) -> str:
    import html

    return html.escape(" ".join(text.split()))


def prepare(listed: Listed, data: bytes, find_image: Callable[[str, str], str | None]) -> Prepared:
    """One saved page read into a title, blocks and a date; `error` set when it cannot be imported."""
    import lxml.html
    from lxml import etree

    page = Prepared(listed.url, listed.file)
    try:
        source = re.sub(r"^\s*<\?xml[^>]*\?>", "", decode(data, listed.file))
        if not source.strip():
            raise Unreadable(_("%(file)s は空のファイルです。") % {"file": listed.file})
        root = lxml.html.document_fromstring(source)
    except Unreadable as error:
        page.error = str(error)
        return page
    except (etree.LxmlError, ValueError):
        page.error = _("%(file)s はHTMLとして読めません。") % {"file": listed.file}
        return page
    title = root.find(".//title")
    page.day = _find_date(_text_of(root))
    main = _main(root)
    _strip_chrome(main)
    first_h1 = next(iter(main.iter("h1")), None)
    page.title = _text_of(title) if title is not None and _text_of(title) else (
        _text_of(first_h1) if first_h1 is not None else "")
    if first_h1 is not None and _text_of(first_h1):
        first_h1.drop_tree()  # the page's own title: our page shows its title as the h1
        page.title = page.title or _text_of(first_h1)
    levels = [int(h.tag[1]) for h in main.iter("h1", "h2", "h3", "h4", "h5", "h6") if _text_of(h)]
    builder = _Builder(page, listed.url, listed.file, lambda src: find_image(listed.file, src),
                       shift=(min(levels) - 2) if levels else 0)
    builder.walk(main)
    builder.flush()
    if len(page.blocks) > page_blocks.MAX_BLOCKS:
        page.notes.append(_("ブロックが多いため、%(n)s個目までを取り込みました。") % {"n": page_blocks.MAX_BLOCKS})
        page.blocks = page.blocks[: page_blocks.MAX_BLOCKS]
    if not any(block.kind in ("text", "image") for block in page.blocks):
        page.error = _("%(file)s に本文が見つかりません。") % {"file": listed.file}
        return page
    try:
        page.blocks = page_blocks.parse(page_blocks.dump(page.blocks))
    except page_blocks.BlockError as error:
        page.error = _("%(file)s の本文を読み取れません（%(reason)s）。") % {"file": listed.file, "reason": error}
    return page


def site_suffix(titles: Iterable[str], town: str = "") -> str:
    """The site's name the old CMS put after every title (「｜下仁田町」): the last part after a separator that most
    titles share (at least two, and more than half), or that names the town."""
    titles = [title for title in titles if title]
    pattern = re.compile(rf"\s*[{re.escape(TITLE_SEPARATORS)}]\s*[^{re.escape(TITLE_SEPARATORS)}]+$")
    suffixes = Counter(found.group(0) for title in titles if (found := pattern.search(title)))
    if not suffixes:
        return ""
    suffix, count = suffixes.most_common(1)[0]
    return suffix if (count >= 2 and count * 2 > len(titles)) or (town and town in suffix) else ""


def finish_titles(pages: list[Prepared], town: str = "") -> None:
    """Titles without the site's name, cut to fit; a page left without one is refused."""
    suffix = site_suffix((page.title for page in pages if not page.error), town)
    for page in pages:
        title = page.title[: -len(suffix)] if suffix and page.title.endswith(suffix) else page.title
        title = " ".join(title.split())[:120]
        if not title and not page.error:
            page.error = _("%(file)s にタイトル（title または h1）がありません。") % {"file": page.file}
        page.title = title


def _image_finder(archive: zipfile.ZipFile) -> Callable[[str, str], str | None]:
    members = _members(archive)
    lowered = {name.lower(): name for name in members}

    def find(page_file: str, src: str) -> str | None:
        path = unquote(urlsplit(src).path)
        if not path:
            return None
        candidates = [posixpath.normpath(posixpath.join(posixpath.dirname(page_file), path)),
                      path.lstrip("/"), posixpath.basename(path)]
        for candidate in candidates:
            name = members.get(candidate) and candidate or lowered.get(candidate.lower())
            if name and members[name].file_size <= MAX_IMAGE_BYTES:
                return name
        return None

    return find


# The check (first step) -----------------------------------------------------------------------------------------------

def _may_import(staff: Staff) -> None:
    if staff.role < Role.ADMIN:
        raise Refused(_("ページの取り込みは情報担当の職員だけが行えます。"))


def zip_path(run: ImportRun) -> str:
    return f"{run.municipality.code}/website/imports/{run.pk}.zip"


def start(staff: Staff, archive: File[bytes], *, department: Department, parent: Page | None, base_url: str = "",
          listing: bytes | None = None) -> ImportRun:
    """The first step: the ZIP checked as a whole (Refused when it cannot be taken at all), the run recorded with
    one waiting entry per page, the ZIP kept for the next steps. The pages are read by `check` (in the request for a
    small run, else by a task)."""
    _may_import(staff)
    archive.seek(0)
    with open_zip(archive, archive.size or 0) as opened:
        listed = list_pages(opened, base_url=base_url, listing=listing)
    if len(listed) > MAX_FILES:
        raise Refused({"list": _("ページが多すぎます（上限 %(max)s件）。") % {"max": MAX_FILES}})
    with transaction.atomic():
        run = ImportRun.objects.create(municipality=staff.municipality, started_by=staff, department=department,
                                       parent=parent, total=len(listed),
                                       report=[{"url": item.url, "file": item.file, "state": "waiting", "error": "",
                                                "page": None} for item in listed])
        storage = private_storage()
        if storage.exists(zip_path(run)):
            storage.delete(zip_path(run))
        archive.seek(0)
        storage.save(zip_path(run), archive)
        record("website.import.started", municipality=staff.municipality, actor=staff.user, obj=run,
               data={"pages": len(listed), "department": department.pk, "parent": parent.pk if parent else None})
    return run


def _read_all(run: ImportRun, entries: list[dict[str, Any]], *, progress: Callable[[int], None] | None = None
              ) -> list[Prepared]:
    """Every entry's page read from the run's ZIP (the refusals of the list itself included)."""
    pages: list[Prepared] = []
    seen: set[str] = set()
    taken = set(Page.objects.filter(imported_from__in=[entry["url"] for entry in entries]).values_list(
        "imported_from", flat=True))
    with private_storage().open(zip_path(run), "rb") as handle, zipfile.ZipFile(handle) as archive:
        members = _members(archive)
        find_image = _image_finder(archive)
        for done, entry in enumerate(entries, 1):
            listed = Listed(entry["url"], entry["file"])
            pages.append(_read_one(listed, members, archive, find_image, seen, taken))
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done)
    finish_titles(pages, run.municipality.name)
    return pages


def _read_one(listed: Listed, members: dict[str, zipfile.ZipInfo], archive: zipfile.ZipFile,
              find_image: Callable[[str, str], str | None], seen: set[str], taken: set[str]) -> Prepared:
    parts = urlsplit(listed.url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(listed.url) > 500:
        return Prepared(listed.url, listed.file, error=_("「%(url)s」はページのアドレス（https://〜）ではありません。")
                        % {"url": listed.url[:100]})
    if listed.url in seen:
        return Prepared(listed.url, listed.file, error=_("同じURLが一覧に2回以上あります（%(url)s）。")
                        % {"url": listed.url})
    seen.add(listed.url)
    if listed.url in taken:
        return Prepared(listed.url, listed.file, error=_("このURLのページはすでに取り込んであります。"))
    member = members.get(listed.file)
    if member is None:
        return Prepared(listed.url, listed.file, error=_("%(file)s がZIPの中にありません。") % {"file": listed.file})
    if member.file_size > MAX_PAGE_BYTES:
        return Prepared(listed.url, listed.file, error=_("%(file)s が大きすぎます（1ページ 5 MB まで）。")
                        % {"file": listed.file})
    data = archive.read(member)
    wide = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    if not wide and (b"\x00" in data[:4096] or not re.search(rb"<\s*(html|body|head|title|p|div|h1|!doctype)\b",
                                                             data[:65536], re.IGNORECASE)):
        return Prepared(listed.url, listed.file, error=_("%(file)s はHTMLファイルではありません。")
                        % {"file": listed.file})
    return prepare(listed, data, find_image)


def _judge(page: Prepared) -> None:
    if page.error:
        return
    found = checks.check_version(page.title, page.blocks, {}, {})
    page.errors = sum(1 for finding in found if finding.is_error)
    page.warnings = len(found) - page.errors


def _entry(page: Prepared, state: str) -> dict[str, Any]:
    return {"url": page.url, "file": page.file, "state": "refused" if page.error else state, "error": page.error,
            "page": None, "title": page.title, "date": page.day.isoformat() if page.day else "",
            "blocks": len(page.blocks), "images": len(page.images), "notes": page.notes[:5],
            "errors": page.errors, "warnings": page.warnings}


def check(run: ImportRun) -> ImportRun:
    """Read every page of the run and record which are ready and which are refused (and why). A failure while
    reading ends the run, told on every page (nothing was created)."""
    try:
        return _check(run)
    except Exception as error:  # noqa: BLE001 - the clerk is told; the run never stays "checking"
        logger.exception("website import %s: check failed", run.pk)
        message = _("ファイルを確かめる途中で問題が起きました（%(reason)s）。何も取り込んでいません。"
                    "もう一度ファイルを選んでください。") % {"reason": type(error).__name__}
        run.report = [{**entry, "state": "refused", "error": message} for entry in run.report]
        run.finished_at = timezone.now()
        ImportRun.objects.filter(pk=run.pk).update(report=run.report, finished_at=run.finished_at)
        return run


def _check(run: ImportRun) -> ImportRun:
    entries = list(run.report)

    def progress(done: int) -> None:
        marked = [{**entry, "state": "checked"} if n < done else entry for n, entry in enumerate(entries)]
        ImportRun.objects.filter(pk=run.pk).update(report=marked)

    pages = _read_all(run, entries, progress=progress)
    for page in pages:
        _judge(page)
    run.report = [_entry(page, "ready") for page in pages]
    ImportRun.objects.filter(pk=run.pk).update(report=run.report)
    return run


# Phases ---------------------------------------------------------------------------------------------------------------

def phase(run: ImportRun) -> str:
    """checking (the pages are being read), checked (waiting for the clerk), importing, done, failed or cancelled."""
    states = Counter(entry.get("state") for entry in run.report)
    if run.finished_at is not None:
        return "done" if run.imported else "failed" if states["failed"] else "cancelled"
    if states["waiting"] or states["checked"]:
        return "checking"
    if states["queued"]:
        return "importing"
    return "checked"


def counts(run: ImportRun) -> dict[str, int]:
    states = Counter(entry.get("state") for entry in run.report)
    return {"total": len(run.report), "ready": states["ready"] + states["queued"] + states["imported"],
            "refused": states["refused"], "imported": states["imported"], "checked": states["checked"],
            "read": sum(1 for entry in run.report if entry.get("read")), "queued": states["queued"],
            "failed": states["failed"]}


@transaction.atomic
def confirm(staff: Staff, run: ImportRun) -> int:
    """「問題のないN件を取り込む」: the ready pages queued; returns how many. Refused when nothing is ready or the run
    is not waiting for the clerk."""
    _may_import(staff)
    locked = ImportRun.objects.select_for_update().get(pk=run.pk)
    if phase(locked) != "checked":
        raise Refused(_("この取り込みはすでに始まっているか、終わっています。"))
    ready = sum(1 for entry in locked.report if entry["state"] == "ready")
    if not ready:
        raise Refused(_("取り込めるページがありません。"))
    locked.report = [{**entry, "state": "queued"} if entry["state"] == "ready" else entry for entry in locked.report]
    locked.save(update_fields=["report"])
    record("website.import.confirmed", municipality=staff.municipality, actor=staff.user, obj=locked,
           data={"pages": ready})
    run.report = locked.report
    return ready


@transaction.atomic
def cancel(staff: Staff, run: ImportRun) -> None:
    """The clerk decides not to import what was checked: the run ends, the ZIP is deleted."""
    _may_import(staff)
    locked = ImportRun.objects.select_for_update().get(pk=run.pk)
    if phase(locked) not in ("checked", "checking"):
        raise Refused(_("この取り込みはすでに始まっているか、終わっています。"))
    locked.finished_at = timezone.now()
    locked.save(update_fields=["finished_at"])
    record("website.import.cancelled", municipality=staff.municipality, actor=staff.user, obj=locked)
    transaction.on_commit(lambda: _delete_zip(locked))


def _delete_zip(run: ImportRun) -> None:
    storage = private_storage()
    if storage.exists(zip_path(run)):
        storage.delete(zip_path(run))


# The import (second step) ---------------------------------------------------------------------------------------------

def slug_of(url: str) -> str:
    """The last path segment of the old URL as an ASCII slug (「/kurashi/gomi/index.html」 → 「gomi」)."""
    segments = [unquote(part) for part in urlsplit(url).path.split("/") if part]
    while segments:
        stem = re.sub(r"\.[A-Za-z0-9]{1,6}$", "", segments[-1])
        if stem.lower() not in ("index", "default", "top", ""):
            break
        segments.pop()
    else:
        return "page"
    slug = re.sub(r"[^a-z0-9_-]+", "-", stem.lower()).strip("-_")
    return slug[:50] or "page"


@dataclass
class _Placing:
    """Where the run's pages go: under `parent`, after its last child, with slugs not yet taken."""

    parent: Page | None
    taken: set[str]
    position: int

    def slug(self, url: str) -> str:
        base = slug_of(url)
        slug, n = base, 1
        while slug in self.taken:
            n += 1
            slug = f"{base}-{n}"
        self.taken.add(slug)
        return slug

    def path(self, slug: str) -> str:
        return f"{self.parent.path}/{slug}" if self.parent is not None else slug


def create_page(staff: Staff, placing: _Placing, *, department: Department, url: str, title: str,
                items: list[page_blocks.Block], day: date | None,
                files: Callable[[Page], list[page_blocks.Block]] | None = None) -> Page:
    """One imported page: a 一般ページ with version 1 as a draft, due for 棚卸し today. `files`, given the new page,
    keeps its files and returns the blocks naming them."""
    slug = placing.slug(url)
    placing.position += 1
    page = Page.objects.create(municipality=staff.municipality, parent=placing.parent, slug=slug,
                               path=placing.path(slug), kind=PageKind.GENERAL, department=department,
                               position=placing.position, review_due=timezone.localdate(), imported_from=url)
    if files is not None:
        items = files(page)
    PageVersion.objects.create(municipality=staff.municipality, page=page, number=1, state=VersionState.DRAFT,
                               author=staff, title=title, blocks=page_blocks.dump(items),
                               details={"date": day.isoformat()} if day else {},
                               change_note=_("移行元のページから取り込み"))
    return page


def _save_images(staff: Staff, page: Page, *, prepared: Prepared, archive: zipfile.ZipFile, saved: list[str]
                 ) -> list[page_blocks.Block]:
    """The page's images kept as its files through the one upload service (checked by content, re-encoded without
    camera and location data); the blocks name them by the asset's uuid. An image the service refuses is left out."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from . import assets

    keys: dict[str, str] = {}
    for key, member in prepared.images.items():
        data = archive.read(member)
        if sniff(data[:512]) not in IMAGE_TYPES:
            continue
        try:
            asset = assets.upload(staff, page, SimpleUploadedFile(posixpath.basename(member)[-100:], data))
        except Refused:
            continue
        saved.append(asset.path)
        keys[key] = str(asset.uuid)
    items = []
    for block in prepared.blocks:
        if block.kind == "image":
            if block.get("asset") not in keys:
                continue
            block = page_blocks.Block("image", {**block.data, "asset": keys[block.get("asset")]})
        items.append(block)
    return items


def run_import(run_id: int) -> ImportRun:
    """The second step: the queued pages read again from the ZIP and created in one transaction. A failure rolls
    everything back, and the run says so (nothing half-saved)."""
    run = ImportRun.objects.select_related("started_by__user", "department", "parent", "municipality").get(pk=run_id)
    if phase(run) != "importing":
        return run
    entries = [entry for entry in run.report if entry["state"] == "queued"]

    def progress(done: int) -> None:
        read = {entry["url"] for entry in entries[:done]}
        ImportRun.objects.filter(pk=run.pk).update(report=[
            {**entry, "read": True} if entry["state"] == "queued" and entry["url"] in read else entry
            for entry in run.report])

    saved: list[str] = []
    try:
        pages = {page.url: page for page in _read_all(run, entries, progress=progress)}
        with transaction.atomic():
            created = _create_all(run, pages, saved)
    except Exception as error:  # noqa: BLE001 - any failure ends the run with nothing saved, and is told
        logger.exception("website import %s failed", run.pk)
        for path in saved:
            private_storage().delete(path)
        return _failed(run, error)
    transaction.on_commit(lambda: _delete_zip(run))
    run.refresh_from_db()
    run.imported = created
    return run


def _create_all(run: ImportRun, pages: dict[str, Prepared], saved: list[str]) -> int:
    staff = run.started_by
    parent = run.parent
    siblings = Page.objects.filter(parent=parent)
    placing = _Placing(parent, set(siblings.values_list("slug", flat=True)),
                       siblings.aggregate(last=Max("position"))["last"] or 0)
    report = list(run.report)
    created = 0
    with private_storage().open(zip_path(run), "rb") as handle, zipfile.ZipFile(handle) as archive:
        for n, entry in enumerate(report):
            if entry["state"] != "queued":
                continue
            prepared = pages[entry["url"]]
            if prepared.error:  # changed since the check (an earlier run took the URL …): refused now
                report[n] = {**entry, "state": "refused", "error": prepared.error}
                continue
            page = create_page(staff, placing, department=run.department, url=prepared.url, title=prepared.title,
                               items=prepared.blocks, day=prepared.day,
                               files=functools.partial(_save_images, staff, prepared=prepared, archive=archive,
                                                       saved=saved))
            report[n] = {**entry, "state": "imported", "page": page.pk}
            created += 1
    ImportRun.objects.filter(pk=run.pk).update(report=report, imported=created, finished_at=timezone.now())
    record("website.import.finished", municipality=run.municipality, actor=staff.user, obj=run,
           data={"imported": created, "refused": sum(1 for entry in report if entry["state"] == "refused")})
    return created


def _failed(run: ImportRun, error: Exception) -> ImportRun:
    message = _("取り込みの途中で問題が起きたため、この取り込みでは何も保存していません（%(reason)s）。"
                "もう一度お試しください。") % {"reason": type(error).__name__}
    report = [{**entry, "state": "failed", "error": message} if entry["state"] == "queued" else entry
              for entry in run.report]
    ImportRun.objects.filter(pk=run.pk).update(report=report, imported=0, finished_at=timezone.now())
    record("website.import.failed", municipality=run.municipality, actor=run.started_by.user, obj=run,
           data={"reason": type(error).__name__})
    run.refresh_from_db()
    return run


def start_checking(run: ImportRun) -> None:
    """Read the pages now (a small run) or in a task (after commit)."""
    if run.total <= INLINE_FILES:
        check(run)
        return
    from .. import tasks

    transaction.on_commit(lambda: tasks.check_import.enqueue(run.pk))


def start_importing(run: ImportRun, queued: int) -> None:
    if queued <= INLINE_FILES:
        town = run.municipality

        def now() -> None:
            with scope(municipality=town):
                run_import(run.pk)

        transaction.on_commit(now)
        return
    from .. import tasks

    transaction.on_commit(lambda: tasks.import_pages.enqueue(run.pk))
