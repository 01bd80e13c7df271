"""The Atom feed of the town's site: the pages published or updated most recently (お知らせ記事 among them), for feed
readers, other sites and the prefecture's portal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from yakuba.kernel.http import TownRequest
from yakuba.kernel.ui.pagecache import DEPARTMENTS, cacheable_public

from .models import Page
from .registry import PAGES

LATEST = 30
SUMMARY_LENGTH = 200


@dataclass
class Source:
    request: TownRequest


class PageFeed(Feed):  # type: ignore[type-arg]
    """Made once per request (see `feed`), so the request it keeps is never shared between threads."""

    feed_type = Atom1Feed

    def get_object(self, request: TownRequest) -> Source:  # type: ignore[override]
        return Source(request)

    def title(self, source: Source) -> str:
        return _("%(town)sホームページの新着・更新") % {"town": source.request.municipality.name}

    def subtitle(self, source: Source) -> str:
        return _("%(town)sのホームページで公開・更新したページの新着%(count)d件") % {
            "town": source.request.municipality.name, "count": LATEST}

    def link(self, source: Source) -> str:
        return source.request.build_absolute_uri(reverse("website:index"))

    def feed_url(self, source: Source) -> str:
        return source.request.build_absolute_uri()

    def author_name(self, source: Source) -> str:
        return source.request.municipality.name

    def items(self, source: Source) -> Any:
        from .views.public import page_url, public_pages

        pages = list(public_pages().select_related("live", "department")
                     .order_by("-live__published_at", "path")[:LATEST])
        for page in pages:
            page.feed_url = source.request.build_absolute_uri(page_url(page))  # type: ignore[attr-defined]
        return pages

    def item_title(self, item: Page) -> str:
        title = item.live.title if item.live else item.slug
        return f"【{item.get_kind_display()}】{title}"

    def item_description(self, item: Page) -> str:
        return item.live.summary[:SUMMARY_LENGTH] if item.live else ""

    def item_link(self, item: Page) -> str:
        return str(item.feed_url)  # type: ignore[attr-defined]

    def item_guid(self, item: Page) -> str:
        number = item.live.number if item.live else 0
        return f"urn:uuid:{item.uuid}#v{number}"  # a new version is a new entry for the reader

    item_guid_is_permalink = False

    def item_pubdate(self, item: Page) -> datetime | None:
        return item.live.published_at if item.live else None

    def item_updateddate(self, item: Page) -> datetime | None:
        return item.live.published_at if item.live else None

    def item_categories(self, item: Page) -> list[str]:
        return [str(item.get_kind_display())]

    def item_author_name(self, item: Page) -> str:
        return item.department.name


@cacheable_public(kinds=(PAGES, DEPARTMENTS))
def feed(request: TownRequest) -> HttpResponse:
    response: HttpResponse = PageFeed()(request)
    return response
