"""The open data catalogue in real Chromium at 360 px: the list, a dataset page whose preview table scrolls inside
its own region (by keyboard), and an item page pass axe and never scroll sideways."""

from __future__ import annotations

import pytest
from django_scopes import scope

from tests.browser.conftest import assert_accessible, tab_to
from tests.opendata.conftest import valid_row
from yakuba.kernel.accounts.models import Department
from yakuba.opendata.models import Dataset
from yakuba.opendata.services import editing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def published(town_a, staff_a):
    with scope(municipality=town_a):
        dataset = Dataset.objects.create(municipality=town_a, kind="evacuation-sites", title="指定緊急避難場所一覧",
                                         department=Department.objects.get(name="総務課"))
        for number, name in enumerate(("下仁田小学校", "下仁田町文化ホール", "馬山小学校"), start=1):
            editing.save_row(staff_a, dataset, None, valid_row(
                "evacuation-sites", town_a, ID=f"{number:06d}", 名称=name, 名称_カナ="シモニタショウガッコウ",
                電話番号="0274-82-2111", 災害種別_地震="1", 備考="デモ用の架空データ"))
        editing.publish(staff_a, dataset)
    return dataset


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_catalogue_dataset_and_item_at_360px(live_server, phone, town_a, published):
    base = f"{live_server.url}{town_a.path_prefix}"
    phone.goto(f"{base}/opendata/")
    assert "指定緊急避難場所一覧" in phone.locator("main").inner_text()
    assert_accessible(phone)
    no_sideways_scroll(phone)

    tab_to(phone, "a[href$='/opendata/evacuation-sites/']")
    phone.keyboard.press("Enter")
    phone.wait_for_url("**/opendata/evacuation-sites/")
    assert_accessible(phone)
    no_sideways_scroll(phone)
    caption = "指定緊急避難場所一覧（3 件のうち先頭 3 件）（表は横にスクロールできます）"
    region = phone.get_by_role("region", name=caption)
    assert region.evaluate("(el) => el.scrollWidth > el.clientWidth")  # the table scrolls, inside itself
    region.focus()
    phone.keyboard.press("ArrowRight")
    phone.keyboard.press("ArrowRight")
    phone.wait_for_function("(el) => el.scrollLeft > 0", arg=region.element_handle())

    phone.goto(f"{base}/opendata/evacuation-sites/items/000002/")
    assert phone.locator("h1").inner_text() == "下仁田町文化ホール"
    assert_accessible(phone)
    no_sideways_scroll(phone)
