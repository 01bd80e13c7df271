"""The town's site settings (町章, テーマカラー with its contrast checked, ひとこと, the home page's shortcuts, the
棚卸し cycle) and what the home page reads of the site: its sections, news, the ごみ page and the pages every site
has (利用規約, プライバシーポリシー …) under their well-known slugs."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Q
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.kernel.accounts.models import Role, Staff
from yakuba.kernel.audit.services import record as audit
from yakuba.kernel.files.uploads import UploadRejected, check_upload, private_storage, save_private
from yakuba.kernel.refusal import NON_FIELD, Refused
from yakuba.kernel.tenancy.models import Municipality

from ..models import Page, PageKind, PageVersion, Site

# The pages every site has, at the top of the tree under these slugs (kernel.ui.registry.legal_links links them).
WELL_KNOWN = {"terms": "terms", "privacy": "privacy", "accessibility": "accessibility", "help": "help",
              "contact": "contact"}
GOMI_SLUG = "gomi"  # the ごみ page the home page leads with, wherever it sits in the tree
MAX_SHORTCUTS = 6
MIN_CONTRAST = 4.5  # WCAG 2.x 1.4.3 (AA): white text on the town's colour
EMBLEM_TYPES = ("image/png", "image/jpeg")
EMBLEM_MAX_BYTES = 2 * 1024 * 1024
EMBLEM_SIDE = 256  # pixels: the emblem is shown at most 48 px high; twice that and more for sharp screens
COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
WHITE = "#ffffff"


# ---------------------------------------------------------------- colour and contrast (WCAG 2.x)

def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """Relative luminance of "#rrggbb" (WCAG 2.x)."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(first: str, second: str = WHITE) -> float:
    """Contrast ratio of two colours, 1 to 21."""
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def darker(colour: str, target: float = MIN_CONTRAST) -> str:
    """The same hue made darker, step by step, until white text on it reaches `target` (a suggestion)."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    for step in range(100, -1, -1):
        factor = step / 100
        candidate = f"#{round(r * factor):02x}{round(g * factor):02x}{round(b * factor):02x}"
        if contrast(candidate) >= target:
            return candidate
    return "#000000"


def ratio_text(ratio: float) -> str:
    # Rounded down: 4.49 must never read as 4.5 next to a refusal.
    return f"{int(ratio * 100) / 100:.2f}"


# ---------------------------------------------------------------- the settings

@dataclass
class Shortcut:
    """A button the home page leads with: words, where it goes (this site's path or https), its English words."""

    label: str
    url: str
    label_en: str = ""


@dataclass
class SiteData:
    """What the 情報担当 sends from the settings page."""

    colour: str
    tagline: str = ""
    tagline_en: str = ""
    tagline_easy: str = ""
    shortcuts: list[Shortcut] = field(default_factory=list)
    review_months: int = 12
    emblem: UploadedFile[bytes] | None = None
    remove_emblem: bool = False


def site_of(municipality: Municipality) -> Site | None:
    return Site.objects.filter(municipality=municipality).first()


def ensure_site(municipality: Municipality) -> Site:
    site, _created = Site.objects.get_or_create(municipality=municipality)
    return site


def _shortcut_url_ok(url: str) -> bool:
    if url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return True
    return bool(re.match(r"^https://[^/\s\\]+(/\S*)?$", url))


def _check_shortcuts(shortcuts: list[Shortcut], errors: dict[str, str]) -> list[dict[str, str]]:
    kept: list[dict[str, str]] = []
    filled = [(i, s) for i, s in enumerate(shortcuts) if s.label.strip() or s.url.strip() or s.label_en.strip()]
    if len(filled) > MAX_SHORTCUTS:
        errors[NON_FIELD] = _("ショートカットは%(n)s個までです。") % {"n": MAX_SHORTCUTS}
    for index, shortcut in filled:
        label, url = " ".join(shortcut.label.split()), shortcut.url.strip()
        label_en = " ".join(shortcut.label_en.split())
        if not label:
            errors[f"shortcut_{index}_label"] = _("ボタンの文字を入力してください。")
        elif len(label) > 20:
            errors[f"shortcut_{index}_label"] = _("ボタンの文字は20文字以内にしてください。")
        if not url:
            errors[f"shortcut_{index}_url"] = _("リンク先を入力してください。")
        elif len(url) > 300 or not _shortcut_url_ok(url):
            errors[f"shortcut_{index}_url"] = _(
                "リンク先は「/」で始まるこのサイトのページか、https:// で始まるアドレスにしてください。")
        if len(label_en) > 40:
            errors[f"shortcut_{index}_label_en"] = _("英語の文字は40文字以内にしてください。")
        kept.append({"label": label, "url": url, "label_en": label_en})
    return kept


def check_colour(colour: str) -> str | None:
    """Why the colour cannot be the town's (None: it can): white text on it must reach 4.5:1."""
    if not COLOUR_RE.match(colour):
        return _("テーマカラーは #0017c1 のように「#」と16進数6桁で入力してください。")
    ratio = contrast(colour)
    if ratio < MIN_CONTRAST:
        return _("この色では白い文字が読みにくくなります（コントラスト比 %(ratio)s：1、4.5：1以上が必要）。"
                 "より濃い色にしてください。例：%(suggestion)s（%(suggested)s：1）") % {
            "ratio": ratio_text(ratio), "suggestion": darker(colour),
            "suggested": ratio_text(contrast(darker(colour)))}
    return None


def _validate(data: SiteData) -> tuple[dict[str, Any], bytes | None]:
    errors: dict[str, str] = {}
    data.colour = data.colour.strip().lower()
    problem = check_colour(data.colour)
    if problem:
        errors["colour"] = problem
    for name, limit in (("tagline", 120), ("tagline_en", 200), ("tagline_easy", 120)):
        value = " ".join(str(getattr(data, name)).split())
        setattr(data, name, value)
        if len(value) > limit:
            errors[name] = _("%(limit)s文字以内で入力してください。") % {"limit": limit}
    if not 1 <= data.review_months <= 36:
        errors["review_months"] = _("棚卸しの周期は1から36か月の間で入力してください。")
    shortcuts = _check_shortcuts(data.shortcuts, errors)
    emblem = None
    if data.emblem is not None:
        try:
            emblem = emblem_png(data.emblem)
        except UploadRejected as error:
            errors["emblem"] = str(error)
    if errors:
        raise Refused(errors)
    values = {"colour": data.colour, "tagline": data.tagline, "tagline_en": data.tagline_en,
              "tagline_easy": data.tagline_easy, "shortcuts": shortcuts, "review_months": data.review_months}
    return values, emblem


def emblem_png(upload: UploadedFile[bytes]) -> bytes:
    """The uploaded PNG or JPEG as a fresh PNG of at most EMBLEM_SIDE pixels: its pixels only (no metadata, no
    trailing bytes). An SVG, a file that only claims to be an image, or one too large is refused."""
    from PIL import Image

    check_upload(upload, accept=EMBLEM_TYPES, max_size=EMBLEM_MAX_BYTES)
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            if image.width * image.height > 25_000_000:
                raise UploadRejected(_("画像の縦横が大きすぎます。"))
            image.load()
            picture = image.convert("RGBA")
    except UploadRejected:
        raise
    except Exception:  # noqa: BLE001 - whatever Pillow says of a broken file, the answer is the same
        raise UploadRejected(_("画像を読み取れませんでした。PNG か JPEG の画像を選んでください。")) from None
    picture.thumbnail((EMBLEM_SIDE, EMBLEM_SIDE))
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _snapshot(site: Site) -> dict[str, Any]:
    return {"colour": site.colour, "tagline": site.tagline, "tagline_en": site.tagline_en,
            "tagline_easy": site.tagline_easy, "shortcuts": site.shortcuts, "review_months": site.review_months,
            "emblem": bool(site.emblem_path)}


@transaction.atomic
def save_settings(staff: Staff, data: SiteData, *, revision: int | None) -> Site:
    """Save the town's site settings (情報担当 only). Refused when another 情報担当 saved since the page was opened
    (`revision`), when the colour is too light for white text, or when a value is wrong: nothing is saved then."""
    if staff.role < Role.ADMIN:
        raise Refused(_("サイトの設定を変えられるのは情報担当です。"))
    ensure_site(staff.municipality)
    site = Site.objects.select_for_update().get(municipality_id=staff.municipality_id)
    if revision is not None and site.revision != revision:
        raise Refused(_("サイトの設定は、あなたが開いた後に他の人が保存しました。あなたの入力はこの画面に残して"
                        "います。内容を見比べてから、もう一度保存してください。"))
    values, emblem = _validate(data)
    before = _snapshot(site)
    for name, value in values.items():
        setattr(site, name, value)
    if emblem is not None:
        site.emblem_path = save_private(ContentFile(emblem, name="emblem.png"), "website/emblems")
    elif data.remove_emblem:
        site.emblem_path = ""
    site.revision = F("revision") + 1
    site.save()
    site.refresh_from_db()
    audit("website.site.saved", municipality=staff.municipality, actor=staff.user, obj=site,
          data={"before": before, "after": _snapshot(site)})
    return site


def emblem_bytes(site: Site) -> bytes | None:
    if not site.emblem_path:
        return None
    try:
        with private_storage().open(site.emblem_path, "rb") as stored:
            data: bytes = stored.read()
            return data
    except OSError:
        return None


def set_emblem(site: Site, png: bytes) -> None:
    """Store a drawn emblem (the demo's), as an upload would be stored."""
    site.emblem_path = save_private(ContentFile(png, name="emblem.png"), "website/emblems")


# ---------------------------------------------------------------- what the home page reads

def page_url(path: str) -> str:
    """Where residents read the page at `path` (the public pages' URL, /site/<path>/)."""
    try:
        return reverse("website:page", args=[path])
    except NoReverseMatch:
        return f"{get_script_prefix()}site/{path}/"


def public_pages() -> Any:
    now = timezone.now()
    return (Page.objects.filter(live__isnull=False, retired_at__isnull=True)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now)))


@dataclass(frozen=True)
class Words:
    """A text in the reader's language: `lang` is set when it is not the page's ("ja": not translated)."""

    text: str
    lang: str = ""


def words(version: PageVersion | Site | None, name: str, language: str) -> Words:
    """`name` ("title", "summary", "tagline") of a version (or the Site) in `language` ("ja", "en", "easy"); the
    Japanese, marked lang="ja", where there is no translation."""
    if version is None:
        return Words("")
    japanese = str(getattr(version, name, "") or "")
    if language == "en":
        english = str(getattr(version, f"{name}_en", "") or "")
        return Words(english) if english else Words(japanese, "ja" if japanese else "")
    if language == "easy":
        easy = str(getattr(version, f"{name}_easy", "") or "")
        return Words(easy or japanese)
    return Words(japanese)


@dataclass
class Link:
    title: Words
    url: str
    summary: Words = field(default_factory=lambda: Words(""))
    children: list[Link] = field(default_factory=list)


def _link(page: Page, language: str) -> Link:
    return Link(words(page.live, "title", language), page_url(page.path), words(page.live, "summary", language))


def sections(language: str, children: int = 4) -> list[Link]:
    """The site's sections (分類ページ at the top of the tree, in order) with their first children: two queries. The
    pages every site has (問い合わせ先 …) are not subjects residents browse: the footer and the contacts link them."""
    top = list(public_pages().filter(parent__isnull=True, kind=PageKind.SECTION)
               .exclude(slug__in=list(WELL_KNOWN.values())).select_related("live").order_by("position", "path"))
    below: dict[int, list[Page]] = {}
    for page in (public_pages().filter(parent__in=[page.pk for page in top]).select_related("live")
                 .order_by("parent_id", "position", "path")):
        below.setdefault(page.parent_id or 0, []).append(page)
    found = []
    for page in top:
        link = _link(page, language)
        link.children = [_link(child, language) for child in below.get(page.pk, [])[:children]]
        found.append(link)
    return found


def news(language: str, limit: int = 5) -> list[tuple[Any, Link]]:
    """The newest お知らせ記事 (published date, link)."""
    pages = (public_pages().filter(kind=PageKind.ARTICLE).select_related("live")
             .order_by("-live__published_at")[:limit])
    return [(page.live.published_at if page.live else None, _link(page, language)) for page in pages]


def gomi_page() -> Page | None:
    """The site's ごみ page (slug "gomi", the one nearest the top)."""
    pages = list(public_pages().filter(slug=GOMI_SLUG).select_related("live"))
    return min(pages, key=lambda page: (page.path.count("/"), page.path)) if pages else None


def well_known_urls() -> dict[str, str]:
    """{key: url} of the town's published pages with the well-known slugs (one query)."""
    found = public_pages().filter(parent__isnull=True, slug__in=list(WELL_KNOWN.values())).values_list("slug",
                                                                                                       "path")
    by_slug = dict(found)
    return {key: page_url(by_slug[slug]) for key, slug in WELL_KNOWN.items() if slug in by_slug}
