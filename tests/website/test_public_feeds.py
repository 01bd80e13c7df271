"""sitemap.xml, robots.txt and the Atom feed of the town's site, parsed as XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope

from tests.website.public_support import make_page
from yakuba.website.models import PageKind

pytestmark = pytest.mark.django_db
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PAGE_CACHE = False


def test_the_sitemap_lists_every_public_page_with_its_last_publication(client, town_a, town_b):
    section = make_page(town_a, "kurashi", kind=PageKind.SECTION, title="くらし",
                        published_at=timezone.now() - timedelta(days=10))
    make_page(town_a, "gomi", parent=section, title="ごみ")
    make_page(town_a, "draft", parent=section, title="下書き", published=False)
    gone = make_page(town_a, "old", parent=section, title="古い")
    with scope(municipality=town_a):
        gone.expires_at = timezone.now() - timedelta(seconds=1)
        gone.save()
    make_page(town_b, "kanra", title="甘楽専用のページ")
    response = client.get("/t/10382/sitemap.xml")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{SITEMAP}urlset"
    entries = {url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod") for url in root}
    base = "http://testserver/t/10382"
    assert entries[f"{base}/site/kurashi/"] == (timezone.now() - timedelta(days=10)).date().isoformat()
    assert f"{base}/site/kurashi/gomi/" in entries and f"{base}/" in entries and f"{base}/site/" in entries
    assert f"{base}/procedures/" in entries  # the other systems' entry points
    assert not [loc for loc in entries if "draft" in loc or "old" in loc or "kanra" in loc]


def test_the_sitemap_reads_the_pages_in_one_query(client, town_a):
    for index in range(30):
        make_page(town_a, f"p{index}", title=f"ページ{index}")
    with CaptureQueriesContext(connection) as queries:
        client.get("/t/10382/sitemap.xml")
    assert len([q for q in queries.captured_queries if "website_page" in q["sql"]]) == 1


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_staff_pages(client, town_a):
    text = client.get("/t/10382/robots.txt").content.decode()
    assert "Sitemap: http://testserver/t/10382/sitemap.xml" in text and "Disallow: /t/10382/staff/" in text


def test_the_feed_lists_the_newest_pages_first(client, town_a):
    make_page(town_a, "old", kind=PageKind.ARTICLE, title="先月のお知らせ", published_at=timezone.now() - timedelta(30))
    make_page(town_a, "new", kind=PageKind.ARTICLE, title="今日のお知らせ", summary="今日の要約")
    root = ET.fromstring(client.get("/t/10382/site/feed.xml").content)
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["【お知らせ記事】今日のお知らせ",
                                                             "【お知らせ記事】先月のお知らせ"]
    assert entries[0].find(f"{ATOM}link").get("href") == "http://testserver/t/10382/site/new/"
    assert entries[0].findtext(f"{ATOM}summary") == "今日の要約"
