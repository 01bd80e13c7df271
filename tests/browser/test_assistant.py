"""AI問い合わせ・例規検索 in real Chromium at 360 px, keyboard only: a resident asks the chat from the home page and
follows the citation; an unknown question says 分かりません with a phone link; a clerk searches the ordinances, gets
article-level hits and registers a document. Every page passes axe-core and does not scroll sideways."""

from __future__ import annotations

import pytest
from django_scopes import scope

from tests.assistant.conftest import add_document
from tests.browser.conftest import assert_accessible, log_in_staff, tab_to
from yakuba.assistant.models import Kind
from yakuba.kernel.accounts.models import Department

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ORDINANCE = """下仁田町公民館条例

（目的）
第一条　この条例は、公民館の設置及び管理に関し必要な事項を定める。

（使用料）
第二条　公民館を使用する者は、別表に定める使用料を納めなければならない。
２　町長は、公益上必要があると認めるときは、使用料を減額し、又は免除することができる。
"""


@pytest.fixture
def knowledge(town_a):
    with scope(municipality=town_a):
        department = Department.objects.create(municipality=town_a, name="生活環境課", phone="0274-82-2113")
    add_document(town_a, "粗大ごみの出し方は？", "粗大ごみは前日までに電話か電子申請で申し込み、処理券（1個500円）を"
                 "貼って、毎月第2水曜日の朝8時までに出してください。", department=department)
    add_document(town_a, "下仁田町公民館条例", ORDINANCE, kind=Kind.ORDINANCE, department=department)


def ask(page, question: str) -> None:
    tab_to(page, "#id_q")
    page.keyboard.type(question)
    tab_to(page, "form.as-ask button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_a_resident_asks_from_the_home_page_and_follows_the_source(live_server, phone, town_a, knowledge):
    base = f"{live_server.url}{town_a.path_prefix}"
    phone.goto(f"{base}/")
    assert_accessible(phone)
    tab_to(phone, "#as-widget-q")
    phone.keyboard.type("粗大ごみの出し方は？")
    phone.keyboard.press("Enter")
    phone.wait_for_url("**/assistant/?asked=1#latest")
    latest = phone.locator("#latest")
    assert "次の資料に書かれています" in latest.inner_text() and "処理券" in latest.inner_text()
    assert phone.evaluate("document.activeElement.id") == "latest"
    assert_accessible(phone)

    ask(phone, "公民館の予約")  # near 粗大ごみ and the 公民館 ordinance, answered by neither: the likeliest offered
    latest = phone.locator("#latest")
    assert "分かりません。" in latest.inner_text() and "こちらかもしれません" in latest.inner_text()
    assert latest.locator("ul[aria-labelledby] a").count() >= 1
    assert_accessible(phone)

    ask(phone, "宇宙旅行の補助金はいくらですか")
    latest = phone.locator("#latest")
    assert "分かりません。" in latest.inner_text()
    assert latest.locator("a[href^='tel:']").count() == 1
    assert_accessible(phone)

    ask(phone, "")  # nothing typed: a message, the page still passes
    assert "質問や調べたい言葉を入力してください。" in phone.locator(".error-summary").inner_text()
    assert_accessible(phone)

    phone.goto(f"{base}/assistant/")
    tab_to(phone, ".as-source__title a")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    assert "/assistant/documents/" in phone.url and "処理券" in phone.locator("main").inner_text()
    assert_accessible(phone)


def test_a_clerk_searches_the_ordinances_and_registers_one(live_server, phone, town_a, staff_a, knowledge):
    base = f"{live_server.url}{town_a.path_prefix}"
    log_in_staff(phone, base, staff_a)
    phone.goto(f"{base}/staff/assistant/search/")
    assert_accessible(phone)
    tab_to(phone, "#id_q")
    phone.keyboard.type("公民館の使用料の減免")
    tab_to(phone, "input[name=kind][value=legal]")
    phone.keyboard.press("Space")
    tab_to(phone, "main form[role=search] button[type=submit]")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    first = phone.locator(".as-result").first
    assert "下仁田町公民館条例 第2条第2項" in first.locator("h3").inner_text()
    assert first.locator("mark").count() >= 1
    assert_accessible(phone)

    phone.goto(f"{base}/staff/assistant/documents/new/")
    assert_accessible(phone)
    tab_to(phone, "#id_kind")
    phone.keyboard.press("ArrowDown")  # the first kind: 条例
    tab_to(phone, "#id_title")
    phone.keyboard.type("下仁田町手数料条例")
    tab_to(phone, "#id_text")
    phone.keyboard.type("第一条　住民票の写しの交付手数料は、一通につき三百円とする。")
    tab_to(phone, "main form button[type=submit]")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    assert "「下仁田町手数料条例」を登録しました。" in phone.locator(".messages").inner_text()
    assert "三百円" in phone.locator("main").inner_text()
    assert_accessible(phone)

    phone.goto(f"{base}/staff/assistant/documents/new/")
    tab_to(phone, "main form button[type=submit]")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")  # nothing filled in: the errors pass axe too
    assert "題名を入力してください。" in phone.locator(".error-summary").inner_text()
    assert_accessible(phone)

    phone.goto(f"{base}/staff/assistant/documents/")
    assert_accessible(phone)


def test_a_clerk_teaches_the_chat_a_question_it_could_not_answer(live_server, phone, town_a, knowledge):
    """The 答えられなかった質問 list → 答えになる文書を選ぶ: nothing chosen is refused with a message, the search result
    is chosen by keyboard, and the resident asking the same words again is answered from that document."""
    from tests import factories
    from yakuba.assistant.models import Question
    from yakuba.kernel.accounts.models import Role

    with scope(municipality=town_a):
        Question.objects.create(municipality=town_a, text="カウチを引き取ってほしい", known=False)
    clerk = factories.make_staff(town_a, role=Role.ADMIN)
    base = f"{live_server.url}{town_a.path_prefix}"
    log_in_staff(phone, base, clerk)
    phone.goto(f"{base}/staff/assistant/questions/")
    assert_accessible(phone)
    tab_to(phone, "main a[href$='/link/']")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    assert phone.locator("#id_q").input_value() == "カウチを引き取ってほしい"
    tab_to(phone, "#id_q")
    phone.keyboard.press("Control+A")
    phone.keyboard.type("粗大ごみ")
    phone.keyboard.press("Enter")
    phone.wait_for_selector("#as-link-results")
    assert_accessible(phone)
    tab_to(phone, "#as-link-results + button[type=submit]")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")  # nothing chosen: a message, the search kept
    assert phone.locator(".error-summary").count() == 1
    assert phone.locator("#id_q").input_value() == "粗大ごみ"
    assert_accessible(phone)
    tab_to(phone, "#as-link-results input[type=radio]")
    phone.keyboard.press("Space")
    tab_to(phone, "#as-link-results + button[type=submit]")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    assert "粗大ごみの出し方は？" in phone.locator("main").inner_text()
    assert_accessible(phone)

    phone.goto(f"{base}/assistant/")
    ask(phone, "カウチを引き取ってほしい")
    latest = phone.locator("#latest")
    assert "次の資料に書かれています" in latest.inner_text() and "処理券" in latest.inner_text()
    assert_accessible(phone)
