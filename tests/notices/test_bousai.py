"""防災情報ボード: alerts in force and 避難所 status, the live fragment the board refreshes from, caching."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scope

from tests import factories
from tests.notices.test_views_public import url
from yakuba.notices.models import NoticeAttachment, Shelter, ShelterStatus

pytestmark = pytest.mark.django_db


def make_shelter(town, name: str, status: str, **fields) -> Shelter:
    with scope(municipality=town):
        return Shelter.objects.create(municipality=town, name=name, status=status, **fields)


def test_the_board_shows_alerts_newest_first_and_every_shelter_status_in_words(client, town_a, town_b):
    area = factories.make_area(town_a, "馬山地区")
    factories.make_notice(town_a, title="高齢者等避難", category="bousai",
                          publish_at=timezone.now() - timedelta(hours=2))
    alert = factories.make_notice(town_a, title="避難指示", category="bousai", areas=[area])
    factories.make_notice(town_a, title="ごみ収集日の変更", category="gomi")
    factories.make_notice(town_b, title="甘楽町の避難指示", category="bousai")
    make_shelter(town_a, "下仁田小学校", ShelterStatus.OPEN, area=area, capacity=200, note="毛布あり",
                 latitude=Decimal("36.212345"), longitude=Decimal("138.789012"))
    make_shelter(town_a, "馬山公民館", ShelterStatus.CROWDED)
    make_shelter(town_a, "下仁田中学校", ShelterStatus.FULL)
    make_shelter(town_a, "青倉集会所", ShelterStatus.CLOSED)
    with scope(municipality=town_a):
        NoticeAttachment.objects.create(municipality=town_a, notice=alert, title="冠水した道路", path="x.jpg",
                                        original_name="x.jpg", content_type="image/jpeg")

    response = client.get(url("bousai"))

    html = response.content.decode()
    assert response.status_code == 200 and "max-age=30" in response["Cache-Control"]
    assert "下仁田町" in html and "防災情報" in html
    assert html.index("避難指示") < html.index("高齢者等避難")
    assert "ごみ収集日の変更" not in html and "甘楽町の避難指示" not in html
    for words in ("開設中", "混雑", "満員", "未開設", "200人", "毛布あり", "馬山地区"):
        assert words in html
    assert "https://maps.gsi.go.jp/#16/36.212345/138.789012/" in html
    assert 'alt="冠水した道路"' in html and 'loading="lazy"' in html
    assert "最終更新 " in html and "最新の情報に更新" in html and 'aria-live="polite"' in html
    assert "http-equiv" not in html and "notices/bousai.js" in html


def test_no_alert_says_so(client, town_a):
    html = client.get(url("bousai")).content.decode()

    assert "現在、発表中の防災情報はありません" in html


def test_the_live_fragment_is_the_board_without_the_page(client, town_a):
    factories.make_notice(town_a, title="避難指示", category="bousai")
    make_shelter(town_a, "下仁田小学校", ShelterStatus.OPEN)

    response = client.get(url("bousai-fragment"))

    html = response.content.decode()
    assert response.status_code == 200 and "max-age=30" in response["Cache-Control"]
    assert "避難指示" in html and "下仁田小学校" in html and "開設中" in html and "最終更新" in html
    assert "<html" not in html and "<header" not in html
