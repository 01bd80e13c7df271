"""The site's KPIs as plan 000 reads them: 全ページの棚卸し完了率, 構造化対応率, pages published, the English share,
over a window now and one in the past."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django_scopes import scope

from tests import factories
from tests.website.public_support import make_page, new_version
from yakuba.kernel import metrics
from yakuba.website.models import Page, PageKind, Review, ReviewOutcome, Site

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=TOKYO)


def value(key: str, start: date, end: date):
    return metrics.get(key).value(start, end)


def created(page: Page, day: date, **fields) -> Page:
    with scope(municipality=page.municipality):
        Page.objects.filter(pk=page.pk).update(created_at=at(day), **fields)
    page.refresh_from_db()
    return page


def test_inventory_rate_counts_pages_reviewed_or_written_within_the_cycle(town_a, staff_a):
    fresh = created(make_page(town_a, "fresh", title="新しい"), date(2026, 3, 1))  # written: inventoried
    stale = created(make_page(town_a, "stale", title="古い"), date(2024, 1, 10))  # never reviewed since
    reviewed = created(make_page(town_a, "reviewed", title="確認済み"), date(2024, 1, 10))
    imported = created(make_page(town_a, "imported", title="移行"), date(2026, 2, 1),
                       imported_from="https://www.town.shimonita.lg.jp/old.html")
    retired = created(make_page(town_a, "retired", title="廃止"), date(2024, 1, 10), retired_at=at(date(2025, 6, 1)))
    with scope(municipality=town_a):
        Review.objects.create(municipality=town_a, page=reviewed, outcome=ReviewOutcome.CONFIRMED, reviewed_by=staff_a,
                              reviewed_at=at(date(2025, 9, 1)))
        # inventory of 2026-04-01: fresh, reviewed inventoried; stale, imported not; retired does not count
        assert value("website.inventory_rate", date(2026, 3, 1), date(2026, 4, 1)) == 50
        # a past window: at 2025-03-01, fresh did not exist yet; retired still stood; none reviewed within 12 months
        assert value("website.inventory_rate", date(2025, 2, 1), date(2025, 3, 1)) == 0
        Review.objects.create(municipality=town_a, page=imported, outcome=ReviewOutcome.UPDATED, reviewed_by=staff_a,
                              reviewed_at=at(date(2026, 3, 10)))
        assert value("website.inventory_rate", date(2026, 3, 1), date(2026, 4, 1)) == 75
        # a shorter cycle: the review of 2025-09 is too old at 2026-04 with 6 months
        Site.objects.create(municipality=town_a, review_months=6)
        assert value("website.inventory_rate", date(2026, 3, 1), date(2026, 4, 1)) == 50
        assert value("website.inventory_rate", date(2020, 1, 1), date(2020, 2, 1)) is None
    assert stale and retired and fresh


def test_structured_rate_counts_public_pages_whose_json_ld_is_complete(town_a):
    factories.make_procedure(town_a, slug="inu", title="犬の登録")
    when = at(date(2026, 3, 1))
    make_page(town_a, "inu", kind=PageKind.PROCEDURE, title="犬の登録", summary="登録が必要です。",
              details={"procedure": "inu"}, published_at=when)
    make_page(town_a, "nodesc", kind=PageKind.PROCEDURE, title="説明のない手続き", summary="", blocks=[],
              published_at=when)  # a GovernmentService without a description is not structured
    make_page(town_a, "faq", kind=PageKind.FAQ, title="よくある質問", published_at=when, blocks=[
        {"type": "faq", "question": "いつですか", "answer": "<p>毎週です。</p>"}])
    make_page(town_a, "kiyaku", kind=PageKind.GENERAL, title="利用規約", published_at=when)  # no type of its own
    with scope(municipality=town_a):
        for page in Page.objects.all():
            created(page, date(2026, 2, 1))
        assert value("website.structured_rate", date(2026, 3, 1), date(2026, 4, 1)) == 50
        assert value("website.structured_rate", date(2026, 1, 1), date(2026, 2, 1)) is None  # nothing public yet


def test_pages_published_and_the_english_share_over_past_and_present_windows(town_a):
    page = make_page(town_a, "gomi", title="ごみ", published_at=at(date(2026, 1, 15)))
    other = make_page(town_a, "koseki", title="戸籍", published_at=at(date(2026, 1, 20)))
    new_version(page, title_en="Rubbish", blocks_en=[{"type": "text", "html": "<p>Sort it.</p>"}],
                published_at=at(date(2026, 2, 10)))
    with scope(municipality=town_a):
        for each in (page, other):
            created(each, date(2026, 1, 10))
        assert value("website.pages_published", date(2026, 1, 1), date(2026, 2, 1)) == 2
        assert value("website.pages_published", date(2026, 2, 1), date(2026, 3, 1)) == 1
        assert value("website.translated_rate", date(2026, 1, 1), date(2026, 2, 1)) == 0  # as it stood then
        assert value("website.translated_rate", date(2026, 2, 1), date(2026, 3, 1)) == 50


def test_the_metrics_are_registered_for_the_plans(town_a):
    keys = {metric.key for metric in metrics.all_metrics() if metric.app == "website"}
    assert keys == {"website.inventory_rate", "website.structured_rate", "website.pages_published",
                    "website.translated_rate"}
    assert metrics.get("website.inventory_rate").kind == metrics.Kind.STOCK
