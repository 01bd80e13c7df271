"""ご意見箱 in the browser at 360 px: a resident sends an opinion by keyboard only from the 住民の声 page and gets the
受付番号; the clerk of the 課 answers it and publishes it as よくある質問 (from the redacted draft); the FAQ page
shows it. axe-core on every page."""

from __future__ import annotations

import pytest
from django_scopes import scope

from tests.browser.conftest import assert_accessible, log_in_staff, tab_to
from tests.voice.opinions_support import cast
from yakuba.voice.models import Opinion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_resident_sends_and_the_clerk_answers_and_publishes(live_server, phone, browser, town_a):
    people = cast(town_a)
    base = f"{live_server.url}/t/10382"
    phone.goto(f"{base}/voice/")
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("link", name="ご意見・ご質問を送る").first.click()
    assert_accessible(phone)

    # Keyboard only: the category, the text, the address, an answer wanted, consent, send.
    tab_to(phone, "input[name=category]")
    phone.keyboard.press("Space")  # the first category: ご意見・ご提案
    tab_to(phone, "textarea[name=body]")
    phone.keyboard.type("図書館の開館時間を夜8時まで延ばしてほしいです。電話090-1234-5678の山田です。")
    tab_to(phone, "input[name=email]")
    phone.keyboard.type("hanako@example.jp")
    tab_to(phone, "input[name=wants_answer]")
    phone.keyboard.press("Space")
    tab_to(phone, "input[name=consent]")
    phone.keyboard.press("Space")
    tab_to(phone, "main button[type=submit]")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    with scope(municipality=town_a):
        opinion = Opinion.objects.get()
    assert opinion.number in phone.locator("main").inner_text()
    assert_accessible(phone)

    # Empty text: the error summary, the typing kept.
    phone.goto(f"{base}/voice/opinions/")
    phone.fill("input[name=name]", "山田花子")
    with phone.expect_navigation():
        phone.locator("main button[type=submit]").click()
    assert "ご意見・ご質問を入力してください" in phone.locator(".error-summary").inner_text()
    assert phone.input_value("input[name=name]") == "山田花子"
    assert_accessible(phone)

    clerk = browser.new_context(viewport={"width": 360, "height": 740}, locale="ja-JP").new_page()
    clerk.console_errors = []
    log_in_staff(clerk, base, people.clerk)
    clerk.goto(f"{base}/staff/voice/opinions/")
    assert opinion.number in clerk.locator("main").inner_text()
    assert_accessible(clerk)
    with clerk.expect_navigation():
        clerk.get_by_role("link", name=opinion.number).click()
    assert_accessible(clerk)
    clerk.fill("textarea[name=answer]", "来年度から木曜日は夜8時まで開館します。")
    with clerk.expect_navigation():
        clerk.get_by_role("button", name="回答を保存する").click()
    assert "回答を保存しました" in clerk.locator(".messages").inner_text()
    draft = clerk.input_value("textarea[name=faq_question]")
    assert "090-1234-5678" not in draft and "［電話番号］" in draft
    assert_accessible(clerk)
    clerk.fill("textarea[name=faq_question]", "図書館の開館時間を延ばしてほしい。")
    with clerk.expect_navigation():
        clerk.get_by_role("button", name="公開する").click()
    assert "よくある質問として公開しました" in clerk.locator(".messages").inner_text()
    assert_accessible(clerk)

    phone.goto(f"{base}/voice/faq/")
    text = phone.locator("main").inner_text()
    assert "図書館の開館時間を延ばしてほしい。" in text and "090-1234-5678" not in text
    assert_accessible(phone)
