"""The demo 児童手当 form at 360 px: questions for some answers only. With script, answering the question they depend
on shows or hides them at once (hidden ones out of the tab order and not sent); without script the server shows them
boxed with whom they are for, ignores them when they do not apply and requires them when they do."""

from __future__ import annotations

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from tests import factories
from tests.applications.test_conditions import APPLICANT, CHILD, DEFINITION
from tests.browser.conftest import assert_accessible
from yakuba.applications import services
from yakuba.applications.models import Submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOT = "/work/wt/forms-shot.png"


def _draft():
    town = factories.make_town()
    resident = factories.make_resident(town, email="hanako@example.jp")
    procedure = factories.make_procedure(town, slug="jidou-teate", title="児童手当", definition=DEFINITION)
    with scope(municipality=town):
        draft = services.start_draft(procedure, resident)
        draft.answers = {**draft.answers, **APPLICANT}
        draft.save()
    return draft


def _log_in(page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "hanako@example.jp")
    page.fill("input[name=password]", factories.PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="ログイン", exact=True).click()


def _stored(draft) -> dict:
    with scope(municipality=draft.municipality):
        return Submission.objects.get(pk=draft.pk).answers


def test_with_script_answers_show_and_hide_their_questions_at_once(live_server, phone):
    draft = _draft()
    base = f"{live_server.url}/t/10382"
    _log_in(phone, base)
    phone.goto(f"{base}/my/applications/{draft.public_id}/page/1/")
    move_in = phone.locator("#when-id_move_in_date")
    employer = phone.locator("#when-id_civil_servant_employer")
    expect(move_in).to_be_hidden()
    expect(employer).to_be_hidden()
    expect(phone.locator("#id_move_in_date")).to_be_disabled()
    assert_accessible(phone)

    phone.get_by_role("radio", name="町に転入した").check()
    expect(move_in).to_be_visible()
    expect(phone.locator("#id_move_in_date")).to_be_enabled()
    assert "「請求の理由」で「町に転入した」を選んだ方のみ" in move_in.inner_text()
    expect(phone.locator("#when-id_reason_detail")).to_be_hidden()
    # The next stop of the keyboard after the answer is the question it called for.
    phone.locator("#id_reason-option-1").focus()
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.id") == "id_move_in_date"
    phone.get_by_role("radio", name="はい").check()
    expect(employer).to_be_visible()
    assert_accessible(phone)
    phone.fill("#id_move_in_date", "令和8年4月1日")
    phone.fill("#id_previous_address", "高崎市高松町35")
    phone.get_by_role("radio", name="なし").check()
    phone.screenshot(path=SHOT, full_page=True)

    # Changing the answer hides the box again; what was typed there is not sent, and not kept.
    phone.get_by_role("radio", name="子どもが生まれた").check()
    phone.get_by_role("radio", name="いいえ").check()
    expect(move_in).to_be_hidden()
    expect(employer).to_be_hidden()
    with phone.expect_navigation():
        phone.get_by_role("button", name="次へ").click()
    assert phone.url.endswith("/page/2/")
    assert not {"move_in_date", "previous_address"} & set(_stored(draft))

    # Inside a child's item: 「その他」 shows that child's 続柄（その他）; the second child is optional.
    assert "子ども 2人目（任意）" in phone.locator("main").inner_text()
    other = phone.locator("#when-id_children-0-relation_other")
    expect(other).to_be_hidden()
    phone.locator("#id_children-0-relation-option-3").check()
    expect(other).to_be_visible()
    expect(phone.locator("#when-id_children-1-relation_other")).to_be_hidden()
    assert_accessible(phone)


def test_without_script_the_server_reaches_the_same_result(live_server, browser, phone):
    draft = _draft()
    base = f"{live_server.url}/t/10382"
    # axe needs script in the page, so the page as drawn for no script is checked with the form's script blocked.
    phone.route("**/kernel_forms/conditions.js", lambda route: route.abort())
    _log_in(phone, base)
    phone.goto(f"{base}/my/applications/{draft.public_id}/page/1/")
    expect(phone.locator("#when-id_move_in_date")).to_be_visible()
    assert_accessible(phone)

    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, locale="ja-JP",
                                  java_script_enabled=False)
    page = context.new_page()
    try:
        _log_in(page, base)
        page.goto(f"{base}/my/applications/{draft.public_id}/page/1/")
        box = page.locator("#when-id_move_in_date")
        expect(box).to_be_visible()  # nothing hides it: it says whom it is for
        assert "「請求の理由」で「町に転入した」を選んだ方のみ、お答えください。" in box.inner_text()
        expect(page.locator("#when-id_civil_servant_employer")).to_be_visible()

        # A birth, with something typed into the 転入 box anyway: the server ignores it.
        page.get_by_role("radio", name="子どもが生まれた").check()
        page.fill("#id_move_in_date", "きのう")
        page.get_by_role("radio", name="いいえ").check()
        page.get_by_role("radio", name="あり").check()
        with page.expect_navigation():
            page.get_by_role("button", name="次へ").click()
        assert page.url.endswith("/page/2/")
        assert "move_in_date" not in _stored(draft)

        # A move without its date: the box's questions are required now.
        page.goto(f"{base}/my/applications/{draft.public_id}/page/1/")
        page.get_by_role("radio", name="町に転入した").check()
        with page.expect_navigation():
            page.get_by_role("button", name="次へ").click()
        summary = page.locator(".error-summary").inner_text()
        assert "転入日を入力してください。" in summary and "前の住所を入力してください。" in summary
        assert "理由の詳細" not in summary and "勤務先の名称" not in summary
        assert page.locator("#id_move_in_date").get_attribute("aria-invalid") == "true"
        page.fill("#id_move_in_date", "令和8年4月1日")
        page.fill("#id_previous_address", "高崎市高松町35")
        with page.expect_navigation():
            page.get_by_role("button", name="次へ").click()
        assert page.url.endswith("/page/2/")

        # One child is enough; the second, optional item left blank is not asked for.
        for name, value in CHILD.items():
            if name.endswith(("relation", "living")):
                page.locator(f"input[name='{name}'][value='{value}']").check()
            else:
                page.fill(f"[name='{name}']", value)
        with page.expect_navigation():
            page.get_by_role("button", name="次へ").click()
        assert page.url.endswith("/page/3/")
        assert _stored(draft)["move_in_date"] == "令和8年4月1日" and len(_stored(draft)["children"]) == 1
    finally:
        context.close()
