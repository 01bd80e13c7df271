"""One story in the demo: a shelter, a facility, a fee, a rule exists once, and every system shows that one record.

For each demo town: the shelters on the 防災 board are exactly the 指定避難所 rows of the open data; every facility a
demo text names by its proper name is a bookable facility of that name; the rules and FAQs state no fee or deadline
of their own (they point to the page generated from the booking settings, which states the booking's values); and
防災メール is signed up for where the platform takes it (the お知らせ subscribe page), not through 電子申請.
"""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from tests import factories
from yakuba.assistant.models import Document
from yakuba.kernel import records
from yakuba.kernel.scheduling import calendar
from yakuba.kernel.tenancy.models import Municipality
from yakuba.notices.models import Notice
from yakuba.notices.services import shelters
from yakuba.opendata import definitions
from yakuba.opendata.models import Dataset
from yakuba.opendata.services import publish
from yakuba.reservations import guide
from yakuba.reservations.models import Facility, GroupCategory

pytestmark = pytest.mark.django_db

TOWNS = ("103829", "103845", "104213", "223441")
# Kinds of place a text names by a proper name ("下仁田町公民館"); generic words ("公民館や体育館") are not names.
PLACE_WORDS = ("公民館", "体育館", "グラウンド", "子育て支援センター", "文化会館", "文化ホール", "生涯学習センター")
# Names of places the demo once named that no system holds: a second copy of a facility.
UNKNOWN = ("中央公民館", "地区公民館", "文化会館", "文化ホール", "生涯学習センター", "総合体育館", "すくすくひろば")
# A fee or a deadline ("2,000円", "三日前", "前日まで"), but not the rounding rule (一円未満の端数).
FIGURES = re.compile(r"[0-9０-９,，一二三四五六七八九十百千万]+円(?!未満)"
                     r"|[0-9０-９一二三四五六七八九十]+(日|か月|月|時間)前|前日まで")


@pytest.fixture
def demo(demo_for_module):
    """The demo, loaded once for this module (tests/conftest.py); each test's changes are undone."""


def demo_texts(town: Municipality) -> dict[str, str]:
    """Every text the demo writes for the town by hand: its FAQ, ordinances, rules, help pages and notices."""
    data = resources.files("yakuba.assistant.demo").joinpath(f"data/{town.code}")
    texts = {f"FAQ {item['question']}": item["answer"]
             for item in json.loads(data.joinpath("faq.json").read_text(encoding="utf-8"))}
    for item in json.loads(data.joinpath("documents.json").read_text(encoding="utf-8")):
        texts[item["title"]] = data.joinpath(item["file"]).read_text(encoding="utf-8")
    with scope(municipality=town):
        texts.update({f"お知らせ {n.title}": f"{n.body}\n{n.easy_body}" for n in Notice.objects.all()})
    return texts


def named_places(town: Municipality, text: str) -> set[str]:
    """The places a text names by proper name: the town's name, then a name ending in a kind of place."""
    words = "|".join(PLACE_WORDS)
    return {m.group(0) for m in re.finditer(rf"{town.name}[^\s、。・「」（）()及びや]*?(?:{words})", text)}


@pytest.mark.parametrize("code", TOWNS)
def test_the_board_shows_exactly_the_datasets_shelters(demo, code):
    town = Municipality.objects.get(code=code)
    with scope(municipality=town):
        dataset = Dataset.objects.get(kind="evacuation-sites")
        version = publish.current_version(dataset)
        assert version is not None
        designated = [row["名称"] for row in publish.read(version).rows if row["指定避難所との重複"] == "1"]
        places = shelters.places(town)
        assert shelters.orphans(town) == []  # no shelter status without its row
    assert designated and [place.name for place in places] == designated

    page = Client().get(factories.town_url(town, reverse("notices:bousai"))).content.decode()
    shown = re.findall(r'class="bousai__shelter-name">(?:<a [^>]*>)?([^<]+)<', page)
    assert shown == designated


@pytest.mark.parametrize("code", TOWNS)
def test_every_facility_a_demo_text_names_is_the_bookable_facility(demo, code):
    town = Municipality.objects.get(code=code)
    with scope(municipality=town):
        facilities = set(Facility.objects.values_list("name", flat=True))
        bookable = set(Facility.objects.filter(is_published=True, rooms__isnull=False).values_list("name", flat=True))
    texts = demo_texts(town)
    named = {name: title for title, text in texts.items() for name in named_places(town, text)}
    assert set(named) - facilities == set(), named
    assert f"{town.name}公民館" in named and f"{town.name}公民館" in bookable
    for title, text in texts.items():
        for name in UNKNOWN:
            assert name not in text, (title, name)
    rule = next(text for title, text in texts.items() if title == f"{town.name}公の施設の使用に関する規則")
    assert named_places(town, rule.split("（施設予約サービスに掲げる事項）")[0]) == bookable


@pytest.mark.parametrize("code", TOWNS)
def test_fees_and_deadlines_are_stated_once_from_the_booking_settings(demo, code):
    town = Municipality.objects.get(code=code)
    texts = demo_texts(town)
    rule = texts[f"{town.name}公の施設の使用に関する規則"]
    assert not FIGURES.search(rule) and "施設予約サービスに掲げる" in rule
    for title, text in texts.items():
        if title.startswith("FAQ") and "施設予約" in text:
            assert not FIGURES.search(text), title
    with scope(municipality=town):
        categories = list(GroupCategory.objects.all())
        kept = set(Document.objects.filter(source_key__startswith="reservations.guide:", retired_at__isnull=True)
                   .values_list("title", flat=True))
        for facility in Facility.objects.filter(is_published=True, rooms__isnull=False).distinct():
            document = records.find_document("reservations.guide", facility.slug)
            assert document is not None and document.title in kept  # the assistant answers from it
            for room in facility.rooms.select_related("resource"):
                rules = calendar.Rules.from_dict(room.resource.rules)
                block = document.text.split(f"■{room.name}")[1].split("■")[0]
                assert guide.fee(room) in block and guide.hours(rules) in block
                first = next(day for day in rules.hours if day)[0]  # the facility's own words agree
                assert f"{guide.clock(first[0])}〜{guide.clock(first[1])}" in facility.opening_hours, facility.name
                assert (room.fee_per_hour == 0) == ("無料" in block)
                assert f"{rules.window_days}日先" in block
                assert f"使い始める{guide.span(rules.min_notice)}前まで申し込めます" in block
                assert f"使い始める{guide.span(rules.cancel_deadline)}前まで" in block.split("取消し")[1]
            for category in categories:
                if category.reduction_percent:
                    assert f"{category.name}: 使用料{category.reduction_percent}%減免" in document.text


@pytest.mark.parametrize("code", TOWNS)
def test_the_public_facility_list_is_the_same_facility(demo, code):
    town = Municipality.objects.get(code=code)
    with scope(municipality=town):
        version = publish.current_version(Dataset.objects.get(kind="public-facilities"))
        assert version is not None
        listed = {row["名称"] for row in publish.read(version).rows}
        assert f"{town.name}公民館" in listed
        assert listed <= set(Facility.objects.values_list("name", flat=True))
    assert definitions.get("public-facilities") is not None


@pytest.mark.parametrize("code", TOWNS)
def test_bousai_mail_is_signed_up_for_on_the_subscribe_page(demo, code):
    town = Municipality.objects.get(code=code)
    for title, text in demo_texts(town).items():
        for sentence in re.split(r"[。\n]", text):
            if "防災メール" in sentence and ("登録" in sentence or "申込" in sentence):
                assert "電子申請" not in sentence, (title, sentence)
    page = Client().get(factories.town_url(town, reverse("notices:index"))).content.decode()
    assert "お知らせをメールなどで受け取る" in page  # the button the FAQ names
