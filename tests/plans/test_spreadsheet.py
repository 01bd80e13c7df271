"""The plan ⇄ .xlsx exchange: a round trip gives back the same plan; a wrong workbook is refused as a whole, each
problem at its sheet, row and column."""

from __future__ import annotations

import io

import pytest
from django_scopes import scope
from openpyxl import load_workbook

from yakuba.plans import interchange, spreadsheet
from yakuba.plans.demo import seed
from yakuba.plans.models import Action, Indicator, Measure, Plan, Policy, ScheduleEntry
from yakuba.plans.services.exchange import import_plan, save_plan
from yakuba.plans.spreadsheet import SpreadsheetRejected

from .conftest import small_plan_data

pytestmark = pytest.mark.django_db


def _counts():
    return [model.objects.count() for model in (Plan, Policy, Measure, Action, ScheduleEntry, Indicator)]


def _book(data: bytes):
    return load_workbook(io.BytesIO(data))


def _save(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _column(sheet, heading: str) -> int:
    return next(cell.column for cell in sheet[1] if cell.value == heading)


def _edit(data: bytes, sheet: str, row: int, heading: str, value) -> bytes:
    book = _book(data)
    book[sheet].cell(row, _column(book[sheet], heading)).value = value
    return _save(book)


def _problems(town, data: bytes) -> list:
    with scope(municipality=town):
        before = _counts()
        with pytest.raises(SpreadsheetRejected) as caught:
            save_plan(town, spreadsheet.read(data))
        assert _counts() == before  # nothing imported
    return caught.value.problems


def _as_new_slug(data: bytes, slug: str) -> bytes:
    book = _book(data)
    sheet = book["計画"]
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == "識別子")
    sheet.cell(row, 2, slug)
    return _save(book)


@pytest.fixture
def exported(small_plan, town_a) -> bytes:
    with scope(municipality=town_a):
        return spreadsheet.export(small_plan)


# Export -------------------------------------------------------------------------------------------------------------

def test_the_workbook_has_the_sheets_headings_and_ids_a_clerk_reads(exported):
    book = _book(exported)
    assert book.sheetnames == ["計画", "方針", "取組項目", "取組内容", "工程", "指標"]
    plan = {row[0]: row[1] for row in book["計画"].iter_rows(min_row=2, values_only=True) if row[0]}
    assert plan["識別子"] == "dx-test" and plan["開始年度"] == 2026 and plan["工程の単位"] == "年度"
    assert plan["計画名"] == "テスト町DX推進計画"
    measures = book["取組項目"]
    assert [c.value for c in measures[1]][:5] == ["取組項目ID", "方針ID", "番号", "取組項目", "重点"]
    assert measures.freeze_panes == "A2" and measures["A1"].font.b
    assert [c.value for c in measures[2]][:5] == ["M001", "P01", "①", "行政事務の効率化", "はい"]
    assert measures.cell(2, _column(measures, "担当課")).value == "総務課"
    assert measures.cell(2, _column(measures, "概要")).alignment.wrap_text
    assert measures.column_dimensions["D"].width >= 30
    schedule = [row for row in book["工程"].iter_rows(min_row=2, values_only=True)]
    assert ("M001", "A001", 2027, 2027, "財務連携検討") in schedule
    assert ("M003", None, 2026, 2027, "検討") in schedule  # the measure's own row
    indicators = list(book["指標"].iter_rows(min_row=2, values_only=True))
    assert indicators[0][:7] == ("M001", "A001", "初年度指標・目指す成果",
                                 "電子決裁システムの導入: 電子決裁利用率80%以上", 80, "%", "以上")
    assert indicators[3][6] == "数値なし" and indicators[3][1] is None
    assert "西暦" in book["工程"]["C1"].comment.text


def test_the_empty_template_has_every_sheet_and_heading_and_no_rows():
    book = _book(spreadsheet.template())
    assert book.sheetnames == ["計画", "方針", "取組項目", "取組内容", "工程", "指標"]
    assert [c.value for c in book["指標"][1]] == spreadsheet.HEADINGS["指標"]
    assert book["取組項目"].max_row == 1


def test_text_starting_with_equals_is_written_as_text_not_a_formula():
    plan_data = small_plan_data()
    plan_data["policies"][0]["description"] = "=HYPERLINK(\"http://x\")"
    book = _book(spreadsheet.write(plan_data))
    cell = book["方針"]["D2"]
    assert cell.data_type == "s" and cell.value == "=HYPERLINK(\"http://x\")"


# Round trip ---------------------------------------------------------------------------------------------------------

def test_round_trip_into_another_town_gives_the_same_plan(small_plan, town_a, town_b, exported):
    with scope(municipality=town_a):
        original = interchange.dump(small_plan)
    with scope(municipality=town_b):
        copy = save_plan(town_b, spreadsheet.read(exported))
        assert interchange.dump(copy) == original


def test_round_trip_as_a_new_slug_in_the_same_town(small_plan, town_a, exported):
    with scope(municipality=town_a):
        original = interchange.dump(small_plan)
        copy = save_plan(town_a, spreadsheet.read(_as_new_slug(exported, "dx-copy")))
        assert copy.pk != small_plan.pk
        assert interchange.dump(copy) == {**original, "slug": "dx-copy"}


@pytest.mark.parametrize("name", ["seed_000.json", "seed_001.json", "seed_002.json", "seed_003.json",
                                  "seed_004.json"])
def test_round_trip_of_every_seed(name, town_a, town_b):
    with scope(municipality=town_a):
        plan = save_plan(town_a, seed(name))
        original = interchange.dump(plan)
        data = spreadsheet.export(plan)
    with scope(municipality=town_b):
        assert interchange.dump(save_plan(town_b, spreadsheet.read(data))) == original


def test_importing_the_same_file_again_replaces_in_place(small_plan, town_a, exported):
    with scope(municipality=town_a):
        before = _counts()
        edited = _edit(exported, "取組項目", 2, "取組項目", "行政事務の効率化と電子化")
        plan = save_plan(town_a, spreadsheet.read(edited), replace=small_plan)
        assert plan.pk == small_plan.pk and _counts() == before
        assert Measure.objects.get(plan=plan, sort_order=0).title == "行政事務の効率化と電子化"


def test_a_clerk_typing_numbers_as_text_and_full_width_is_understood(small_plan, town_a, town_b, exported):
    edited = _edit(exported, "指標", 2, "目標値", "８５")
    edited = _edit(edited, "工程", 2, "開始", "２０２６")
    with scope(municipality=town_b):
        plan = save_plan(town_b, spreadsheet.read(edited))
        indicator = Indicator.objects.filter(measure__plan=plan).order_by("measure__sort_order", "sort_order")[0]
        assert str(indicator.target_value.normalize()) == "85"


# Refused workbooks --------------------------------------------------------------------------------------------------

def test_not_a_zip_is_refused(town_a):
    problems = _problems(town_a, b"%PDF-1.4 not a workbook")
    assert "Excel ファイル（.xlsx）ではありません" in str(problems[0])


def test_a_zip_that_is_not_a_workbook_is_refused(town_a):
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hi")
    problems = _problems(town_a, out.getvalue())
    assert "読めませんでした" in str(problems[0])


def test_a_too_big_file_is_refused(town_a):
    problems = _problems(town_a, b"PK" + b"0" * (spreadsheet.MAX_BYTES + 1))
    assert "大きすぎます" in str(problems[0])


def test_too_many_rows_are_refused(town_a, exported):
    book = _book(exported)
    sheet = book["工程"]
    for n in range(spreadsheet.MAX_ROWS + 1):
        sheet.append(["M001", None, 2026, 2026, f"行{n}"])
    problems = _problems(town_a, _save(book))
    assert problems[0].sheet == "工程" and "行が多すぎます" in problems[0].message


def test_a_renamed_heading_is_reported_at_the_header_row(town_a, exported):
    book = _book(exported)
    book["指標"].cell(1, _column(book["指標"], "目標値"), "目標")
    problems = _problems(town_a, _save(book))
    assert [(p.sheet, p.row, p.heading) for p in problems] == [("指標", 1, "目標値")]
    assert "「目標値」の列がありません" in str(problems[0])


def test_a_missing_sheet_is_reported(town_a, exported):
    book = _book(exported)
    del book["工程"]
    problems = _problems(town_a, _save(book))
    assert [(p.sheet, p.row) for p in problems] == [("工程", None)]
    assert "「工程」シートがありません" in str(problems[0])


def test_a_year_in_wareki_words_is_reported_at_its_cell(town_a, exported):
    problems = _problems(town_a, _edit(exported, "指標", 3, "目標年度", "令和八"))
    assert [(p.sheet, p.row, p.column, p.heading) for p in problems] == [("指標", 3, "J", "目標年度")]
    assert "西暦の4桁" in problems[0].message and "令和八" in problems[0].message
    assert str(problems[0]).startswith("「指標」シート 3行目 J列（目標年度）: ")


def test_a_bad_plan_year_is_reported_on_the_plan_sheet(town_a, exported):
    book = _book(exported)
    sheet = book["計画"]
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == "開始年度")
    sheet.cell(row, 2, "令和八")
    problems = _problems(town_a, _save(book))
    assert (problems[0].sheet, problems[0].row, problems[0].column) == ("計画", row, "B")


def test_a_target_in_words_is_reported_at_its_cell(town_a, exported):
    problems = _problems(town_a, _edit(exported, "指標", 2, "目標値", "たくさん"))
    assert [(p.sheet, p.row, p.column, p.heading) for p in problems] == [("指標", 2, "E", "目標値")]
    assert "数値で入力してください" in problems[0].message


def test_an_unknown_measure_reference_is_reported(town_a, exported):
    problems = _problems(town_a, _edit(exported, "取組内容", 3, "取組項目ID", "M099"))
    assert [(p.sheet, p.row, p.column, p.heading) for p in problems] == [("取組内容", 3, "B", "取組項目ID")]
    assert "「M099」は「取組項目」シートにありません" in problems[0].message


def test_an_action_of_another_measure_is_reported(town_a, exported):
    problems = _problems(town_a, _edit(exported, "指標", 2, "取組内容ID", "A003"))
    assert [(p.sheet, p.row, p.heading) for p in problems] == [("指標", 2, "取組内容ID")]


def test_a_duplicate_id_is_reported(town_a, exported):
    problems = _problems(town_a, _edit(exported, "取組項目", 3, "取組項目ID", "M001"))
    assert (problems[0].sheet, problems[0].row, problems[0].heading) == ("取組項目", 3, "取組項目ID")
    assert "重複" in problems[0].message


def test_a_period_outside_the_plan_is_reported_at_its_cell(town_a, exported):
    problems = _problems(town_a, _edit(exported, "工程", 4, "終了", 2031))
    assert [(p.sheet, p.row, p.column, p.heading) for p in problems] == [("工程", 4, "D", "終了")]
    assert "計画の期間" in problems[0].message


def test_a_bad_flag_and_comparator_are_reported(town_a, exported):
    edited = _edit(exported, "取組項目", 2, "重点", "たぶん")
    edited = _edit(edited, "指標", 2, "条件", "以上くらい")
    problems = _problems(town_a, edited)
    assert {(p.sheet, p.row, p.heading) for p in problems} == {("取組項目", 2, "重点"), ("指標", 2, "条件")}


def test_an_empty_required_title_is_reported_at_its_cell(town_a, exported):
    problems = _problems(town_a, _edit(exported, "取組内容", 2, "取組内容", None))
    assert [(p.sheet, p.row, p.heading) for p in problems] == [("取組内容", 2, "取組内容")]


def test_replacing_with_a_different_slug_is_refused(small_plan, town_a, admin_a, exported):
    with scope(municipality=town_a), pytest.raises(SpreadsheetRejected):
        import_plan(admin_a, spreadsheet.read(_as_new_slug(exported, "other")), replace=small_plan)


def test_counts_of_the_plan_data(exported):
    assert spreadsheet.counts(spreadsheet.read(exported)) == {
        "policies": 2, "measures": 3, "actions": 3, "schedule": 6, "indicators": 4}


@pytest.mark.parametrize("text", ["=1+1", "+1+1", "-1+1", "@SUM(A1)", '=HYPERLINK("http://evil.example/","押す") 花子'])
def test_hostile_text_is_a_string_cell_that_round_trips_and_numbers_stay_numbers(text):
    from tests.kernel.files.test_tables import assert_inert_xlsx

    plan_data = small_plan_data()
    plan_data["policies"][0]["description"] = text
    indicator = plan_data["policies"][0]["measures"][0]["indicators"][0]
    indicator["target"], indicator["baseline"] = "-1.5", "-3"
    exported = spreadsheet.write(plan_data)
    book = _book(exported)
    assert_inert_xlsx(book["方針"]["D2"], text)
    sheet = book["指標"]
    target, baseline = sheet.cell(2, _column(sheet, "目標値")), sheet.cell(2, _column(sheet, "基準値"))
    assert (target.value, target.data_type, baseline.value, baseline.data_type) == (-1.5, "n", -3, "n")
    assert spreadsheet.read(exported)["policies"][0]["description"] == text


@pytest.mark.parametrize("value", ["nan", "inf", "-Infinity", "1e309", "1e999999999", "１ｅ３０９", "1e12",
                                   float("inf"), float("nan"), 1e300, "9" * 5000])
def test_a_non_finite_or_too_large_target_is_reported_at_its_cell(town_a, exported, value):
    problems = _problems(town_a, _edit(exported, "指標", 2, "目標値", value))
    assert [(p.sheet, p.row, p.heading) for p in problems] == [("指標", 2, "目標値")]
    assert "数値" in problems[0].message  # 「数値で入力してください」; an inf cell Excel cannot hold reads as empty


@pytest.mark.parametrize("value", ["nan", "inf", "1e309", "1e10", None])
def test_parse_decimal_refuses_what_the_columns_cannot_hold(value):
    if value is None:
        assert interchange.parse_decimal(value) is None
        return
    with pytest.raises(ValueError):
        interchange.parse_decimal(value)
