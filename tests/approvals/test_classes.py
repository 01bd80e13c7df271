"""文書分類表: the Excel import (good file, bad rows in Japanese, nothing half-imported), who may change it, and the
staff pages."""

from __future__ import annotations

import pytest
from django_scopes import scope

from tests import factories
from tests.approvals.filing_support import workbook
from yakuba.approvals.demo.filing import CLASSES, classes_workbook
from yakuba.approvals.models import DocumentClass
from yakuba.approvals.services import classes
from yakuba.kernel.accounts.models import Role
from yakuba.kernel.audit.models import AuditEntry
from yakuba.kernel.refusal import Refused

GOOD = [["01-01-01", "総務", "例規", "条例・規則の制定改廃", "総務課", "永年", "○"],
        ["03-02-01", "財政", "支出", "支出負担行為", "総務課", "５年", ""],
        ["01-05-02", "総務", "照会・回答", "軽易な照会と回答", "", 1, None],
        ["03-04-02", "財政", "契約", "業務委託契約", "総務課", "10", ""]]


@pytest.fixture
def keeper(town_a):
    """The 所属長 of 総務課 (the 文書主管課): the 文書担当 of the town."""
    return factories.make_staff(town_a, department="総務課", role=Role.APPROVER)


@pytest.mark.parametrize(("written", "years"), [("永年", 0), ("30年", 30), ("10年", 10), ("5", 5), ("５年", 5),
                                                (3, 3), ("1年", 1), (5.0, 5), ("7年", None), ("", None),
                                                ("0", None)])
def test_retention_as_written(written, years):
    assert classes.parse_retention(written) == years


@pytest.mark.django_db
def test_a_good_file_is_previewed_then_imported_whole(town_a, keeper):
    with scope(municipality=town_a):
        table = classes.read_table(town_a, workbook(GOOD))
        assert table.ok and [row.change for row in table.rows] == ["new"] * 4
        summary = classes.import_table(keeper, table.plain())
        assert (summary.created, summary.updated) == (4, 0)
        spending = DocumentClass.objects.get(code="03-02-01")
        assert (spending.retention, spending.historical, spending.department.name) == (5, False, "総務課")
        assert DocumentClass.objects.get(code="01-01-01").historical
        assert DocumentClass.objects.get(code="01-05-02").department is None
        again = classes.read_table(town_a, workbook([[*GOOD[1][:5], "10年", ""]]))
        assert again.rows[0].change == "changed"
        assert AuditEntry.objects.filter(action="approvals.classes.imported").count() == 1


@pytest.mark.django_db
def test_bad_rows_are_each_explained_and_nothing_is_imported(town_a, keeper):
    rows = [*GOOD,
            ["09-09-09", "総務", "", "保存期間のない分類", "総務課", "", ""],
            ["09-09-10", "総務", "", "おかしな期間", "総務課", "7年", ""],
            ["09-09-11", "総務", "", "知らない課", "宇宙課", "5年", ""],
            ["03-02-01", "財政", "支出", "重複", "総務課", "5年", ""],
            ["", "", "", "記号なし", "総務課", "5年", "たぶん"]]
    with scope(municipality=town_a):
        table = classes.read_table(town_a, workbook(rows))
        assert not table.ok
        problems = {row.row: " ".join(row.problems) for row in table.rows if row.problems}
        assert "保存期間のない分類は登録できません" in problems[6]
        assert "永年・30年・10年・5年・3年・1年" in problems[7]
        assert "主管課「宇宙課」はこの町の課にありません" in problems[8]
        assert "3 行目と重複" in problems[9]
        assert "「分類記号」が空です" in problems[10] and "「歴史公文書」の「たぶん」" in problems[10]
        with pytest.raises(Refused) as refused:
            classes.import_table(keeper, table.plain())
        assert any(message.startswith("6行目") for message in refused.value.messages)
        assert not DocumentClass.objects.exists()


@pytest.mark.django_db
def test_a_file_without_the_headings_or_not_a_workbook_is_refused(town_a):
    with scope(municipality=town_a):
        assert "見出し" in classes.read_table(town_a, workbook([["x"]], headings=["分類", "名前"])).problems[0]
        assert "Excel" in classes.read_table(town_a, b"PK\x03\x04 not really").problems[0]


@pytest.mark.django_db
def test_only_the_keepers_of_the_table_may_change_it(town_a, staff_a, admin_a, keeper):
    other_head = factories.make_staff(town_a, department="福祉課", role=Role.APPROVER)
    assert classes.may_manage(keeper) and classes.may_manage(admin_a)
    assert not classes.may_manage(staff_a) and not classes.may_manage(other_head)
    with scope(municipality=town_a):
        table = classes.read_table(town_a, workbook(GOOD))
        with pytest.raises(Refused):
            classes.import_table(other_head, table.plain())
        town_a.settings = {"approvals": {"records_department": "福祉課"}}
        town_a.save()
        other_head.refresh_from_db()
        assert classes.may_manage(other_head)


@pytest.mark.django_db
def test_the_demo_table_round_trips_through_excel(town_a, keeper):
    for name in {row[4] for row in CLASSES}:
        factories.make_department(town_a, name)
    with scope(municipality=town_a):
        table = classes.read_table(town_a, classes_workbook())
        assert table.ok and len(table.rows) == len(CLASSES)
        classes.import_table(keeper, table.plain())
        exported = classes.export_table(town_a)
        assert all(row.change == "same" for row in classes.read_table(town_a, exported).rows)


@pytest.mark.django_db
def test_import_pages_preview_confirm_and_refuse(town_a, keeper, staff_a):
    client = factories.staff_client(keeper)
    url = "/t/10382/staff/approvals/classes/import/"
    bad = client.post(url, {"file": _xlsx(workbook([["09", "総務", "", "期間なし", "総務課", "", ""]]))})
    assert bad.status_code == 400 and "保存期間のない分類は登録できません" in bad.content.decode()
    preview = client.post(url, {"file": _xlsx(workbook(GOOD))})
    assert preview.status_code == 200 and "この内容で取り込む" in preview.content.decode()
    with scope(municipality=town_a):
        assert not DocumentClass.objects.exists()  # a preview writes nothing
    token = _once(preview)
    done = client.post(url, {"step": "confirm", "_once": token}, follow=True)
    assert "追加 4 件" in done.content.decode()
    with scope(municipality=town_a):
        assert DocumentClass.objects.count() == 4
    assert factories.staff_client(staff_a).get(url).status_code == 403
    listing = factories.staff_client(staff_a).get("/t/10382/staff/approvals/classes/")
    assert "支出負担行為" in listing.content.decode() and "分類を追加する" not in listing.content.decode()


@pytest.mark.django_db
def test_editing_a_class_refuses_a_duplicate_code_and_a_missing_period(town_a, keeper):
    client = factories.staff_client(keeper)
    with scope(municipality=town_a):
        DocumentClass.objects.create(municipality=town_a, code="A-1", major="総務", name="既存", retention=5)
    new = client.get("/t/10382/staff/approvals/classes/new/")
    token = _once(new)
    response = client.post("/t/10382/staff/approvals/classes/new/", {
        "code": "A-1", "major": "総務", "name": "新しい分類", "retention": "", "_once": token})
    body = response.content.decode()
    assert response.status_code == 400 and "保存期間のない分類は登録できません" in body
    response = client.post("/t/10382/staff/approvals/classes/new/", {
        "code": "A-1", "major": "総務", "name": "新しい分類", "retention": "3", "is_active": "on", "_once": token})
    assert response.status_code == 400 and "分類記号「A-1」は既にあります" in response.content.decode()
    assert 'value="新しい分類"' in response.content.decode()  # typing kept


def _xlsx(content: bytes):
    from tests.approvals.filing_support import upload

    return upload("bunrui.xlsx", content)


def _once(response) -> str:
    import re

    return re.search(r'name="_once" value="([^"]+)"', response.content.decode()).group(1)
