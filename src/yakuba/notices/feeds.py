"""Atom feeds of a town's お知らせ (all, or one category), for feed readers, other sites and the prefecture."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from yakuba.kernel.http import TownRequest
from yakuba.kernel.ui.pagecache import cacheable_public

from . import records
from .models import Category, Notice

LATEST = 30
SUMMARY_LENGTH = 200


@dataclass
class Source:
    request: TownRequest
    category: Category | None


class NoticeFeed(Feed):  # type: ignore[type-arg]
    """Made once per request (see `feed`), so the request it keeps is never shared between threads."""

    feed_type = Atom1Feed

    def get_object(self, request: TownRequest, category: str | None = None) -> Source:  # type: ignore[override]
        chosen = get_object_or_404(Category, slug=category) if category else None
        return Source(request, chosen)

    def title(self, source: Source) -> str:
        town = source.request.municipality.name
        if source.category is not None:
            return _("%(town)sのお知らせ（%(category)s）") % {"town": town, "category": source.category.name}
        return _("%(town)sのお知らせ") % {"town": town}

    def subtitle(self, source: Source) -> str:
        return _("%(town)sからのお知らせの新着%(count)d件") % {"town": source.request.municipality.name,
                                                            "count": LATEST}

    def link(self, source: Source) -> str:
        url = reverse("notices:index")
        if source.category is not None:
            url += f"?category={source.category.slug}"
        return source.request.build_absolute_uri(url)

    def feed_url(self, source: Source) -> str:
        return source.request.build_absolute_uri()

    def author_name(self, source: Source) -> str:
        return source.request.municipality.name

    def items(self, source: Source) -> Any:
        notices = Notice.objects.filter(municipality=source.request.municipality).visible().select_related(
            "category", "department")
        if source.category is not None:
            notices = notices.filter(category=source.category)
        items = list(notices[:LATEST])
        for item in items:
            item.feed_url = source.request.build_absolute_uri(
                reverse("notices:detail", args=[item.public_id]))
        return items

    def item_title(self, item: Notice) -> str:
        return f"【{_('防災')}】{item.title}" if item.category.is_emergency else item.title

    def item_description(self, item: Notice) -> str:
        return item.body[:SUMMARY_LENGTH]

    def item_link(self, item: Notice) -> str:
        return str(item.feed_url)  # type: ignore[attr-defined]

    def item_guid(self, item: Notice) -> str:
        return f"urn:uuid:{item.public_id}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Notice) -> datetime:
        return item.publish_at

    def item_updateddate(self, item: Notice) -> datetime:
        return item.publish_at

    def item_categories(self, item: Notice) -> list[str]:
        return [item.category.name]

    def item_author_name(self, item: Notice) -> str:
        return item.department.name


@cacheable_public(kinds=(records.KIND, records.CONTENT))
def feed(request: TownRequest, category: str | None = None) -> HttpResponse:
    if category is not None and not Category.objects.filter(slug=category).exists():
        raise Http404(_("その分類はありません。"))
    response: HttpResponse = NoticeFeed()(request, category=category)
    return response
