"""抽選 on a 360 px phone: a resident applies (a mistake first), the clerk draws after the deadline with the
confirmation, and the resident sees 当選. axe-core on every page."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from tests import factories
from tests.browser.conftest import assert_accessible, log_in_staff
from yakuba.kernel.scheduling import calendar
from yakuba.reservations.models import EntryStatus, Lottery, LotteryEntry
from yakuba.reservations.services import lottery as lotteries

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Open every day, so the journey works whatever day the suite runs on (the real clock: cookies must stay valid).
RULES = calendar.Rules(hours=(((time(9), time(21)),),) * 7, closed_on_holidays=False, year_end_closure=False,
                       window_days=7, slot=timedelta(hours=1), min_length=timedelta(hours=1),
                       max_length=timedelta(hours=3)).to_dict()


def log_in_resident(page, base: str, email: str, next_path: str) -> None:
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", factories.PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="ログイン", exact=True).click()


def test_resident_applies_the_clerk_draws_and_the_resident_sees_the_result(live_server, phone):
    town = factories.make_town()
    clerk = factories.make_staff(town, department="教育課")
    factories.make_resident(town, email="hanako@example.jp")
    room = factories.make_room(town, facility="総合体育館", department="教育課", name="アリーナ", rules=RULES)
    now = timezone.now()
    first = timezone.localdate() + timedelta(days=10)  # beyond the room's 7-day window
    with scope(municipality=town):
        lottery = lotteries.create_lottery(staff=clerk, title="アリーナの抽選", rooms=[room], period_start=first,
                                           period_end=first + timedelta(days=6), opens_at=now - timedelta(hours=1),
                                           closes_at=now + timedelta(days=2))
    base = f"{live_server.url}{town.path_prefix}"
    path = f"{town.path_prefix}/reservations/lotteries/"

    log_in_resident(phone, base, "hanako@example.jp", path)
    assert phone.locator("h1").inner_text() == "抽選の申込"
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("link", name="アリーナの抽選").click()
    assert phone.locator("h1").inner_text() == "アリーナの抽選"
    assert_accessible(phone)

    # A mistake first: no purpose. The error summary, and the typing kept.
    phone.get_by_label("利用日").fill(first.isoformat())
    phone.get_by_label("開始時刻").select_option("10:00")
    phone.get_by_label("利用時間").select_option(label="2時間")
    phone.get_by_label("利用人数（任意）").fill("12")
    with phone.expect_navigation():
        phone.get_by_role("button", name="抽選に申し込む").click()
    assert "利用目的を入力してください。" in phone.locator(".error-summary").inner_text()
    assert phone.title().startswith("エラー")
    assert phone.get_by_label("利用人数（任意）").input_value() == "12"
    assert phone.get_by_label("利用日").input_value() == first.isoformat()
    assert_accessible(phone)
    phone.get_by_label("利用目的").fill("ママさんバレーの練習")
    with phone.expect_navigation():
        phone.get_by_role("button", name="抽選に申し込む").click()
    assert "第1希望として申し込みました" in phone.locator(".messages").inner_text()
    assert "抽選待ち" in phone.locator("#my-entries + ul").inner_text()
    assert_accessible(phone)

    # The deadline passes (moved in the database: the browser's cookies need the real clock).
    with scope(municipality=town):
        Lottery.objects.filter(pk=lottery.pk).update(opens_at=now - timedelta(days=2),
                                                     closes_at=now - timedelta(minutes=1))
    phone.context.clear_cookies()
    log_in_staff(phone, base, clerk)
    phone.goto(f"{base}/staff/reservations/lotteries/")
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("link", name="アリーナの抽選").click()
    assert "1人・1件" in phone.locator("dl.summary").inner_text()
    assert_accessible(phone)
    phone.get_by_label("抽選を行います。やり直しはできません").check()
    with phone.expect_navigation():
        phone.get_by_role("button", name="抽選する").click()
    assert "抽選を行いました" in phone.locator(".messages").inner_text()
    assert "記録と一致しています" in phone.locator("main").inner_text()
    assert_accessible(phone)

    phone.context.clear_cookies()
    log_in_resident(phone, base, "hanako@example.jp", f"{town.path_prefix}/reservations/lotteries/{lottery.public_id}/")
    assert "当選" in phone.locator("#my-entries + ul").inner_text()
    assert_accessible(phone)
    with scope(municipality=town):
        assert LotteryEntry.objects.get().status == EntryStatus.WON
