"""The 本文 of a 起案 written with the kernel's rich-text editor at 360 px, keyboard only: a heading, bold text, a
list, a 3×3 table and a link from the toolbar; the saved draft shows them; script pasted or slipped into the editor
never survives; a refused form keeps the formatting; without JavaScript the plain textarea still works."""

from __future__ import annotations

import re

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from tests import factories
from tests.approvals.decide_factories import make_office
from tests.browser.conftest import assert_accessible, log_in_staff, tab_to
from yakuba.approvals.models import Draft, Matter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EDITOR = "#id_body_editor"
HOSTILE = '<script>window.pwned = 1</script><img src="data:," onerror="window.pwned = 2">'


def _save(page) -> None:
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="保存する", exact=True).click()


def _tool(page, name: str, *, back: bool = True) -> None:
    """From the text, Shift+Tab to the toolbar, arrows to the button `name`, Enter (the text takes the focus back)."""
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Home")
    for _press in range(8):
        if page.evaluate("() => document.activeElement.textContent.trim()") == name:
            break
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    assert page.evaluate(f"() => document.activeElement.matches('{EDITOR}')") == back


def _pressed(page, name: str, state: str) -> None:
    button = page.get_by_role("toolbar", name="書式").get_by_role("button", name=name, exact=True)
    expect(button).to_have_attribute("aria-pressed", state)  # follows the caret (selectionchange comes a bit later)


def test_a_clerk_formats_the_body_with_the_keyboard_and_the_draft_shows_it(live_server, phone):
    town = factories.make_town()
    office = make_office(town)
    base = f"{live_server.url}{town.path_prefix}"
    log_in_staff(phone, base, office.clerk)
    phone.goto(f"{base}/staff/approvals/drafts/new/")
    editor = phone.get_by_role("textbox", name="本文")
    assert editor.get_attribute("aria-multiline") == "true"
    assert "id_body_helptext" in editor.get_attribute("aria-describedby")
    assert phone.locator("#id_body").is_hidden()
    buttons = phone.get_by_role("toolbar", name="書式").get_by_role("button")
    assert buttons.all_inner_texts() == ["見出し", "太字", "箇条書き", "番号付き", "表を挿入", "リンク", "元に戻す"]
    assert min(box["height"] for box in (b.bounding_box() for b in buttons.all())) >= 44
    assert_accessible(phone)

    phone.locator("#id_matter").select_option(Matter.GENERAL)
    with scope(municipality=town):
        phone.locator("#id_document_class").select_option(str(office.document_class.pk))
    phone.locator("#id_title").fill("用紙の購入について")
    tab_to(phone, EDITOR)
    _tool(phone, "見出し")
    _pressed(phone, "見出し", "true")
    phone.keyboard.type("購入の目的")
    phone.keyboard.press("Enter")
    _pressed(phone, "見出し", "false")
    phone.keyboard.type("次のとおり")
    _tool(phone, "太字")
    phone.keyboard.type("至急")
    _pressed(phone, "太字", "true")
    _tool(phone, "太字")
    phone.keyboard.type("購入します。")
    phone.keyboard.press("Enter")
    _tool(phone, "箇条書き")
    _pressed(phone, "箇条書き", "true")
    for item in ("コピー用紙", "トナー"):
        phone.keyboard.type(item)
        phone.keyboard.press("Enter")
    phone.keyboard.press("Enter")  # an empty item ends the list
    _pressed(phone, "箇条書き", "false")
    _tool(phone, "表を挿入")
    for cell in ("品名", "数量", "単価", "用紙", "10", "500", "トナー", "2", "8000"):
        phone.keyboard.type(cell)
        phone.keyboard.press("Tab")  # the next cell; after the last one, out of the table
    assert phone.evaluate("() => document.activeElement.id") == "id_delivery"
    phone.keyboard.press("Shift+Tab")
    phone.keyboard.press("Control+End")
    phone.keyboard.type("参考: 町のサイト")
    for _press in range(5):
        phone.keyboard.press("Shift+ArrowLeft")

    _tool(phone, "リンク", back=False)
    url = phone.get_by_role("textbox", name="リンク先のURL")
    assert phone.evaluate("() => document.activeElement.id") == "id_body_url"
    url.fill("javascript:alert(1)")
    url.press("Enter")  # refused: the box stays, marked, and the form is not sent
    assert url.get_attribute("aria-invalid") == "true" and "/new/" in phone.url
    url.fill("https://example.jp/")
    url.press("Enter")
    assert url.is_hidden()
    phone.keyboard.press("End")
    phone.keyboard.type(" 問合せ ")
    _tool(phone, "リンク", back=False)
    url.fill("mailto:soumu@example.jp")
    phone.get_by_role("button", name="リンクを付ける").press("Enter")
    assert_accessible(phone)
    phone.evaluate("""([selector, hostile]) => {
        const data = new DataTransfer();
        data.setData('text/html', '<span style="color: red">' + hostile + '</span>');
        data.setData('text/plain', hostile);
        document.querySelector(selector).dispatchEvent(
            new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
        document.querySelector(selector).insertAdjacentHTML(  // as if made in the editor's DOM
            'beforeend', '<script>window.pwned = 3</script><b class="x">太字の追記</b>'
                + '<a href="javascript:alert(1)">危ないリンク</a>');
    }""", [EDITOR, HOSTILE])
    _save(phone)

    body = phone.locator("main .approvals-body")
    assert body.locator("h2").inner_text() == "購入の目的"
    assert body.locator("strong").all_inner_texts() == ["至急", "太字の追記"]
    assert body.locator("ul > li").all_inner_texts() == ["コピー用紙", "トナー"]
    assert body.locator("table thead th").all_inner_texts() == ["品名", "数量", "単価"]
    assert body.locator("table tbody tr").count() == 2
    assert body.locator("table tbody td").all_inner_texts() == ["用紙", "10", "500", "トナー", "2", "8000"]
    assert body.locator("a[href='https://example.jp/']").inner_text() == "町のサイト"
    assert body.locator("a[href='mailto:soumu@example.jp']").inner_text() == "mailto:soumu@example.jp"
    assert body.locator("script, img, [onerror], [style], [class], [href^=javascript]").count() == 0
    assert "危ないリンク" in body.inner_text()
    assert "<script>window.pwned = 1</script>" in body.inner_text()  # the pasted text, as text
    assert phone.evaluate("() => window.pwned") is None
    with scope(municipality=town):
        saved = Draft.objects.get(title="用紙の購入について").body
    assert not re.search(r"<(script|img)|<[^>]*\son\w+=", saved), saved  # as text (&lt;script&gt;) only
    assert_accessible(phone)

    with phone.expect_navigation():
        phone.locator("main").get_by_role("link", name="修正する").click()
    assert phone.locator(f"{EDITOR} h2").inner_text() == "購入の目的"  # the saved HTML, formatted
    phone.locator("#id_title").fill("")
    _save(phone)
    assert "件名を入力してください。" in phone.locator(".error-summary").inner_text()
    kept = phone.locator(EDITOR)
    assert kept.locator("h2").count() == 1 and kept.locator("table th").count() == 3
    assert kept.locator("strong").all_inner_texts() == ["至急", "太字の追記"]
    assert_accessible(phone)


def test_without_javascript_the_body_is_a_plain_textarea_and_paragraphs_still_work(live_server, browser):
    town = factories.make_town()
    office = make_office(town)
    base = f"{live_server.url}{town.path_prefix}"
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="ja-JP", java_script_enabled=False)
    page = context.new_page()
    log_in_staff(page, base, office.clerk)
    page.goto(f"{base}/staff/approvals/drafts/new/")
    assert page.locator("#id_body").is_visible() and page.locator("[role=toolbar]").count() == 0
    page.locator("#id_matter").select_option(Matter.GENERAL)
    with scope(municipality=town):
        page.locator("#id_document_class").select_option(str(office.document_class.pk))
    page.locator("#id_title").fill("文字だけの起案")
    page.locator("#id_body").fill("一行目\n二行目\n\n次の段落（1 < 2）")
    _save(page)
    paragraphs = page.locator("main .approvals-body p")
    assert paragraphs.count() == 2 and paragraphs.first.inner_html() == "一行目<br>二行目"
    assert paragraphs.nth(1).inner_text() == "次の段落（1 < 2）"
    context.close()

