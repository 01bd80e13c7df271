"""会議資料 in Chromium: a member opens a 12-page pack at 360 px and at tablet size, pages with the keyboard and the
buttons, jumps to a page, marks a page and writes a note with the keyboard only, searches; only the page shown is
loaded; axe-core on every page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django_scopes import scope
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, tab_to
from tests.meetings.support import make_committee, pdf_bytes
from yakuba.meetings.models import Note
from yakuba.meetings.services import pack

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PAGES = 12


def _member_context(browser, live_server, user, **options):
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="ja-JP", **options)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                          "url": live_server.url}])
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    return context, page


@pytest.fixture
def committee(town_a):
    committee = make_committee(town_a)
    with scope(municipality=town_a):
        texts = [f"ページ {n} 予算の説明" if n != 9 else "ページ 9 下水道事業の繰出金" for n in range(1, PAGES + 1)]
        committee.document = pack.add_document(committee.meeting, committee.item, "資料1 補正予算書",
                                               SimpleUploadedFile("資料1.pdf", pdf_bytes(texts=texts)),
                                               committee.clerk.user)
    return committee


@pytest.mark.parametrize("viewport", [{"width": 360, "height": 740}, {"width": 800, "height": 1280}])
def test_a_member_reads_the_pack_with_keyboard_and_buttons(live_server, browser, committee, viewport):
    context, page = _member_context(browser, live_server, committee.chair.user, viewport=viewport,
                                    has_touch=True)
    images: list[str] = []
    page.on("request", lambda request: "/meetings/pack/pages/" in request.url and images.append(request.url))
    base = f"{live_server.url}{committee.town.path_prefix}"
    page.goto(f"{base}/meetings/my/")
    assert_accessible(page)
    page.get_by_role("link", name=committee.meeting.title).click()
    assert "資料1 補正予算書" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="資料1 補正予算書").click()
    page.wait_for_load_state("load")
    assert page.locator("#viewer-image").get_attribute("alt") == "資料1 補正予算書 1ページ"
    assert_accessible(page)

    page.locator("#viewer-stage").focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator("#viewer-image")).to_have_attribute("alt", "資料1 補正予算書 2ページ")
    page.get_by_role("link", name="次のページ").click()
    expect(page.locator("#viewer-image")).to_have_attribute("alt", "資料1 補正予算書 3ページ")
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#viewer-image")).to_have_attribute("alt", "資料1 補正予算書 2ページ")
    page.fill("#viewer-page", "9")
    page.keyboard.press("Enter")
    expect(page.locator("#viewer-image")).to_have_attribute("alt", "資料1 補正予算書 9ページ")
    assert page.url.endswith("?page=9")
    page.get_by_text("このページの文字").click()
    expect(page.locator("#viewer-text")).to_contain_text("下水道")
    assert {url.rsplit("/", 1)[1] for url in images} == {"1.webp", "2.webp", "3.webp", "9.webp"}

    # Keyboard only: a whole-page mark and a note.
    tab_to(page, "#note-text")
    page.keyboard.type("ここを質問する")
    tab_to(page, "button[name=mark_page]")
    page.keyboard.press("Enter")
    expect(page.locator("#viewer-marks .viewer__mark")).to_have_count(1)
    tab_to(page, "button[name=save]")
    page.keyboard.press("Enter")
    expect(page.locator("#note-status")).to_have_text("メモを保存しました。")
    with scope(municipality=committee.town):
        note = Note.objects.get(user=committee.chair.user, page=9)
    assert note.text == "ここを質問する" and note.marks == [{"x": 0.0, "y": 0.0, "w": 1.0, "h": 1.0}]
    assert_accessible(page)

    page.get_by_role("button", name="ドラッグでマーカーを引く").click()
    page.locator("#viewer-stage").scroll_into_view_if_needed()
    box = page.locator("#viewer-stage").bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 20)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 60, steps=4)
    page.mouse.up()
    expect(page.locator("#viewer-marks .viewer__mark")).to_have_count(2)
    page.get_by_role("button", name="マーカー 1 を消す").click()
    expect(page.locator("#viewer-marks .viewer__mark")).to_have_count(1)

    page.fill("#viewer-q", "下水道")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/**")
    assert "資料1 補正予算書 9ページ" in page.locator("main").inner_text()
    assert_accessible(page)
    context.close()


def test_opening_page_250_loads_that_page_only(live_server, browser, town_a):
    from tests.meetings.support import blank_pdf

    committee = make_committee(town_a)
    with scope(municipality=town_a):
        document = pack.add_document(committee.meeting, None, "予算書", SimpleUploadedFile("予算書.pdf",
                                                                                       blank_pdf(300)),
                                     committee.clerk.user)
        committee.meeting.pack_published_at = timezone.now()
        committee.meeting.save()
    context = browser.new_context(viewport={"width": 800, "height": 1280}, locale="ja-JP")
    page = context.new_page()
    images: list[str] = []
    page.on("request", lambda request: "/meetings/pack/pages/" in request.url and images.append(request.url))
    base = f"{live_server.url}{town_a.path_prefix}"
    page.goto(f"{base}/meetings/{committee.meeting.uuid}/pack/{document.pk}/?page=250")
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)
    assert [url.rsplit("/", 1)[1] for url in images] == ["250.webp"]
    assert page.locator("#note-form").count() == 0  # a visitor of the published pack takes no notes
    context.close()


def test_the_clerk_adds_and_replaces_a_document_at_360_px(live_server, phone, committee):
    from tests.browser.conftest import log_in_staff

    base = f"{live_server.url}{committee.town.path_prefix}"
    log_in_staff(phone, base, committee.clerk)
    phone.goto(f"{base}/staff/meetings/{committee.meeting.uuid}/documents/new/")
    assert_accessible(phone)
    phone.get_by_label("資料名").fill("資料2 説明資料")
    phone.get_by_label("ファイル", exact=True).set_input_files(
        files=[{"name": "説明.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7\nbroken"}])
    phone.get_by_role("button", name="登録する").click()
    expect(phone.locator(".error-summary")).to_contain_text("壊れている")
    assert phone.get_by_label("資料名").input_value() == "資料2 説明資料"
    assert_accessible(phone)
    phone.get_by_label("ファイル", exact=True).set_input_files(
        files=[{"name": "説明.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes(2)}])
    phone.get_by_role("button", name="登録する").click()
    expect(phone.locator("h1")).to_have_text("資料2 説明資料")
    assert_accessible(phone)
    phone.get_by_label("新しい版のファイル").set_input_files(
        files=[{"name": "説明2.pdf", "mimeType": "application/pdf",
                "buffer": pdf_bytes(texts=["ページ 1 予算の説明", "ページ 2 訂正"])}])
    phone.get_by_label("差し替えの理由").fill("2ページの訂正")
    phone.get_by_role("button", name="差し替える").click()
    expect(phone.locator("main")).to_contain_text("変更箇所：2ページ")
    assert_accessible(phone)
