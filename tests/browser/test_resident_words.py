"""What a new resident sees (issue 20): the reservations calendar at 特大 with ふりがな keeps every reading in its
own day cell, on a 360 px phone and on a desktop; the login page without a マイナンバーカード provider says how to
verify instead of offering a dead button. axe-core on every page."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from tests import factories
from tests.browser.conftest import assert_accessible
from tests.reservations.test_views_public import make_room
from yakuba.kernel.scheduling import calendar

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Open every day with a short window: the month shows past days, free days and days not open yet.
RULES = calendar.Rules(hours=(((time(9), time(21)),),) * 7, slot=timedelta(minutes=30),
                       min_length=timedelta(hours=1), max_length=timedelta(hours=3), closed_on_holidays=True,
                       year_end_closure=False, min_notice=timedelta(days=1), cancel_deadline=timedelta(days=1),
                       window_days=10)

# Every visible ruby reading (rt) of a day cell, and whether its box stays inside the cell's box.
ESCAPES = """() => {
  const out = [];
  for (const rt of document.querySelectorAll('table.month-calendar__table td rt')) {
    if (rt.closest('.visually-hidden')) continue;
    const cell = rt.closest('td').getBoundingClientRect();
    const box = rt.getBoundingClientRect();
    if (box.width === 0) continue;
    if (box.left < cell.left - 0.5 || box.right > cell.right + 0.5 || box.top < cell.top - 0.5
        || box.bottom > cell.bottom + 0.5) {
      out.push({text: rt.textContent, cell: [cell.left, cell.right, cell.top, cell.bottom],
                rt: [box.left, box.right, box.top, box.bottom]});
    }
  }
  return out;
}"""


def _readings(page) -> int:
    return page.evaluate("""() => [...document.querySelectorAll('table.month-calendar__table td rt')]
        .filter(rt => !rt.closest('.visually-hidden')).length""")


@pytest.mark.parametrize("width", [360, 1280])
def test_readings_stay_in_their_calendar_cell_at_the_largest_text(live_server, browser, width):
    town = factories.make_town()
    room = make_room(town, rules=RULES)
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="ja-JP")
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    try:
        page.goto(f"{live_server.url}/t/10382/reservations/rooms/{room.pk}/")
        page.locator("summary.tools-menu__summary").click()  # the switches sit behind the 表示・言語 disclosure
        with page.expect_navigation():
            page.get_by_role("button", name="特大").click()
        page.locator("summary.tools-menu__summary").click()
        with page.expect_navigation():
            page.get_by_role("button", name="ふりがな").click()
        assert page.locator("html").get_attribute("class") == "text-xlarge"
        assert page.locator("button[name=furigana]").get_attribute("aria-pressed") == "true"
        assert _readings(page) > 10  # the cells do carry readings (空, 過, 受付…)
        assert page.evaluate(ESCAPES) == []
        if width == 360:
            assert_accessible(page)
        else:
            from tests.browser.conftest import axe_violations

            assert axe_violations(page) == []
    finally:
        context.close()


def test_login_without_a_card_provider_says_how_to_verify(live_server, phone, settings):
    settings.OIDC = {**settings.OIDC, "ISSUER": ""}
    factories.make_town()
    phone.goto(f"{live_server.url}/t/10382/accounts/login/")
    assert phone.get_by_role("link", name="マイナンバーカードでログイン").count() == 0
    notice = phone.locator("#identity-verification")
    assert "今はマイナンバーカードでログインできません" in notice.inner_text()
    assert "役場の窓口" in notice.inner_text()
    icon = phone.request.get(f"{live_server.url}/t/10382/favicon.ico")
    assert icon.status == 200 and icon.headers["content-type"] == "image/x-icon"
    assert_accessible(phone)
