"""会議録 in the browser at 360 px: the clerk plays from a segment, saves a segment in place (and sees a conflict
when another clerk saved first), splits at the cursor by keyboard, applies the suggestions, makes the summary and
publishes; a resident reads the minutes. axe-core on every page."""

from __future__ import annotations

import pytest
from django_scopes import scope

from tests.browser.conftest import assert_accessible, log_in_staff, tab_to
from tests.meetings.minutes_support import make_held
from yakuba.meetings.models import Segment
from yakuba.meetings.services import minutes as service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_clerk_corrects_publishes_and_a_resident_reads(live_server, phone, browser, town_a):
    held = make_held(town_a)
    base = f"{live_server.url}/t/10382"
    log_in_staff(phone, base, held.clerk)
    phone.goto(f"{base}/staff/meetings/{held.meeting.uuid}/minutes/")
    assert_accessible(phone)

    # 「ここから再生」 seeks the player (the script unhides the buttons).
    third = held.segments[3]
    play = phone.locator(f"#s-{third.pk} [data-play]")
    assert play.is_visible()
    play.click()
    assert phone.evaluate("document.getElementById('minutes-audio').currentTime") == pytest.approx(12.5, abs=0.1)

    # Save in place: no reload, the status says so.
    phone.fill(f"#tx-{third.pk}", "補正予算の道路維持費についてお伺いします。")
    phone.locator(f"#s-{third.pk} button[value=save]").click()
    phone.wait_for_selector(f"#s-{third.pk} .segment__status:text('保存しました')")
    with scope(municipality=town_a):
        assert Segment.objects.get(pk=third.pk).text == "補正予算の道路維持費についてお伺いします。"
        service.edit_segment(third.pk, "別の職員の修正です。", 2, held.clerk.user)  # another clerk, meanwhile
    phone.fill(f"#tx-{third.pk}", "私の修正です。")
    phone.locator(f"#s-{third.pk} button[value=save]").click()
    phone.wait_for_selector(f"#s-{third.pk} .segment__conflict")
    conflict = phone.locator(f"#s-{third.pk} .segment__conflict").inner_text()
    assert "ほかの職員が先に更新しました" in conflict
    assert "別の職員の修正です。" in conflict and "私の修正です。" in conflict
    assert_accessible(phone)

    # Split at the cursor, by keyboard only.
    answer = held.segments[6]
    area = phone.locator(f"#tx-{answer.pk}")
    area.focus()
    phone.evaluate(f"(() => {{ const t = document.getElementById('tx-{answer.pk}'); t.setSelectionRange(7, 7); }})()")
    tab_to(phone, f"#s-{answer.pk} button[value=split]")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    assert "発言を分割しました" in phone.locator(".messages").inner_text()
    with scope(municipality=town_a):
        assert Segment.objects.get(pk=answer.pk).text == "お答えします。"

    with phone.expect_navigation():
        phone.get_by_role("button", name="提案をすべて適用").click()
    with phone.expect_navigation():
        phone.get_by_role("button", name="発言から要約を作る").click()
    assert "■決定事項" in phone.locator("#summary").inner_text()
    with phone.expect_navigation():
        phone.get_by_role("button", name="住民に公開する").click()
    assert "会議録を公開しました" in phone.locator(".messages").inner_text()
    assert_accessible(phone)

    resident = browser.new_context(viewport={"width": 360, "height": 740}, locale="ja-JP").new_page()
    resident.console_errors = []
    resident.goto(f"{base}/meetings/{held.meeting.uuid}/minutes/#s-{third.pk}")
    text = resident.locator("main").inner_text()
    assert "○委員1議員（議員1）" in text and "会議の概要" in text
    assert_accessible(resident)
