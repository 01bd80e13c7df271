"""アンケート in Chromium at 360 px: a resident answers the 町民意識調査 online with the code from the letter, by
keyboard only; a clerk keys in a paper answer (「保存して次の1枚」); the results page shows the online share. axe-core
on every page."""

from __future__ import annotations

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in_staff, tab_to
from tests.voice.surveys_support import make_survey
from yakuba.voice.models.surveys import Channel, SurveyAnswer
from yakuba.voice.services import surveys as services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_online_and_paper_answers_and_the_online_share(live_server, phone, town_a):
    setup = make_survey(town_a, codes=3)
    base = f"{live_server.url}{town_a.path_prefix}"
    page = phone
    page.goto(f"{base}/surveys/")
    assert_accessible(page)
    page.goto(f"{base}/surveys/{setup.survey.uuid}/?code={services.shown_code(setup.codes[0])}")
    assert_accessible(page)
    expect(page.locator("#id_code")).to_have_value(services.shown_code(setup.codes[0]))
    # Keyboard only: age band, two sources, the scale, a number, free text, send.
    tab_to(page, "#id_age_band-option-0")  # a radio group takes the focus once; arrows choose
    page.keyboard.press("ArrowDown")  # 20代
    tab_to(page, "#id_source-option-2")  # LINE
    page.keyboard.press("Space")
    tab_to(page, "#id_satisfaction-option-0")
    page.keyboard.press("Space")
    tab_to(page, "#id_comment")
    page.keyboard.type("<script>alert(1)</script>")
    tab_to(page, "main form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".error-summary")).to_be_visible()
    assert "使えない書き方" in page.locator("main").inner_text()
    assert_accessible(page)
    expect(page.locator("#id_comment")).to_have_value("<script>alert(1)</script>")
    page.locator("#id_comment").fill("LINEで知らせてほしい")
    tab_to(page, "main form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("回答を受け付けました")
    assert_accessible(page)

    staff_page = page.context.browser.new_context(viewport={"width": 360, "height": 740}, locale="ja-JP").new_page()
    staff_page.console_errors = []
    log_in_staff(staff_page, base, setup.clerk)
    staff_page.goto(f"{base}/staff/voice/surveys/{setup.survey.uuid}/")
    assert_accessible(staff_page)
    staff_page.get_by_role("link", name="紙の回答を入力する").click()
    assert_accessible(staff_page)
    staff_page.locator("#id_code").fill(setup.codes[1])
    tab_to(staff_page, "#id_age_band-option-0")
    for _press in range(6):
        staff_page.keyboard.press("ArrowDown")  # 70代
    tab_to(staff_page, "#id_source-option-0")  # 広報紙
    staff_page.keyboard.press("Space")
    tab_to(staff_page, "#id_satisfaction-option-0")
    staff_page.keyboard.press("ArrowDown")
    staff_page.keyboard.press("ArrowDown")
    tab_to(staff_page, "main form button[type=submit]")
    with staff_page.expect_navigation():
        staff_page.keyboard.press("Enter")
    expect(staff_page.locator("#entered")).to_contain_text("入力済み: 1枚")
    assert_accessible(staff_page)
    staff_page.goto(f"{base}/staff/voice/surveys/{setup.survey.uuid}/results/")
    expect(staff_page.locator("#online-share")).to_have_text("50.0%")
    assert_accessible(staff_page)
    staff_page.goto(f"{base}/staff/voice/surveys/{setup.survey.uuid}/results/?q=comment")
    assert "LINEで知らせてほしい" in staff_page.locator("main").inner_text()
    assert_accessible(staff_page)
    with scope(municipality=town_a):
        assert SurveyAnswer.objects.filter(age_band="70", channel=Channel.PAPER).exists()
        assert sorted(SurveyAnswer.objects.values_list("channel", flat=True)) == [Channel.ONLINE, Channel.PAPER]
