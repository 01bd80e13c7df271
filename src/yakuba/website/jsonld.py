"""schema.org JSON-LD of the town's pages, for search engines and AI readers: each kind of page says what it is
(手続き案内 → GovernmentService, よくある質問 → FAQPage, イベント → Event, 施設案内 → CivicStructure, 担当課 →
GovernmentOrganization, お知らせ記事 → NewsArticle, 分類 → CollectionPage), every page its BreadcrumbList, and the
site index the WebSite of the town.

    facts = Facts(...)                       # what the page says, with absolute URLs (views/public.py builds it)
    html = script(graph(facts))              # <script type="application/ld+json">, safe inside HTML
    complete(facts)                          # the page's own type has the properties REQUIRED lists (構造化対応率)

The properties required of each type are those Google's structured-data documentation asks for (or, for types it
has no rich result of, the ones that make the node useful: a service without a description says nothing).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from yakuba.kernel.accounts.models import Department
from yakuba.kernel.tenancy.models import Municipality

from . import blocks as page_blocks
from .models import PageKind

CONTEXT = "https://schema.org"
TYPE_OF_KIND = {
    PageKind.PROCEDURE: "GovernmentService",
    PageKind.FAQ: "FAQPage",
    PageKind.EVENT: "Event",
    PageKind.FACILITY: "CivicStructure",
    PageKind.DEPARTMENT: "GovernmentOrganization",
    PageKind.ARTICLE: "NewsArticle",
    PageKind.SECTION: "CollectionPage",
    PageKind.GENERAL: "WebPage",
}
# What each type must carry to count as structured (構造化対応率) and to pass the test of the JSON-LD.
REQUIRED: dict[str, tuple[str, ...]] = {
    "GovernmentService": ("name", "description", "provider", "serviceOperator", "areaServed", "url"),
    "FAQPage": ("mainEntity",),
    "Question": ("name", "acceptedAnswer"),
    "Answer": ("text",),
    "Event": ("name", "startDate", "location"),
    "Place": ("name",),
    "CivicStructure": ("name", "address"),
    "GovernmentOrganization": ("name", "url"),
    "NewsArticle": ("headline", "datePublished", "author", "publisher"),
    "CollectionPage": ("name", "url"),
    "WebPage": ("name", "url"),
    "BreadcrumbList": ("itemListElement",),
    "ListItem": ("position", "name"),
    "WebSite": ("name", "url", "publisher"),
    "PostalAddress": ("addressCountry",),
    "GeoCoordinates": ("latitude", "longitude"),
}
HEADLINE_MAX = 110  # Google truncates a NewsArticle headline beyond this
OPENING_HOURS = re.compile(r"^(Mo|Tu|We|Th|Fr|Sa|Su)[a-zA-Z,\- ]*( \d\d:\d\d-\d\d:\d\d)?$")
_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@dataclass(frozen=True)
class Facts:
    """What one page says, as the JSON-LD needs it: absolute URLs, its texts (Japanese), and what it links to."""

    kind: str
    url: str
    title: str
    summary: str
    blocks: Sequence[page_blocks.Block]
    details: Mapping[str, Any]
    town: Municipality
    town_url: str  # the town's site (its home page), absolute
    department: Department | None
    published: datetime | None  # first published
    modified: datetime | None  # this version published
    breadcrumbs: Sequence[tuple[str, str]] = ()  # (name, absolute URL) from the top, this page last
    apply_url: str = ""  # the online application (電子申請) of a 手続き案内
    facility: Mapping[str, Any] | None = None  # the facility's record (reservations.facility's columns)
    children: Sequence[tuple[str, str]] = ()  # a section's pages: (title, absolute URL)
    image: str = ""  # the page's first image, absolute
    extra: Mapping[str, Any] = field(default_factory=dict)


def town_name(town: Municipality) -> str:
    return f"{town.prefecture}{town.name}"


def town_node(town: Municipality, town_url: str) -> dict[str, Any]:
    node: dict[str, Any] = {"@type": "GovernmentOrganization", "@id": f"{town_url}#town", "name": town_name(town),
                            "url": town_url}
    if town.name_en:
        node["alternateName"] = town.name_en
    if town.phone:
        node["telephone"] = town.phone
    if town.email:
        node["email"] = town.email
    if town.address:
        node["address"] = address(town.address, town)
    return node


def address(text: str, town: Municipality) -> dict[str, Any]:
    return {"@type": "PostalAddress", "streetAddress": text, "addressRegion": town.prefecture,
            "addressCountry": "JP"}


def _department_node(facts: Facts) -> dict[str, Any]:
    department = facts.department
    node: dict[str, Any] = {"@type": "GovernmentOrganization",
                            "name": f"{town_name(facts.town)} {department.name}" if department else town_name(
                                facts.town),
                            "parentOrganization": {"@id": f"{facts.town_url}#town"}, "url": facts.town_url}
    phone = (department.phone if department else "") or facts.town.phone
    if phone:
        node["telephone"] = phone
    return node


def _text(facts: Facts) -> str:
    return page_blocks.plain_text(list(facts.blocks))


def description(facts: Facts, limit: int = 300) -> str:
    """The summary, or the start of the body when there is none."""
    text = facts.summary or " ".join(_text(facts).split())
    return text[:limit]


def coordinates(details: Mapping[str, Any], row: Mapping[str, Any] | None = None) -> tuple[Any, Any]:
    """The latitude and longitude the editor wrote (latitude/longitude, or lat/lng), else the record's."""
    row = row or {}
    return (details.get("latitude") or details.get("lat") or row.get("緯度"),
            details.get("longitude") or details.get("lng") or row.get("経度"))


def _geo(latitude: Any, longitude: Any) -> dict[str, Any] | None:
    try:
        lat, lng = float(latitude), float(longitude)
    except (TypeError, ValueError):
        return None
    return {"@type": "GeoCoordinates", "latitude": lat, "longitude": lng}


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _service(facts: Facts) -> dict[str, Any]:
    details = facts.details
    node: dict[str, Any] = {
        "@type": "GovernmentService", "name": facts.title, "url": facts.url,
        "provider": {"@id": f"{facts.town_url}#town"}, "serviceOperator": _department_node(facts),
        "areaServed": {"@type": "AdministrativeArea", "name": town_name(facts.town)},
    }
    if description(facts):
        node["description"] = description(facts)
    if details.get("who"):
        node["audience"] = {"@type": "Audience", "audienceType": str(details["who"])}
    channels: list[dict[str, Any]] = []
    if facts.apply_url:
        channels.append({"@type": "ServiceChannel", "name": "オンライン申請", "serviceUrl": facts.apply_url})
        node["potentialAction"] = {"@type": "ApplyAction", "target": facts.apply_url}
    if details.get("where"):
        channels.append({"@type": "ServiceChannel", "name": "窓口",
                         "serviceLocation": {"@type": "Place", "name": str(details["where"])}})
    if channels:
        node["availableChannel"] = channels
    if details.get("fee"):
        node["offers"] = {"@type": "Offer", "description": str(details["fee"])}
    return node


def _faq(facts: Facts) -> dict[str, Any]:
    from yakuba.kernel.ui import richtext

    questions = [{"@type": "Question", "name": block.get("question"),
                  "acceptedAnswer": {"@type": "Answer", "text": richtext.plain_text(block.get("answer"))}}
                 for block in facts.blocks if block.kind == "faq"]
    node: dict[str, Any] = {"@type": "FAQPage", "name": facts.title, "url": facts.url}
    if questions:
        node["mainEntity"] = questions
    return node


def _place(facts: Facts) -> dict[str, Any] | None:
    details = facts.details
    name = details.get("place") or details.get("address")
    if not name:
        return None
    place: dict[str, Any] = {"@type": "Place", "name": str(name)}
    if details.get("address"):
        place["address"] = address(str(details["address"]), facts.town)
    geo = _geo(*coordinates(details))
    if geo:
        place["geo"] = geo
    return place


EVENT_STATUS = {"cancelled": "EventCancelled", "postponed": "EventPostponed", "rescheduled": "EventRescheduled"}


def _event(facts: Facts) -> dict[str, Any]:
    details = facts.details
    node: dict[str, Any] = {
        "@type": "Event", "name": facts.title, "url": facts.url,
        "organizer": ({"@type": "Organization", "name": str(details["organizer"])} if details.get("organizer")
                      else _department_node(facts)),
        "eventStatus": f"{CONTEXT}/{EVENT_STATUS.get(str(details.get('status', '')), 'EventScheduled')}",
        "eventAttendanceMode": f"{CONTEXT}/{'Online' if details.get('online') else 'Offline'}EventAttendanceMode",
    }
    if details.get("starts"):
        node["startDate"] = str(details["starts"])
    if details.get("ends"):
        node["endDate"] = str(details["ends"])
    place = _place(facts)
    if place:
        node["location"] = place
    if description(facts):
        node["description"] = description(facts)
    if details.get("fee"):
        node["offers"] = {"@type": "Offer", "description": str(details["fee"]), "url": facts.url}
    if facts.image:
        node["image"] = facts.image
    return node


def _facility(facts: Facts) -> dict[str, Any]:
    details, row = facts.details, facts.facility or {}
    node: dict[str, Any] = {"@type": "CivicStructure", "name": facts.title, "url": facts.url}
    where = details.get("address") or row.get("所在地_連結表記")
    if where:
        node["address"] = address(str(where), facts.town)
    geo = _geo(*coordinates(details, row))
    if geo:
        node["geo"] = geo
    phone = details.get("phone") or row.get("電話番号")
    if phone:
        node["telephone"] = str(phone)
    hours = str(details.get("hours") or row.get("利用可能日時特記事項") or "")
    if hours and OPENING_HOURS.match(hours):
        node["openingHours"] = hours
    text = description(facts)
    if hours and not OPENING_HOURS.match(hours):
        text = f"{text}（利用時間: {hours}）" if text else f"利用時間: {hours}"
    if details.get("closed"):
        text = f"{text}（休み: {details['closed']}）" if text else f"休み: {details['closed']}"
    if text:
        node["description"] = text
    if row.get("URL"):
        node["potentialAction"] = {"@type": "ReserveAction", "target": str(row["URL"])}
    if facts.image:
        node["photo"] = facts.image
    return node


def _organisation(facts: Facts) -> dict[str, Any]:
    node = _department_node(facts)
    node["url"] = facts.url
    if facts.department is None:
        node["name"] = facts.title
    if facts.details.get("phone"):
        node["telephone"] = str(facts.details["phone"])
    if facts.details.get("email"):
        node["email"] = str(facts.details["email"])
    where = facts.details.get("address") or facts.details.get("place")
    if where:
        node["address"] = address(str(where), facts.town)
    if description(facts):
        node["description"] = description(facts)
    return node


def _article(facts: Facts) -> dict[str, Any]:
    node: dict[str, Any] = {
        "@type": "NewsArticle", "headline": facts.title[:HEADLINE_MAX], "url": facts.url,
        "mainEntityOfPage": facts.url, "publisher": {"@id": f"{facts.town_url}#town"},
        "author": _department_node(facts), "inLanguage": "ja",
    }
    if facts.published:
        node["datePublished"] = _iso(facts.published)
    if facts.modified:
        node["dateModified"] = _iso(facts.modified)
    if description(facts):
        node["description"] = description(facts)
    if facts.image:
        node["image"] = facts.image
    return node


def _collection(facts: Facts, kind: str = "CollectionPage") -> dict[str, Any]:
    node: dict[str, Any] = {"@type": kind, "name": facts.title, "url": facts.url, "inLanguage": "ja",
                            "isPartOf": {"@id": f"{facts.town_url}#website"}}
    if description(facts):
        node["description"] = description(facts)
    if facts.children:
        node["hasPart"] = [{"@type": "WebPage", "name": name, "url": url} for name, url in facts.children]
    if facts.modified:
        node["dateModified"] = _iso(facts.modified)
    return node


BUILDERS = {
    PageKind.PROCEDURE: _service, PageKind.FAQ: _faq, PageKind.EVENT: _event, PageKind.FACILITY: _facility,
    PageKind.DEPARTMENT: _organisation, PageKind.ARTICLE: _article, PageKind.SECTION: _collection,
}


def main_node(facts: Facts) -> dict[str, Any]:
    """The node of the page's own type."""
    builder = BUILDERS.get(PageKind(facts.kind)) if facts.kind in PageKind.values else None
    node = builder(facts) if builder is not None else _collection(facts, "WebPage")
    node["@id"] = f"{facts.url}#main"
    return node


def breadcrumb_node(crumbs: Sequence[tuple[str, str]], page_url: str) -> dict[str, Any]:
    return {"@type": "BreadcrumbList", "@id": f"{page_url}#breadcrumb", "itemListElement": [
        {"@type": "ListItem", "position": position, "name": name, "item": url}
        for position, (name, url) in enumerate(crumbs, start=1)]}


def graph(facts: Facts) -> list[dict[str, Any]]:
    """The page's nodes: its own, its breadcrumbs and the town it belongs to."""
    nodes = [main_node(facts)]
    if facts.breadcrumbs:
        nodes.append(breadcrumb_node(facts.breadcrumbs, facts.url))
    nodes.append(town_node(facts.town, facts.town_url))
    return nodes


def site_graph(town: Municipality, town_url: str, site_url: str) -> list[dict[str, Any]]:
    """The site index: the WebSite and the town that publishes it."""
    website = {"@type": "WebSite", "@id": f"{town_url}#website", "name": town_name(town), "url": site_url,
               "inLanguage": ["ja", "en"], "publisher": {"@id": f"{town_url}#town"}}
    return [website, town_node(town, town_url)]


def missing(node: Mapping[str, Any]) -> list[str]:
    """The properties REQUIRED of the node's type (and of the typed nodes inside it) that it lacks."""
    found: list[str] = []
    kind = node.get("@type")
    for name in REQUIRED.get(str(kind), ()):
        value = node.get(name)
        if value in (None, "", [], {}):
            found.append(f"{kind}.{name}")
    for value in node.values():
        for inner in value if isinstance(value, list) else [value]:
            if isinstance(inner, Mapping) and "@type" in inner:
                found += missing(inner)
    return found


def complete(facts: Facts) -> bool:
    """The page has a structured type of its own (not a plain WebPage) with its required properties."""
    node = main_node(facts)
    return node["@type"] != "WebPage" and not missing(node)


def dumps(nodes: list[dict[str, Any]]) -> str:
    return json.dumps({"@context": CONTEXT, "@graph": nodes}, ensure_ascii=False, separators=(",", ":"))


def script(nodes: list[dict[str, Any]]) -> SafeString:
    """The nodes in a <script type="application/ld+json"> element: <, > and & escaped (as json_script does), so no
    text of a page can end the element or open another."""
    text = dumps(nodes).translate(_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308 - escaped above
