"""DX推進計画 in real Chromium at 360 px: the public tree, 工程表 and KPI pages pass axe and do not scroll sideways
(the 工程表 scrolls inside its own region); a clerk records a status with the keyboard only."""

from __future__ import annotations

import pytest
from django_scopes import scope

from tests.browser.conftest import assert_accessible, log_in_staff, tab_to
from tests.plans.conftest import live_metric, small_plan_data  # noqa: F401  (live_metric: a fixture)
from yakuba.plans.models import Indicator, Measure, StatusReport
from yakuba.plans.services import kpis
from yakuba.plans.services.exchange import save_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def small_plan(town_a):
    """The small plan of tests/plans/conftest.py, in the live server's database."""
    with scope(municipality=town_a):
        return save_plan(town_a, small_plan_data())



@pytest.mark.usefixtures("live_metric")
def test_public_pages_at_360px(live_server, phone, town_a, small_plan, admin_a):
    with scope(municipality=town_a):
        kpis.bind(admin_a, Indicator.objects.get(measure__plan=small_plan, text__startswith="窓口入力支援"),
                  "test.visits")
    base = f"{live_server.url}{town_a.path_prefix}"
    phone.goto(f"{base}/plans/")
    assert_accessible(phone)
    phone.goto(f"{base}/plans/dx-test/")
    assert_accessible(phone)
    summary = phone.locator("summary", has_text="行政事務の効率化")
    summary.focus()
    phone.keyboard.press("Enter")  # <details> opens without any script
    assert phone.locator("details[open]", has_text="電子決裁システムの導入").count() == 1
    assert_accessible(phone)

    phone.goto(f"{base}/plans/dx-test/schedule/")
    assert_accessible(phone)
    region = phone.get_by_role("region", name="工程表")
    assert region.evaluate("(el) => el.scrollWidth > el.clientWidth")  # it scrolls, inside itself
    region.focus()
    phone.keyboard.press("ArrowRight")
    phone.keyboard.press("ArrowRight")
    # Keyboard scrolling is animated: wait for it rather than read it at once.
    phone.wait_for_function("(el) => el.scrollLeft > 0", arg=region.element_handle())
    assert "現在" in phone.locator("th.gantt__period--now").inner_text()
    # The first column stays in view while the years scroll.
    first = phone.locator("th.gantt__title").first.bounding_box()
    assert first is not None and first["x"] >= 0

    phone.goto(f"{base}/plans/dx-test/kpi/")
    assert_accessible(phone)
    assert phone.locator("svg[role=img]").count() == 4
    assert "自動計測" in phone.locator("main").inner_text()
    phone.goto(f"{base}/plans/dx-test/kpi/?show=live")
    assert_accessible(phone)

    with scope(municipality=town_a):
        target = Measure.objects.get(plan=small_plan, title="行政事務の効率化")
    phone.goto(f"{base}/plans/dx-test/measures/{target.pk}/")
    assert_accessible(phone)


def test_a_clerk_records_a_status_with_the_keyboard(live_server, phone, town_a, small_plan, staff_a):
    with scope(municipality=town_a):
        target = Measure.objects.get(plan=small_plan, title="行政事務の効率化")
    base = f"{live_server.url}{town_a.path_prefix}"
    log_in_staff(phone, base, staff_a)
    phone.goto(f"{base}/staff/plans/dx-test/measures/{target.pk}/")
    assert_accessible(phone)

    tab_to(phone, "input[name='status-status'][value='not_started']")
    phone.keyboard.press("ArrowDown")  # 検討中
    phone.keyboard.press("ArrowDown")  # 実施中
    assert phone.locator("input[name='status-status'][value='in_progress']").is_checked()
    phone.keyboard.press("Tab")
    phone.keyboard.type("電子決裁の試行を始めました")
    tab_to(phone, "form.plan-record button[type=submit]")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    assert "進捗状況を記録しました。" in phone.locator(".messages").inner_text()
    history = phone.locator("#history").inner_text()
    assert "電子決裁の試行を始めました" in history and "実施中" in history
    assert_accessible(phone)
    with scope(municipality=town_a):
        report = StatusReport.objects.get(measure=target)
    assert (report.status, report.year) == ("in_progress", 2026)

    # An error keeps the typing and is announced at the top; the page stays accessible.
    phone.goto(f"{base}/staff/plans/dx-test/measures/{target.pk}/")
    phone.locator("#id_status-comment").fill("未選択のまま")
    with phone.expect_navigation():
        phone.locator("form.plan-record button[type=submit]").first.click()
    assert "進捗状況を選んでください。" in phone.locator(".error-summary").inner_text()
    assert phone.locator("#id_status-comment").input_value() == "未選択のまま"
    assert_accessible(phone)

    phone.goto(f"{base}/staff/plans/dx-test/")
    assert_accessible(phone)
    phone.goto(f"{base}/staff/plans/todo/")
    assert_accessible(phone)
    phone.goto(f"{base}/staff/plans/")
    assert_accessible(phone)
