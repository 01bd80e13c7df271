"""The 現状分析レポート in a browser at 360 px: the charts, a refused period with its error summary, axe clean."""

from __future__ import annotations

import pytest

from tests.browser.conftest import assert_accessible, log_in_staff
from tests.transport.report_support import make_day
from tests.transport.support import operator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_report_at_360_px(live_server, phone, town_a):
    make_day(town_a)
    base = f"{live_server.url}{town_a.path_prefix}"
    log_in_staff(phone, base, operator(town_a))
    phone.goto(f"{base}/staff/transport/report/?period=custom&start=2026-06-01&end=2026-06-30")
    assert phone.locator("svg.bar-chart").count() == 6
    assert_accessible(phone)
    phone.goto(f"{base}/staff/transport/report/?period=custom&start=2026-06-30&end=2026-06-01")
    assert phone.locator(".error-summary").is_visible()
    assert_accessible(phone)
    phone.goto(f"{base}/staff/transport/report/?period=fiscal_year")
    assert_accessible(phone)
