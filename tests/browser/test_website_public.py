"""A resident on a 360 px phone reads the town's site: a section with its pages, then a 手続き案内 with its facts, a
wide table, a map and the button to apply online; the same page in English, the Japanese marked. axe-core on each
page, and nothing scrolls sideways."""

from __future__ import annotations

import json

import pytest
from django_scopes import scope

from tests import factories
from tests.browser.conftest import assert_accessible
from tests.website.public_support import make_page
from yakuba.kernel.accounts.models import Department
from yakuba.website.models import PageKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE_TABLE = ("<table><thead><tr>" + "".join(f"<th>{n}歳の子の支給月額（第{n}子以降を含む）</th>" for n in range(1, 7))
              + "</tr></thead><tbody><tr>" + "".join("<td>15,000円</td>" for _ in range(6)) + "</tr></tbody></table>")


def test_a_resident_reads_a_section_and_a_procedure_page_on_a_phone(live_server, phone):
    town = factories.make_town()
    factories.make_procedure(town, slug="jidoteate", title="児童手当の申請", department="住民課")
    with scope(municipality=town):
        Department.objects.filter(name="住民課").update(phone="0274-82-2112")
    section = make_page(town, "kosodate", kind=PageKind.SECTION, title="子育て・教育", summary="子育ての手続きと支援")
    make_page(town, "jidoteate", parent=section, kind=PageKind.PROCEDURE, title="児童手当", department="住民課",
              summary="高校生年代までの子を養育している方に支給します。",
              details={"procedure": "jidoteate", "who": "高校生年代までの子を養育している方",
                       "when": "出生や転入の日の翌日から15日以内", "where": "役場1階 住民課", "fee": "無料",
                       "bring": "請求者の健康保険証、振込先の通帳"},
              blocks=[{"type": "text", "html": "<p>児童手当は子育てを支えるための手当です。</p>"},
                      {"type": "heading", "level": 2, "text": "支給額"},
                      {"type": "text", "html": WIDE_TABLE},
                      {"type": "heading", "level": 2, "text": "窓口の場所"},
                      {"type": "map", "lat": 36.2117, "lng": 138.7906, "label": "下仁田町役場"}])
    make_page(town, "hoikuen", parent=section, title="保育園の入園", summary="入園の申込み", position=1)
    base = f"{live_server.url}/t/10382"

    phone.goto(f"{base}/site/kosodate/")
    assert phone.locator("h1").inner_text() == "子育て・教育"
    assert phone.locator(".site-children__list a").all_inner_texts() == ["児童手当", "保育園の入園"]
    assert_accessible(phone)

    with phone.expect_navigation():
        phone.get_by_role("link", name="児童手当").click()
    assert phone.locator("h1").inner_text() == "児童手当"
    assert "出生や転入の日の翌日から15日以内" in phone.locator(".site-facts").inner_text()
    assert phone.get_by_role("navigation", name="パンくずリスト").get_by_role("link", name="子育て・教育").is_visible()
    assert "0274-82-2112" in phone.locator(".site-contact").inner_text()
    graph = json.loads(phone.locator('script[type="application/ld+json"]').text_content())["@graph"]
    assert graph[0]["@type"] == "GovernmentService"
    assert phone.locator("figure[data-map] figcaption a").inner_text() == "地理院地図で見る"
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("link", name="オンラインで申請する").click()
    assert phone.url.endswith("/procedures/jidoteate/")

    phone.context.add_cookies([{"name": "yakuba_language", "value": "en", "url": live_server.url}])
    phone.goto(f"{base}/site/kosodate/jidoteate/")
    assert phone.locator("h1").get_attribute("lang") == "ja"
    assert phone.locator(".site-untranslated").count() == 1
    assert_accessible(phone)
