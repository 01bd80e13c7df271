"""The 事務決裁規程 and 職位 pages at 360 px, axe-clean: the 所属長 of 総務課 adds an amount band (an overlapping one is
refused first, the typing kept), then moves a post to a new holder and gives it a 代決 order; the 「通知の設定」 page
where staff subscribe a browser to Web Push."""

from __future__ import annotations

import pytest
from django_scopes import scope

from tests import factories
from tests.approvals.decide_factories import make_office
from tests.browser.conftest import assert_accessible, log_in_staff
from yakuba.approvals.models import DecisionRule, Deputy, Post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _save(page, name: str = "保存する") -> None:
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name=name, exact=True).click()


def test_the_keeper_edits_a_band_and_a_post_on_a_phone(live_server, phone):
    town = factories.make_town()
    office = make_office(town)
    newcomer = factories.make_staff(town, department="総務課")
    base = f"{live_server.url}{town.path_prefix}"
    log_in_staff(phone, base, office.director)

    phone.goto(f"{base}/staff/approvals/rules/")
    assert "1,000,000円超 10,000,000円以下" in phone.inner_text("main")
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("link", name="規程の行を追加する").click()
    assert_accessible(phone)
    phone.select_option("#id_matter", label="支出負担行為")
    phone.fill("#id_amount_up_to", "1000000")
    phone.select_option("#id_decider_rank", label="係長")
    _save(phone)
    assert "金額の区分が重なります" in phone.inner_text(".error-summary")
    assert phone.input_value("#id_amount_up_to") == "1000000"
    assert_accessible(phone)
    phone.fill("#id_amount_up_to", "300000")
    _save(phone)
    assert "事務決裁規程を保存しました" in phone.inner_text("main")
    assert "300,000円超 1,000,000円以下" in phone.inner_text("main")
    with scope(municipality=town):
        assert DecisionRule.objects.filter(amount_up_to=300_000).exists()

    phone.goto(f"{base}/staff/approvals/posts/")
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.locator("main").get_by_role("link", name="庶務係長").click()
    assert_accessible(phone)
    phone.select_option("#id_holder", label=f"{newcomer}（総務課）")
    phone.select_option("#id_deputy_1", label=f"総務課長（{office.director}）")
    _save(phone)
    assert "職位「庶務係長」を保存しました" in phone.inner_text("main")
    assert_accessible(phone)
    with scope(municipality=town):
        chief = Post.objects.get(title="庶務係長")
        assert chief.holder == newcomer
        assert [line.deputy.title for line in Deputy.objects.filter(post=chief)] == ["総務課長"]

    phone.goto(f"{base}/staff/approvals/")
    with phone.expect_navigation():
        phone.get_by_role("link", name="決裁待ちをスマートフォンやパソコンに通知で受け取る（通知の設定）").click()
    assert "通知を受け取っている端末はありません" in phone.inner_text("main")
    assert_accessible(phone)
