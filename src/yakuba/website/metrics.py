"""Kernel metrics of the town's site, which plan 000 binds its KPIs to: 全ページの棚卸し完了率, 構造化対応率, pages
published, and the English share of what residents read. Read inside the town's scope; each is told as it stood at
any past day, from the kept versions and reviews.

棚卸し: a page counts as inventoried at a moment when its last review (Review.reviewed_at), or its creation, falls
within the site's review cycle (Site.review_months, 12 by default) before it. A page written in yakuba was checked
by the one who wrote it; a page imported from the old site (Page.imported_from) was not: it counts only once the
owning 課 reviewed it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Max, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_scopes import get_scope

from yakuba.kernel import metrics, records
from yakuba.kernel.metrics import Kind, Metric

from . import jsonld
from .models import STRUCTURED_KINDS, Page, PageKind, PageVersion, Site

DEFAULT_REVIEW_MONTHS = 12


def _town(rows: QuerySet[Any]) -> QuerySet[Any]:
    municipality = get_scope().get("municipality")
    return rows.filter(municipality=municipality) if municipality is not None else rows


def _standing(until: datetime) -> QuerySet[Page]:
    """Pages that existed and were not retired at `until`."""
    return _town(Page.objects.filter(created_at__lt=until).filter(
        Q(retired_at__isnull=True) | Q(retired_at__gte=until)))


def _review_months() -> int:
    site = _town(Site.objects.all()).first()
    return site.review_months if site is not None and site.review_months else DEFAULT_REVIEW_MONTHS


def inventory_rate(start: date, end: date) -> float | None:
    """全ページの棚卸し完了率 at `end`: of the pages standing then, the share reviewed (or, unless imported, created)
    within the review cycle before it."""
    _, until = metrics.moments(start, end)
    since = until - relativedelta(months=_review_months())
    pages = _standing(until).annotate(last_review=Max("reviews__reviewed_at", filter=Q(reviews__reviewed_at__lt=until)))
    total = done = 0
    for imported, created, reviewed in pages.values_list("imported_from", "created_at", "last_review"):
        total += 1
        checked = [moment for moment in (reviewed, None if imported else created) if moment is not None]
        done += any(moment >= since for moment in checked)
    return metrics.share(done, total)


def live_versions(until: datetime) -> Iterator[tuple[Page, PageVersion]]:
    """Each page public at `until` with the version residents read then (the last published before it, not yet
    expired)."""
    pages = {page.pk: page for page in _standing(until).select_related("department", "municipality")}
    versions = (_town(PageVersion.objects.filter(page_id__in=list(pages), published_at__lt=until))
                .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=until)).order_by("page_id", "-published_at"))
    seen: set[int] = set()
    for version in versions:
        if version.page_id in seen:
            continue
        seen.add(version.page_id)
        yield pages[version.page_id], version


def _complete(page: Page, version: PageVersion, facilities: dict[str, Any]) -> bool:
    from .views.public import page_url

    def absolute(path: str) -> str:
        return page.municipality.absolute_url(path)

    from .views.public import _parsed

    parsed = _parsed(version.blocks)
    details = version.details or {}
    procedure = (records.find_document("applications.procedure", str(details["procedure"]))
                 if page.kind == PageKind.PROCEDURE and details.get("procedure") else None)
    url = absolute(page_url(page))
    facts = jsonld.Facts(
        kind=page.kind, url=url, title=version.title, summary=version.summary, blocks=parsed, details=details,
        town=page.municipality, town_url=absolute("/"), department=page.department, published=version.published_at,
        modified=version.published_at, breadcrumbs=((version.title, url),),
        apply_url=absolute(procedure.url) if procedure is not None else "",
        facility=facilities.get(str(details.get("facility", ""))) if page.kind == PageKind.FACILITY else None)
    return jsonld.complete(facts)


def structured_rate(start: date, end: date) -> float | None:
    """構造化対応率 at `end`: of the public pages, the share of a structured kind (手続き案内, よくある質問, イベント,
    施設案内, 担当課, お知らせ記事, 分類) whose JSON-LD has the properties its type requires."""
    _, until = metrics.moments(start, end)
    shown = list(live_versions(until))
    if not shown:
        return None
    municipality = shown[0][0].municipality
    facilities = {row.key: row.values for row in records.rows("reservations.facility", municipality)}
    done = sum(1 for page, version in shown
               if page.kind in STRUCTURED_KINDS and _complete(page, version, facilities))
    return metrics.share(done, len(shown))


def pages_published(start: date, end: date) -> int:
    """Versions published in [start, end): new pages and updates."""
    since, until = metrics.moments(start, end)
    return _town(PageVersion.objects.filter(published_at__gte=since, published_at__lt=until)).count()


def translated_rate(start: date, end: date) -> float | None:
    """Of the public pages at `end`, the share with an English title and body (a page of Q&A or text alike)."""
    _, until = metrics.moments(start, end)
    shown = list(live_versions(until))
    done = sum(1 for _page, version in shown if version.title_en and (version.blocks_en or not version.blocks))
    return metrics.share(done, len(shown))


metrics.register(Metric("website.inventory_rate", _("全ページの棚卸し完了率"), "%", inventory_rate, kind=Kind.STOCK,
                        description=_("その時点のページのうち、棚卸しの周期（既定12か月）の間に担当課が確認したページの割合"
                                      "（作成したページは作成時に確認済み。移行したページは確認するまで未完了）"),
                        app="website"))
metrics.register(Metric("website.structured_rate", _("ホームページの構造化対応率"), "%", structured_rate,
                        kind=Kind.STOCK,
                        description=_("公開中のページのうち、種類に合った構造化データ（schema.org）を必要な項目とともに"
                                      "出しているページの割合"), app="website"))
metrics.register(Metric("website.pages_published", _("ホームページの公開・更新数"), "件", pages_published,
                        description=_("期間内に公開したページの版の数（新規と更新）"), app="website"))
metrics.register(Metric("website.translated_rate", _("ホームページの英語対応率"), "%", translated_rate, kind=Kind.STOCK,
                        description=_("公開中のページのうち、英語のタイトルと本文があるページの割合"), app="website"))
