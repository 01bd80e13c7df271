"""The staff pages of アクセシビリティ点検 and 移行 in real Chromium at 360 px: the report with its filters, the import
form (also with an error), the check's result and the imported run pass axe and do not scroll sideways."""

from __future__ import annotations

import pytest
from django_scopes import scope

from tests import factories
from tests.browser.conftest import assert_accessible, log_in_staff
from tests.website.checks_support import make_page, make_zip, old_page
from yakuba.kernel.accounts.models import Role
from yakuba.website.models import PageVersion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_report_and_an_import_at_360_px(live_server, phone, town_a, tmp_path):
    admin = factories.make_staff(town_a, department="総務課", role=Role.ADMIN)
    make_page(town_a, admin, path="gomi", title="ごみの出し方",
              blocks=[{"type": "heading", "level": 3, "text": "お　知　ら　せ"},
                      {"type": "text", "html": "<p>申請書は<a href='https://a.jp/f.pdf'>こちら</a>。①</p>"
                                               "<table><tr><td>月</td><td>燃えるごみ</td></tr></table>"},
                      {"type": "image", "asset": "x", "alt": ""}])
    make_page(town_a, admin, path="inu", title="犬の登録")
    base = f"{live_server.url}{town_a.path_prefix}"
    log_in_staff(phone, base, admin)

    phone.goto(f"{base}/staff/website/checks/")
    assert "ごみの出し方" in phone.locator("main").inner_text()
    assert "犬の登録" not in phone.locator("main").inner_text()  # nothing to fix there
    assert_accessible(phone)
    phone.select_option("#id_severity", "error")
    with phone.expect_navigation():
        phone.locator("form.checks-filter button[type=submit]").click()
    assert "severity=error" in phone.url
    assert_accessible(phone)

    phone.goto(f"{base}/staff/website/import/")
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.locator("main form button[type=submit]").click()  # nothing chosen
    assert "ZIPファイルを選んでください" in phone.locator(".error-summary").inner_text()
    assert_accessible(phone)

    upload = tmp_path / "site.zip"
    upload.write_bytes(make_zip({"kurashi/gomi.html": old_page(), "empty.html": old_page(body="", updated="")}).read())
    phone.set_input_files("#id_archive", str(upload))
    phone.fill("#id_base_url", "https://www.town.example.jp/")
    with phone.expect_navigation():
        phone.locator("main form button[type=submit]").click()
    assert "取り込めるページ 1 件、取り込めないページ 1 件" in phone.locator("main").inner_text()
    assert "本文が見つかりません" in phone.locator("main table").inner_text()
    assert_accessible(phone)
    with phone.expect_navigation():
        phone.get_by_role("button", name="問題のない1件を取り込む").click()
    phone.reload()  # the small run is created right after the click; the page shows its result
    assert "1 件のページを下書きとして取り込みました" in phone.locator("main").inner_text()
    assert_accessible(phone)
    with scope(municipality=town_a):
        assert PageVersion.objects.filter(page__imported_from="https://www.town.example.jp/kurashi/gomi.html",
                                          state="draft").exists()
