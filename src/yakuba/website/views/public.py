"""Resident pages of 公式ホームページ: the site index (分野から探す), each page by its path with its JSON-LD, the files
pages show, sitemap.xml, robots.txt and the Atom feed of what is new. Every page is the same for every visitor, so
each is cached (kernel/ui/pagecache.py) and a disaster's load is served from the cache; `render_page` also shows a
draft to the editor (preview: never cached, never indexed)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID
from xml.sax.saxutils import escape

from django.conf import settings
from django.db.models import Min, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import NoReverseMatch, get_script_prefix, path, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from yakuba.kernel import records
from yakuba.kernel.accounts.models import Department
from yakuba.kernel.files.http import private_file_response
from yakuba.kernel.http import TownRequest
from yakuba.kernel.ui import prefs
from yakuba.kernel.ui import registry as ui_registry
from yakuba.kernel.ui.pagecache import DEPARTMENTS, cacheable_public

from .. import blocks as page_blocks
from .. import feeds, jsonld
from ..models import Asset, Page, PageKind, PageVersion, Site
from ..registry import PAGES
from ..services import pages as pages_service

# What the pages show besides the site's own rows: the 課 (phone), the linked procedure and facility.
PROCEDURES = "applications.procedure"
FACILITIES = "reservations.facility"
PAGE_KINDS = (PAGES, DEPARTMENTS, PROCEDURES, FACILITIES)
IMAGE_MAX_AGE = 3600  # a public page's image: browsers and proxies may keep it an hour
# The fields of `PageVersion.details` each kind shows, as the editor writes them (views/forms.py; all optional):
#   procedure: procedure (the 電子申請 procedure's slug), who, when, where, fee, bring
#   facility:  facility (the reservations.facility record's key), address, hours, closed, phone, latitude, longitude
#   event:     starts, ends (ISO 8601), place, address, fee, organizer, latitude, longitude (status, online: optional)
#   department: department (the pk of the 課 the page is about), place, hours (email: optional)
#   article:   date (掲載日, ISO 8601)


def language_of(request: HttpRequest) -> str:
    """Which words the resident reads: "en" (English chosen), "easy" (やさしい日本語: the display preference, or
    ?easy=1 on the page) or "ja"."""
    if getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE) == "en":
        return "en"
    easy_on = getattr(prefs, "easy_on", None)  # the preference kernel/ui/prefs.py offers, once it does
    if request.GET.get("easy") == "1" or (easy_on is not None and request.GET.get("easy") != "0"
                                           and easy_on(request)):
        return "easy"
    return "ja"


def public_pages() -> QuerySet[Page]:
    """The town's pages residents can read now (inside the town's scope)."""
    found: QuerySet[Page] = pages_service.public_pages()
    return found


def page_url(page: Page) -> str:
    return reverse("website:page", args=[page.path]) if page.path else reverse("website:index")


# The words shown ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Words:
    """A page's title, summary and body in the reader's language, or in Japanese where none was written (`lang`
    says which, per part, so the Japanese is marked lang="ja" inside an English page)."""

    title: str
    title_lang: str
    summary: str
    summary_lang: str
    blocks: list[page_blocks.Block]
    body_lang: str
    untranslated: bool  # the reader asked for English or やさしい日本語 and some of it is Japanese

    @property
    def lang(self) -> str:
        return self.title_lang


def _parsed(raw: Any) -> list[page_blocks.Block]:
    try:
        return page_blocks.parse(raw)
    except page_blocks.BlockError:
        return []  # a stored body is parsed when saved; a broken one shows nothing rather than an error page


def words_of(version: PageVersion, language: str) -> Words:
    japanese = _parsed(version.blocks)
    if language == "en":
        title, summary, body = version.title_en, version.summary_en, _parsed(version.blocks_en)
        lang = "en"
    elif language == "easy":
        title, summary, body = version.title_easy, version.summary_easy, _parsed(version.blocks_easy)
        lang = "ja"
    else:
        return Words(version.title, "ja", version.summary, "ja", japanese, "ja", False)
    untranslated = (not title or (bool(japanese) and not body) or (bool(version.summary) and not summary)
                    or any(block.get("untranslated") for block in body))
    return Words(title or version.title, lang if title else "ja", summary or version.summary,
                 lang if summary else "ja", body or japanese, lang if body else "ja", untranslated)


# The page -----------------------------------------------------------------------------------------------------------

def asset_views(page: Page, *, preview: bool = False) -> dict[str, page_blocks.AssetView]:
    """The page's files as the blocks show them, by uuid (and by primary key, whichever the block names). A preview
    shows a draft's files from the staff site (residents get only the files of a published version)."""
    views: dict[str, page_blocks.AssetView] = {}
    route = "staff:website-asset" if preview else "website:file"
    for asset in Asset.objects.filter(page=page):
        view = page_blocks.AssetView(url=reverse(route, args=[asset.uuid]), content_type=asset.content_type,
                                     size=asset.size, name=asset.original_name, width=asset.width,
                                     height=asset.height, has_text=bool(asset.text))
        views[str(asset.uuid)] = views[str(asset.pk)] = view
    return views


def _ancestors(page: Page) -> list[Page]:
    parts = page.path.split("/")[:-1]
    paths = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    if not paths:
        return []
    found = {p.path: p for p in public_pages().filter(path__in=paths).select_related("live")}
    return [found[p] for p in paths if p in found]


def _title(page: Page, language: str) -> tuple[str, str]:
    """A linked page's title in the reader's language and the language it is in."""
    version = page.live
    if version is None:
        return page.slug, "ja"
    if language == "en" and version.title_en:
        return version.title_en, "en"
    if language == "easy" and version.title_easy:
        return version.title_easy, "ja"
    return version.title, "ja"


@dataclass(frozen=True)
class Link:
    title: str
    url: str
    lang: str = "ja"
    summary: str = ""


def _children(page: Page, language: str) -> list[Link]:
    links = []
    for child in public_pages().filter(parent=page).select_related("live").order_by("position", "path"):
        title, lang = _title(child, language)
        version = child.live
        summary = ""
        if version is not None:
            summary = (version.summary_en if language == "en" else version.summary_easy if language == "easy"
                       else "") or version.summary
        links.append(Link(title, page_url(child), lang, summary))
    return links


def _facility_row(municipality: Any, key: str) -> Mapping[str, Any] | None:
    if not key:
        return None
    return next((row.values for row in records.rows(FACILITIES, municipality) if row.key == key), None)


@dataclass
class Linked:
    """What a page links to through the kernel's records: the 電子申請 procedure, the bookable facility."""

    procedure: records.Document | None = None
    facility: Mapping[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def linked_of(municipality: Any, page: Page, version: PageVersion) -> Linked:
    details = version.details or {}
    linked = Linked()
    if page.kind == PageKind.PROCEDURE and details.get("procedure"):
        linked.procedure = records.find_document(PROCEDURES, str(details["procedure"]))
    if page.kind == PageKind.FACILITY and details.get("facility"):
        linked.facility = _facility_row(municipality, str(details["facility"]))
    return linked


def _first_image(blocks: Iterable[page_blocks.Block], assets: Mapping[str, page_blocks.AssetView]) -> str:
    for block in blocks:
        if block.kind == "image" and block.get("asset") in assets:
            return assets[block.get("asset")].url
    return ""


def described_department(page: Page, version: PageVersion) -> Department:
    """The 課 a 担当課 page is about (the editor names it), else the page's owner."""
    chosen = (version.details or {}).get("department") if page.kind == PageKind.DEPARTMENT else None
    if chosen and str(chosen).isdigit():
        found = Department.objects.filter(pk=int(chosen)).first()
        if found is not None:
            return found
    return page.department


def _dated(version: PageVersion, first_published: datetime | None) -> datetime | None:
    """When an article was published: its 掲載日 if the editor gave one, else its first publication."""
    from django.utils.dateparse import parse_date

    given = (version.details or {}).get("date")
    day = parse_date(str(given)) if given else None
    if day is not None:
        return timezone.make_aware(datetime.combine(day, datetime.min.time()))
    return first_published or version.published_at


def facts_of(page: Page, version: PageVersion, *, absolute: Any, crumbs: list[tuple[str, str]],
             linked: Linked, children: list[Link], assets: Mapping[str, page_blocks.AssetView],
             first_published: datetime | None) -> jsonld.Facts:
    """What the JSON-LD says of the page (always in Japanese, the page's own language); `absolute` makes a path
    absolute."""
    parsed = _parsed(version.blocks)
    image = _first_image(parsed, assets)
    return jsonld.Facts(
        kind=page.kind, url=absolute(page_url(page)), title=version.title, summary=version.summary, blocks=parsed,
        details=version.details or {}, town=page.municipality, town_url=absolute(reverse("ui:home")),
        department=described_department(page, version), published=_dated(version, first_published),
        modified=version.published_at, breadcrumbs=crumbs,
        apply_url=absolute(linked.procedure.url) if linked.procedure is not None else "",
        facility=linked.facility, children=[(link.title, absolute(link.url)) for link in children],
        image=absolute(image) if image else "")


def _detail_rows(page: Page, version: PageVersion, linked: Linked, language: str = "ja"
                 ) -> list[tuple[str, str, str]]:
    """(label, value, its language) of the kind's fields, in the order a resident reads them: a field's English or
    やさしい日本語 where staff wrote one, else the Japanese (marked lang="ja" on an English page)."""
    details, row = version.details or {}, linked.facility or {}
    labels: dict[str, tuple[tuple[str, str], ...]] = {
        PageKind.PROCEDURE: (("who", _("対象となる方")), ("when", _("時期・期限")), ("where", _("窓口")),
                             ("fee", _("手数料")), ("bring", _("持ち物"))),
        PageKind.FACILITY: (("address", _("所在地")), ("hours", _("利用時間")), ("closed", _("休み")),
                            ("phone", _("電話番号"))),
        PageKind.EVENT: (("place", _("場所")), ("address", _("所在地")), ("fee", _("参加費")),
                         ("organizer", _("主催"))),
        PageKind.DEPARTMENT: (("place", _("場所")), ("address", _("所在地")), ("hours", _("受付時間")),
                              ("phone", _("電話番号")), ("email", _("メール"))),
    }
    fallback: dict[str, Any] = {}
    if page.kind == PageKind.FACILITY:
        fallback = {"address": row.get("所在地_連結表記"), "hours": row.get("利用可能日時特記事項"),
                    "phone": row.get("電話番号")}
    elif page.kind == PageKind.DEPARTMENT:
        fallback = {"phone": described_department(page, version).phone}
    rows = []
    for name, label in labels.get(page.kind, ()):
        value = details.get(name) or fallback.get(name)
        if not value:
            continue
        translated = details.get(f"{name}_{language}") if language != "ja" and details.get(name) else None
        shown_in = "en" if translated and language == "en" else "ja"
        rows.append((label, str(translated or value), shown_in))
    return rows


def _event_dates(version: PageVersion) -> tuple[Any, Any]:
    from django.utils.dateparse import parse_date, parse_datetime

    def parsed(value: Any) -> Any:
        if not value:
            return None
        text = str(value)
        return parse_datetime(text) or parse_date(text) if "T" in text or " " in text else parse_date(text)

    details = version.details or {}
    try:
        return parsed(details.get("starts")), parsed(details.get("ends"))
    except ValueError:
        return None, None


def _map_block(version: PageVersion, linked: Linked) -> SafeString:
    """A map of the facility or the event's place, when its position is known (the blocks may hold maps too)."""
    details, row = version.details or {}, linked.facility or {}
    lat, lng = jsonld.coordinates(details, row)
    label = details.get("place") or details.get("address") or row.get("名称") or version.title
    try:
        block = page_blocks.parse([{"type": "map", "lat": lat, "lng": lng, "label": str(label)}])[0]
    except page_blocks.BlockError:
        return SafeString("")
    return page_blocks.render_block(block, 0, {})


def _contact(page: Page, version: PageVersion, language: str) -> dict[str, str]:
    department = described_department(page, version)
    name = department.name_en if language == "en" and department.name_en else department.name
    email = (version.details or {}).get("email", "") if page.kind == PageKind.DEPARTMENT else ""
    return {"name": name, "lang": "en" if name == department.name_en and language == "en" else "ja",
            "phone": department.phone or page.municipality.phone, "email": str(email)}


def render_page(request: HttpRequest, page: Page, version: PageVersion, *, preview: bool = False) -> HttpResponse:
    """The page as residents read it, showing `version` (its live one, or a draft for the editor's preview: then
    never cached nor indexed, with a banner saying it is not published)."""
    language = language_of(request)
    words = words_of(version, language)
    assets = asset_views(page, preview=preview)
    ancestors = _ancestors(page)
    children = _children(page, language)
    linked = linked_of(request.municipality, page, version)  # type: ignore[attr-defined]
    home = reverse("ui:home")
    crumbs = [Link(_("トップページ"), home)] + [
        Link(title, page_url(a), lang) for a in ancestors for title, lang in [_title(a, language)]]
    first_published = (PageVersion.objects.filter(page=page, published_at__isnull=False)
                       .aggregate(first=Min("published_at"))["first"])
    absolute = request.build_absolute_uri
    schema_crumbs = [(jsonld.town_name(page.municipality), absolute(home))] + [
        (a.live.title if a.live else a.slug, absolute(page_url(a))) for a in ancestors] + [
        (version.title, absolute(page_url(page)))]
    facts = facts_of(page, version, absolute=absolute, crumbs=schema_crumbs, linked=linked, children=children,
                     assets=assets, first_published=first_published)
    starts, ends = _event_dates(version) if page.kind == PageKind.EVENT else (None, None)
    body = page_blocks.render(words.blocks, assets)
    has_map = any(block.kind == "map" for block in words.blocks)
    place_map = _map_block(version, linked) if page.kind in (PageKind.FACILITY, PageKind.EVENT) else SafeString("")
    response = render(request, "website/public/page.html", {
        "page": page, "version": version, "words": words, "language": language, "body": body,
        "crumbs": crumbs, "children": children, "linked": linked,
        "details": _detail_rows(page, version, linked, language),
        # The linked procedure's key in kernel.words (its records key is "applications.procedure:<pk>").
        "procedure_pk": linked.procedure.key.rpartition(":")[2] if linked.procedure is not None else "",
        "starts": starts, "ends": ends, "starts_time": isinstance(starts, datetime),
        "ends_time": isinstance(ends, datetime), "place_map": place_map,
        "has_map": has_map or bool(place_map), "map_config": {
            "tiles": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION,
            "zoomIn": _("地図を拡大"), "zoomOut": _("地図を縮小")},
        "faqs": [block for block in words.blocks if block.kind == "faq"],
        "contact": _contact(page, version, language), "updated": version.published_at or version.updated_at,
        "description": jsonld.description(facts, 160) if language == "ja" else (words.summary or facts.summary),
        "canonical": absolute(page_url(page)), "jsonld": jsonld.script(jsonld.graph(facts)), "preview": preview,
        "is_section": page.kind == PageKind.SECTION,
    })
    if preview:
        patch_cache_control(response, private=True, no_store=True)
        response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_GET
@cacheable_public(kinds=PAGE_KINDS)
def page_view(request: TownRequest, path: str) -> HttpResponse:
    path = path.strip("/")
    found = (Page.objects.select_related("live", "department", "parent", "municipality")
             .filter(path=path).first())
    if found is None or found.live is None:
        raise Http404(_("ページが見つかりません。"))
    if found.retired_at is not None:
        return gone(request, found, _("このページは掲載を終了しました"))
    if found.expires_at is not None and found.expires_at <= timezone.now():
        return gone(request, found, _("掲載期限が過ぎました"))
    return render_page(request, found, found.live)


def gone(request: TownRequest, page: Page, message: str) -> HttpResponse:
    """410 Gone: the page was here and is no more (a resident following an old link or a bookmark is told so, with
    the section it was in)."""
    section = public_pages().filter(pk=page.parent_id).select_related("live").first() if page.parent_id else None
    title = _title(section, language_of(request))[0] if section is not None else ""
    return render(request, "website/public/gone.html", {
        "message": message, "section": section, "section_title": title,
        "section_url": page_url(section) if section is not None else reverse("website:index"),
    }, status=410)


# The site index -----------------------------------------------------------------------------------------------------

@require_GET
@cacheable_public(kinds=PAGE_KINDS)
def index(request: TownRequest) -> HttpResponse:
    """分野から探す: the top sections, each with the pages under it."""
    language = language_of(request)
    tops = list(public_pages().filter(parent__isnull=True).select_related("live").order_by("position", "path"))
    below: dict[int, list[Link]] = {}
    for child in (public_pages().filter(parent__in=[top.pk for top in tops]).select_related("live")
                  .order_by("position", "path")):
        title, lang = _title(child, language)
        below.setdefault(child.parent_id or 0, []).append(Link(title, page_url(child), lang))
    sections = [{"link": Link(*_pair(top, language)), "children": below.get(top.pk, [])} for top in tops]
    absolute = request.build_absolute_uri
    town_url, site_url = absolute(reverse("ui:home")), absolute(reverse("website:index"))
    return render(request, "website/public/index.html", {
        "sections": sections, "canonical": site_url,
        "jsonld": jsonld.script(jsonld.site_graph(request.municipality, town_url, site_url)),
    })


def _pair(page: Page, language: str) -> tuple[str, str, str]:
    title, lang = _title(page, language)
    return title, page_url(page), lang


# Files --------------------------------------------------------------------------------------------------------------

def _referenced(asset: Asset, version: PageVersion | None) -> bool:
    if version is None:
        return False
    names = {str(asset.uuid), str(asset.pk)}
    return any(isinstance(block, Mapping) and str(block.get("asset", "")) in names
               for body in (version.blocks, version.blocks_en, version.blocks_easy) if isinstance(body, list)
               for block in body)


def asset_is_public(asset: Asset) -> bool:
    """A file residents may fetch: shown by a public page's live version, or the town's emblem."""
    page = asset.page
    live = page.retired_at is None and (page.expires_at is None or page.expires_at > timezone.now())
    return (live and _referenced(asset, page.live)) or Site.objects.filter(emblem=asset).exists()


@require_GET
def file(request: TownRequest, uuid: UUID) -> HttpResponseBase:
    asset = Asset.objects.select_related("page__live").filter(uuid=uuid).first()
    if asset is None or not asset_is_public(asset):
        raise Http404(_("ファイルが見つかりません。"))
    response = private_file_response(asset.path, content_type=asset.content_type, filename=asset.original_name,
                                     inline=True)
    if asset.is_image:
        del response["Cache-Control"]
        patch_cache_control(response, public=True, max_age=IMAGE_MAX_AGE)
    return response


# Sitemap and robots.txt ---------------------------------------------------------------------------------------------

def _service_paths() -> list[str]:
    """The other systems' public entry points (電子申請, 施設予約, お知らせ …) as the home page lists them."""
    found = []
    for entry in ui_registry.public_services:
        try:
            found.append(reverse(entry.url_name))
        except NoReverseMatch:
            continue
    return found


@require_GET
@cacheable_public(kinds=(PAGES,))
def sitemap(request: TownRequest) -> HttpResponse:
    """sitemap.xml (sitemaps.org 0.9): every public page with its last publication, one query for the pages."""
    base = request.build_absolute_uri(reverse("website:index"))
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for location in [reverse("ui:home"), reverse("website:index"), *_service_paths()]:
        lines.append(f"<url><loc>{escape(request.build_absolute_uri(location))}</loc></url>")
    for page_path, published in public_pages().exclude(path="").order_by("path").values_list(
            "path", "live__published_at"):
        lastmod = f"<lastmod>{published.date().isoformat()}</lastmod>" if published else ""
        lines.append(f"<url><loc>{escape(base + page_path)}/</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return HttpResponse("\n".join(lines) + "\n", content_type="application/xml; charset=utf-8")


@require_GET
@cacheable_public()
def robots(request: TownRequest) -> HttpResponse:
    prefix = get_script_prefix()
    text = "\n".join([
        "User-agent: *", f"Disallow: {prefix}staff/", f"Disallow: {prefix}accounts/",
        f"Sitemap: {request.build_absolute_uri(reverse('website:sitemap'))}", ""])
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


urlpatterns = [
    path("site/", index, name="index"),
    path("site/feed.xml", feeds.feed, name="feed"),
    path("site/files/<uuid:uuid>/", file, name="file"),
    path("site/<path:path>/", page_view, name="page"),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("robots.txt", robots, name="robots"),
]
staff_urlpatterns: list[Any] = []
