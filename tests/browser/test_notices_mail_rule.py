"""Issue 20 on the demo data at 360 px: resident1@shimonita.demo, whose address is unconfirmed, subscribes to notices
by email and is told 「確認メールを送りました…確認が済むまでメールは届きません」 (not 完了), then re-sends the
confirmation from マイページ. axe-core on every page."""

from __future__ import annotations

import pytest
from django_scopes import scope
from django_tasks_db.models import DBTaskResult

from tests.browser.conftest import assert_accessible
from tests.browser.test_applications_demo import shimonita
from yakuba.kernel.messaging.models import Channel, Endpoint
from yakuba.kernel.ops import demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_resident1_is_told_to_confirm_the_address_before_any_notice_mail(live_server, phone, demo_towns):
    base = f"{live_server.url}/t/10382"
    phone.goto(f"{base}/accounts/login/?next=/t/10382/notices/subscribe/")
    phone.fill("input[name=username]", "resident1@shimonita.demo")
    phone.fill("input[name=password]", demo.DEMO_PASSWORD)
    with phone.expect_navigation():
        phone.get_by_role("button", name="ログイン", exact=True).click()
    assert phone.locator("h1").inner_text() == "お知らせを受け取る"
    assert phone.locator("input[name=email]").input_value() == "resident1@shimonita.demo"
    assert "まだ確認が済んでいません" in phone.locator("#id_email_helptext").inner_text()
    assert_accessible(phone)

    with phone.expect_navigation():
        phone.get_by_role("button", name="登録する", exact=True).click()
    assert phone.locator("h1").inner_text() == "確認メールを送りました"
    main = phone.locator("main").inner_text()
    assert "確認が済むまでメールは届きません" in main and "登録が完了しました" not in main
    assert_accessible(phone)
    with scope(municipality=shimonita()):
        endpoint = Endpoint.objects.get(address="resident1@shimonita.demo", channel=Channel.EMAIL)
        assert endpoint.confirmed_at is None  # no 防災 mail goes there before the confirmation

    with phone.expect_navigation():
        phone.get_by_role("link", name="マイページで確認メールを送り直す").click()
    assert phone.locator("h1").inner_text() == "マイページ"
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("button", name="確認のメールをもう一度送る").click()
    assert "確認のメールをもう一度送りました" in phone.locator("main").inner_text()
    assert_accessible(phone)
    # The account's confirmation mail was queued twice (on subscribing and from マイページ); the worker sends it
    # (tests/notices/test_mail_rule.py follows it to a real SMTP server).
    assert len([t for t in DBTaskResult.objects.all() if t.task_path.endswith("send_welcome_email")]) == 2
