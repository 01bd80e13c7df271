"""防災情報ボード: alerts in force and 避難所 status, the live fragment the board refreshes from, caching."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from tests import factories
from tests.notices.test_views_public import url
from yakuba.notices.models import NoticeAttachment, ShelterStatus
from yakuba.notices.services import shelters

pytestmark = pytest.mark.django_db


def make_shelters(town, *named: tuple[str, str, dict[str, str]]) -> None:
    """Publish the 指定避難所 (name, status, more columns) in the open data and set each status."""
    sites = [{"ID": f"{n:06d}", "名称": name, **more} for n, (name, _status, more) in enumerate(named, 1)]
    factories.publish_shelters(town, *sites)
    staff = factories.make_staff(town, department="総務課")
    with scope(municipality=town):
        for site, (_name, status, more) in zip(sites, named, strict=True):
            if status != ShelterStatus.CLOSED:
                shelters.set_shelter_status(staff, site["ID"], status=status, note=more.get("note", ""))


def test_the_board_shows_alerts_newest_first_and_every_shelter_status_in_words(client, town_a, town_b):
    area = factories.make_area(town_a, "馬山地区")
    factories.make_notice(town_a, title="高齢者等避難", category="bousai",
                          publish_at=timezone.now() - timedelta(hours=2))
    alert = factories.make_notice(town_a, title="避難指示", category="bousai", areas=[area])
    factories.make_notice(town_a, title="ごみ収集日の変更", category="gomi")
    factories.make_notice(town_b, title="甘楽町の避難指示", category="bousai")
    make_shelters(town_a, ("下仁田小学校", ShelterStatus.OPEN, {"想定収容人数": "200", "note": "毛布あり",
                                                              "緯度": "36.212345", "経度": "138.789012"}),
                  ("馬山公民館", ShelterStatus.CROWDED, {}), ("下仁田中学校", ShelterStatus.FULL, {}),
                  ("青倉集会所", ShelterStatus.CLOSED, {}))
    factories.publish_shelters(town_b, {"ID": "000001", "名称": "甘楽町の避難所"})
    with scope(municipality=town_a):
        NoticeAttachment.objects.create(municipality=town_a, notice=alert, title="冠水した道路", path="x.jpg",
                                        original_name="x.jpg", content_type="image/jpeg")

    response = client.get(url("bousai"))

    html = response.content.decode()
    assert response.status_code == 200 and "max-age=30" in response["Cache-Control"]
    assert "下仁田町" in html and "防災情報" in html
    assert html.index("避難指示") < html.index("高齢者等避難")
    assert "ごみ収集日の変更" not in html and "甘楽町の避難指示" not in html
    for words in ("開設中", "混雑", "満員", "未開設", "200人", "毛布あり", "青倉集会所"):
        assert words in html
    assert "https://maps.gsi.go.jp/#16/36.212345/138.789012/" in html and "甘楽町の避難所" not in html
    assert "/opendata/evacuation-sites/items/000001/" in html  # the shelter's page in the open data
    assert 'alt="冠水した道路"' in html and 'loading="lazy"' in html
    assert "最終更新 " in html and "最新の情報に更新" in html and 'aria-live="polite"' in html
    assert "http-equiv" not in html and "notices/bousai.js" in html


def test_no_alert_says_so(client, town_a):
    html = client.get(url("bousai")).content.decode()

    assert "現在、発表中の防災情報はありません" in html


def test_the_live_fragment_is_the_board_without_the_page(client, town_a):
    factories.make_notice(town_a, title="避難指示", category="bousai")
    make_shelters(town_a, ("下仁田小学校", ShelterStatus.OPEN, {}))

    response = client.get(url("bousai-fragment"))

    html = response.content.decode()
    assert response.status_code == 200 and "max-age=30" in response["Cache-Control"]
    assert "避難指示" in html and "下仁田小学校" in html and "開設中" in html and "最終更新" in html
    assert "<html" not in html and "<header" not in html
