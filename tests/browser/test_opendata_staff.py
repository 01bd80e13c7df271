"""The staff pages of オープンデータ in real Chromium at 360 px: the list, a dataset, the row form (also with errors)
and an import's problems pass axe and do not scroll sideways; a clerk adds a row and publishes by keyboard only."""

from __future__ import annotations

import pytest
from django_scopes import scope

from tests.browser.conftest import assert_accessible, log_in_staff, tab_to
from tests.opendata.conftest import csv_text, valid_row
from tests.support.tasks import run_worker
from yakuba.kernel.accounts.models import Department
from yakuba.opendata.models import Dataset, Row, Upload, Version
from yakuba.opendata.services import editing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def aed(town_a, staff_a):
    """Town A's AED dataset kept by 総務課, with one published row (in the live server's database)."""
    with scope(municipality=town_a):
        dataset = Dataset.objects.create(municipality=town_a, kind="aed", title="AED設置箇所一覧",
                                         department=Department.objects.get(name="総務課"))
        editing.save_row(staff_a, dataset, None, valid_row("aed", town_a, ID="AED-001", 名称="下仁田町役場"))
        editing.publish(staff_a, dataset, note="初版")
    return dataset


def type_into(page, selector: str, value: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(value)


def test_a_clerk_adds_a_row_and_publishes_with_the_keyboard(live_server, phone, town_a, staff_a, aed):
    base = f"{live_server.url}{town_a.path_prefix}"
    log_in_staff(phone, base, staff_a)
    phone.goto(f"{base}/staff/opendata/")
    assert_accessible(phone)
    phone.goto(f"{base}/staff/opendata/aed/")
    assert_accessible(phone)

    tab_to(phone, "a[href$='/staff/opendata/aed/rows/new/']")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    assert_accessible(phone)
    type_into(phone, "input[id='id_c1']", "AED-002")  # ID
    type_into(phone, "input[id='id_c3']", "下仁田町文化ホール")  # 名称
    type_into(phone, "input[id='id_c8']", "群馬県甘楽郡下仁田町大字下仁田100")  # 所在地_連結表記
    type_into(phone, "input[id='id_c14']", "36.2130")  # 緯度
    phone.keyboard.press("Tab")
    phone.keyboard.type("138.7900")  # 経度 comes right after 緯度
    tab_to(phone, "form.od-staff-form button[type=submit]")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    assert "下仁田町文化ホール」を保存しました" in phone.locator(".messages").inner_text()
    assert "AED-002" in phone.locator("table.od-staff-rows").inner_text()

    type_into(phone, "#id_note", "文化ホールを追加")
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.textContent.trim()") == "公開する"
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    assert "第2版として公開しました（2 件）" in phone.locator(".messages").inner_text()
    assert_accessible(phone)
    with scope(municipality=town_a):
        version = Version.objects.get(dataset=aed, number=2)
        assert version.note == "文化ホールを追加" and version.row_count == 2
        assert Row.objects.get(dataset=aed, key="AED-002").data["経度"] == "138.7900"


def test_errors_and_import_problems_at_360px(live_server, phone, town_a, staff_a, aed):
    base = f"{live_server.url}{town_a.path_prefix}"
    log_in_staff(phone, base, staff_a)

    # A refused row: the summary at the top links to the fields, the typing stays.
    phone.goto(f"{base}/staff/opendata/aed/rows/new/")
    phone.locator("#id_c1").fill("AED-001")  # already used
    phone.locator("#id_c14").fill("138.7886")
    phone.locator("#id_c15").fill("36.2124")
    with phone.expect_navigation():
        phone.locator("form.od-staff-form button[type=submit]").click()
    summary = phone.locator(".error-summary").inner_text()
    assert "「名称」を入力してください。" in summary
    assert phone.locator("#id_c1").input_value() == "AED-001"
    assert_accessible(phone)

    # An import with problems: nothing is published, each problem names its line and column.
    phone.goto(f"{base}/staff/opendata/aed/import/")
    assert_accessible(phone)
    rows = [valid_row("aed", town_a, ID="1"), valid_row("aed", town_a, ID="1", 緯度="99")]
    phone.locator("#id_file").set_input_files(files=[{"name": "aed.csv", "mimeType": "text/csv",
                                                      "buffer": csv_text("aed", rows).encode("cp932")}])
    with phone.expect_navigation():
        phone.locator("main button[type=submit]").click()
    assert "/staff/opendata/uploads/" in phone.url
    run_worker()
    with scope(municipality=town_a):
        upload = Upload.objects.get()
    phone.goto(f"{base}/staff/opendata/uploads/{upload.public_id}/")
    problems = phone.locator("#problems").inner_text()
    assert "直すところ（2 件）" in problems and "3行目 「ID」" in problems and "3行目 「緯度」" in problems
    assert "Shift_JIS" in phone.locator("main").inner_text()
    assert_accessible(phone)
