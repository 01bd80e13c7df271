"""The plan exchange in a real browser at 360 px: import with errors then a good file (keyboard only), and the
council report page; axe-clean throughout."""

from __future__ import annotations

import io

import pytest
from django_scopes import scope
from openpyxl import load_workbook

from tests import factories
from tests.browser.conftest import assert_accessible, log_in_staff, tab_to
from yakuba.kernel.accounts.models import Role
from yakuba.plans import spreadsheet
from yakuba.plans.models import Plan

from ..plans.conftest import small_plan_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _workbook(target="80") -> bytes:
    data = small_plan_data()
    book = load_workbook(io.BytesIO(spreadsheet.write(data)))
    book["指標"]["E2"].value = target
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_import_by_keyboard_then_the_report_page(live_server, phone, tmp_path):
    town = factories.make_town()
    admin = factories.make_staff(town, role=Role.ADMIN)
    base = f"{live_server.url}{town.path_prefix}"
    log_in_staff(phone, base, admin)

    phone.goto(f"{base}/staff/plans/import/")
    assert_accessible(phone)
    bad, good = tmp_path / "bad.xlsx", tmp_path / "good.xlsx"
    bad.write_bytes(_workbook("たくさん"))
    good.write_bytes(_workbook())

    phone.set_input_files("#id_file", str(bad))
    tab_to(phone, "main button[type=submit]")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    assert "2行目 E列（目標値）" in phone.inner_text("main")
    assert_accessible(phone)
    with scope(municipality=town):
        assert not Plan.objects.exists()

    phone.set_input_files("#id_file", str(good))
    tab_to(phone, "main button[type=submit]")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    assert phone.url.endswith("/staff/plans/dx-test/report/")
    assert "取り込みました" in phone.inner_text("main")
    assert_accessible(phone)

    tab_to(phone, "main button[type=submit]")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    assert "作成中" in phone.inner_text("main")
    assert_accessible(phone)
