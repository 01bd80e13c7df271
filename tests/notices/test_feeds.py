"""Atom feeds of お知らせ: the latest visible notices of one town, absolute links, 【防災】 in front of alerts."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from tests import factories
from tests.notices.test_views_public import url

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(response) -> list[ET.Element]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return root.findall(f"{ATOM}entry")


def test_the_feed_lists_visible_notices_newest_first_with_absolute_links(client, town_a, town_b):
    now = timezone.now()
    older = factories.make_notice(town_a, title="ごみ収集日の変更", body="あ" * 300, category="gomi",
                                  publish_at=now - timedelta(days=1))
    alert = factories.make_notice(town_a, title="避難指示", category="bousai", publish_at=now - timedelta(hours=1))
    factories.make_notice(town_a, title="下書き", published=False)
    factories.make_notice(town_a, title="予定", publish_at=now + timedelta(hours=2))
    factories.make_notice(town_b, title="甘楽町のお知らせ")

    found = entries(client.get(url("feed")))

    assert [entry.findtext(f"{ATOM}title") for entry in found] == ["【防災】避難指示", "ごみ収集日の変更"]
    links = [entry.find(f"{ATOM}link").get("href") for entry in found]
    assert links == [f"http://testserver/t/10382/notices/{alert.public_id}/",
                     f"http://testserver/t/10382/notices/{older.public_id}/"]
    assert found[1].findtext(f"{ATOM}summary") == "あ" * 200
    assert datetime.fromisoformat(found[0].findtext(f"{ATOM}updated")) == alert.publish_at


def test_a_category_feed_has_only_that_category_and_an_unknown_one_is_not_found(client, town_a):
    factories.make_notice(town_a, title="避難指示", category="bousai")
    factories.make_notice(town_a, title="ごみ収集日の変更", category="gomi")

    found = entries(client.get(url("category-feed", "gomi")))

    assert [entry.findtext(f"{ATOM}title") for entry in found] == ["ごみ収集日の変更"]
    assert client.get(url("category-feed", "nai")).status_code == 404


def test_the_feed_stops_at_thirty(client, town_a):
    for number in range(32):
        factories.make_notice(town_a, title=f"お知らせ{number}", publish_at=timezone.now() - timedelta(minutes=number))

    assert len(entries(client.get(url("feed")))) == 30
