"""書かない窓口 in Chromium on a phone and a tablet: a clerk files the 転入 bundle for a resident, axe on each page."""

from __future__ import annotations

import re

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scope

from tests import factories
from tests.applications.test_counter import APPLICANT_PAGE, FEES, FORMS
from tests.browser.conftest import assert_accessible
from yakuba.applications.models import LifeEvent, LifeEventProcedure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What the clerk types on each procedure's own page (only the inputs present on a page are filled).
TYPED = {"moving_date": "令和8年4月1日", "previous_address": "東京都千代田区1-1", "insurance_start": "2026/4/1",
         "child_name": "山田一郎"}


@pytest.fixture(params=[360, 768], ids=["phone", "tablet"])
def screen(browser, request):
    """A page 360 px wide (phone) or 768 px (the counter's tablet)."""
    context = browser.new_context(viewport={"width": request.param, "height": 900}, locale="ja-JP", has_touch=True)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    yield page
    context.close()


@pytest.fixture
def counter_town(db):
    town = factories.make_town()
    clerk = factories.make_staff(town, department="総務課")
    factories.make_resident(town, phone="0274-82-1234")
    procedures = [factories.make_procedure(town, title=title, department="住民課",
                                           definition={"title": title, "version": 1, "pages": [APPLICANT_PAGE, page]},
                                           fee_schedule=FEES[title])
                  for title, page in FORMS.items()]
    with scope(municipality=town):
        event = LifeEvent.objects.create(municipality=town, slug="tennyu", name="転入")
        for index, procedure in enumerate(procedures):
            LifeEventProcedure.objects.create(life_event=event, procedure=procedure, sort_order=index)
    return town, clerk


def log_in(page, base: str, clerk) -> None:
    page.goto(f"{base}/staff/applications/counter/")
    page.fill("input[name=username]", clerk.user.email)
    page.fill("input[name=password]", factories.PASSWORD)
    click(page, "次へ")
    device = TOTPDevice.objects.get(user=clerk.user)
    page.fill("input[name=token]", f"{TOTP(bytes.fromhex(device.key)).token():06d}")
    click(page, "ログイン")
    assert page.url.endswith("/staff/applications/counter/")


def click(page, name: str) -> None:
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name=name, exact=True).click()


def test_a_clerk_files_the_moving_in_bundle_for_a_resident(live_server, screen, counter_town):
    town, clerk = counter_town
    base = f"{live_server.url}{town.path_prefix}"
    page = screen
    log_in(page, base, clerk)
    assert "今月の書かない窓口の利用: 0件" in page.locator("main").inner_text()
    assert_accessible(page)

    click(page, "検索")  # nothing typed: the error state
    assert page.locator(".error-summary").count() == 1
    assert_accessible(page)
    page.fill("input[name=q]", "やまだ")
    click(page, "検索")
    assert "1件見つかりました" in page.locator("caption").inner_text()
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("山田 花子")).click()
    assert_accessible(page)

    click(page, "転入の手続をまとめて受け付ける")
    assert page.locator("input[name=procedure]:checked").count() == 3
    assert_accessible(page)
    click(page, "選んだ手続の受付を始める")

    # The shared page: the applicant once for all three procedures, prefilled from the record.
    assert "複数の手続で共通の項目です" in page.locator("main").inner_text()
    assert page.locator("input[name=applicant_name__family]").input_value() == "山田"
    assert_accessible(page)
    page.fill("input[name=applicant_kana__family]", "yamada")
    click(page, "次へ")
    assert "カタカナで入力してください" in page.locator(".error-summary").inner_text()
    assert page.locator("input[name=applicant_kana__family]").input_value() == "yamada"
    assert_accessible(page)
    page.fill("input[name=applicant_kana__family]", "やまだ")
    click(page, "次へ")

    for _ in range(3):
        assert page.locator("input[name=applicant_name__family]").count() == 0
        for name, value in TYPED.items():
            if page.locator(f"input[name={name}]").count():
                page.fill(f"input[name={name}]", value)
        if page.locator("input[name=id_copy]").count():
            page.check("input[name=id_copy]")
        assert_accessible(page)
        click(page, "確認画面へ" if page.get_by_role("button", name="確認画面へ").count() else "次へ")

    text = page.locator("main").inner_text()
    assert "本人確認を記録し、住民の方に確認画面で内容を確かめていただいてから申請してください。" in text
    assert all(title in text for title in FORMS) and "ヤマダ" in text
    assert_accessible(page)
    page.check("input[name=identity_document][value=mynumber_card]")
    click(page, "本人確認を記録する")
    with page.expect_navigation():
        page.get_by_role("link", name="住民の方の確認画面を開く").click()
    assert "手数料はかかりません。" in page.locator("main").inner_text()
    assert_accessible(page)
    click(page, "この内容で申請する")

    assert page.locator("h1").inner_text() == "申請を受け付けました"
    references = page.locator(".counter-reference").all_inner_texts()
    assert len(references) == 3 and all(re.fullmatch(r"\d{4}-\d{6}", r) for r in references)
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("link", name="職員用の画面に戻る").click()
    assert "次の方の受付へ" in page.locator("main").inner_text()
    assert_accessible(page)


def test_registering_a_new_resident_shows_errors_accessibly(live_server, screen, counter_town):
    town, clerk = counter_town
    base = f"{live_server.url}{town.path_prefix}"
    page = screen
    log_in(page, base, clerk)
    with page.expect_navigation():
        page.get_by_role("link", name="新しく登録する").click()
    assert_accessible(page)
    page.fill("input[name=resident_name__family]", "窓口")
    page.fill("input[name=resident_name__given]", "太郎")
    page.fill("input[name=resident_kana__family]", "madoguchi")
    page.fill("input[name=resident_kana__given]", "たろう")
    page.fill("input[name=birthdate]", "昭和19年5月12日")
    page.fill("input[name=address]", "群馬県甘楽郡下仁田町大字下仁田1")
    click(page, "登録して手続を選ぶ")
    assert "カタカナで入力してください" in page.locator(".error-summary").inner_text()
    assert page.locator("input[name=birthdate]").input_value() == "昭和19年5月12日"
    assert_accessible(page)
    page.fill("input[name=resident_kana__family]", "まどぐち")
    click(page, "登録して手続を選ぶ")
    main = page.locator("main").inner_text()
    assert "窓口 太郎さんの手続を選ぶ" in main and "1944年5月12日（昭和19年）" in main
    assert_accessible(page)
    click(page, "選んだ手続の受付を始める")  # nothing ticked
    assert "1つ以上選んでください" in page.locator(".error-summary").inner_text()
    assert_accessible(page)
