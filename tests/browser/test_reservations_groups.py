"""団体登録 and 定期予約 on a 360 px phone: a resident registers a club, a clerk approves it, the resident books a
weekly slot for the club at the reduced fee (previewing the weeks first) and sees the result. axe-core on every page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from tests import factories
from tests.browser.conftest import assert_accessible, log_in_staff
from tests.browser.test_reservations_resident import ROOM_RULES
from tests.reservations.test_views_public import make_room
from yakuba.reservations.models import GroupCategory, Series

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_club_is_registered_approved_and_books_every_week(live_server, phone, browser):
    town = factories.make_town()
    resident = factories.make_resident(town, email="hanako@example.jp")
    room = make_room(town, rules=ROOM_RULES, fee_per_hour=600)
    with scope(municipality=town):
        GroupCategory.objects.create(municipality=town, name="社会教育関係団体", reduction_percent=50,
                                     extra_window_days=30)
    clerk = factories.make_staff(town, department="生涯学習課")
    base = f"{live_server.url}/t/10382"

    phone.goto(f"{base}/accounts/login/?next=/t/10382/my/reservations/")
    phone.fill("input[name=username]", "hanako@example.jp")
    phone.fill("input[name=password]", factories.PASSWORD)
    with phone.expect_navigation():
        phone.get_by_role("button", name="ログイン", exact=True).click()
    with phone.expect_navigation():
        phone.get_by_role("link", name="団体登録について").click()
    assert phone.locator("h1").inner_text() == "団体登録"
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("link", name="団体を登録する").click()
    assert_accessible(phone)
    phone.fill("#id_name", "ひまわり太極拳クラブ")
    phone.get_by_label("社会教育関係団体（使用料50%減免、30日早く予約できます）").check()
    phone.fill("#id_members", "18")
    with phone.expect_navigation():  # a mistake: no activity, no phone
        phone.get_by_role("button", name="申請する").click()
    assert "活動内容を入力してください。" in phone.locator(".error-summary").inner_text()
    assert phone.locator("#id_name").input_value() == "ひまわり太極拳クラブ"
    assert_accessible(phone)
    phone.fill("#id_activity", "毎週火曜日の夜に太極拳の練習")
    phone.fill("#id_phone", "0274-82-2111")
    with phone.expect_navigation():
        phone.get_by_role("button", name="申請する").click()
    assert "審査中" in phone.locator("main").inner_text()
    assert_accessible(phone)

    # The clerk approves it, on a wider screen.
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP").new_page()
    desk.console_errors = []
    log_in_staff(desk, base, clerk)
    desk.goto(f"{base}/staff/reservations/groups/")
    assert_accessible(desk)
    with desk.expect_navigation():
        desk.get_by_role("link", name="ひまわり太極拳クラブ").click()
    assert_accessible(desk)
    desk.get_by_label("承認する", exact=True).check()
    with desk.expect_navigation():
        desk.get_by_role("button", name="審査の結果を記録する").click()
    assert "審査の結果を記録しました" in desk.locator(".messages").inner_text()
    desk.context.close()

    # A weekly booking for the club, previewed first.
    first = timezone.localdate() + timedelta(days=3)
    phone.goto(f"{base}/reservations/rooms/{room.pk}/book/?day={first.isoformat()}&start=19:00")
    assert "ひまわり太極拳クラブ（使用料50%減免）" in phone.locator("main").inner_text()
    with phone.expect_navigation():
        phone.get_by_role("link", name="定期予約（毎週）で申し込む").click()
    assert phone.locator("h1").inner_text() == "定期予約（毎週）"
    assert_accessible(phone)
    phone.fill("#id_last_day", (first + timedelta(weeks=3)).isoformat())
    phone.fill("#id_purpose", "太極拳の練習")
    phone.select_option("#id_group", label="ひまわり太極拳クラブ（使用料50%減免）")
    with phone.expect_navigation():
        phone.get_by_role("button", name="確認する").click()
    assert "4回のうち4回を予約できます" in phone.locator("#preview").inner_text()
    assert "使用料は合計1,200円です。" in phone.locator("main").inner_text()  # 4 × 300 yen after 50%
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("button", name="4回分を予約する").click()
    assert phone.locator("h1").inner_text() == "定期予約の内容"
    assert "4回のうち4回" in phone.locator("main").inner_text()
    assert_accessible(phone)
    with scope(municipality=town):
        series = Series.objects.get(resident=resident)
        assert sorted(r.fee for r in series.reservations.all()) == [300] * 4
