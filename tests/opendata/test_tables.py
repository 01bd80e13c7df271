"""Reading and checking a file against a dataset's schema: encodings, the old 推奨データセット layout, and every
kind of bad input named by its line and column in Japanese."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from tests.opendata.conftest import csv_text, valid_row
from yakuba.opendata import definitions
from yakuba.opendata.services.tables import TableRefused, check, fill_town, read_file, to_table

pytestmark = pytest.mark.django_db


def load(town, data: bytes, name: str = "aed.csv", kind: str = "aed"):
    defn = definitions.get(kind)
    lines, encoding = read_file(data, name)
    table = to_table(defn, lines, encoding=encoding)
    fill_town(table, town)
    problems, count = check(defn, town, table)
    return table, problems, count


def rows(town, n: int, **values: str) -> list[dict[str, str]]:
    return [valid_row("aed", town, ID=f"{i:03d}", 名称=f"施設{i}", **values) for i in range(1, n + 1)]


def test_a_valid_utf8_file_with_bom_reads_clean(town_a):
    table, problems, count = load(town_a, csv_text("aed", rows(town_a, 3)).encode("utf-8-sig"))
    assert (problems, count) == ([], 0)
    assert table.encoding == "UTF-8" and len(table.rows) == 3 and table.lines == [2, 3, 4]
    assert table.rows[0]["全国地方公共団体コード"] == town_a.code


def test_shift_jis_is_detected(town_a):
    table, problems, _count = load(town_a, csv_text("aed", rows(town_a, 2)).encode("cp932"))
    assert problems == [] and table.encoding == "Shift_JIS"
    assert table.rows[1]["名称"] == "施設2"


def test_undecodable_bytes_are_refused_with_the_line(town_a):
    data = csv_text("aed", rows(town_a, 2)).encode("utf-8") + b"\xff\xfe\x80\x81,x\r\n"
    with pytest.raises(TableRefused) as refused:
        load(town_a, data)
    assert "文字コードを判別できません（4 行目付近）" in refused.value.problems[0].message


def test_wrong_and_missing_columns_are_named(town_a):
    names = definitions.get("aed").names
    header = [n for n in names if n != "名称"] + ["電話"]
    with pytest.raises(TableRefused) as refused:
        load(town_a, csv_text("aed", rows(town_a, 1), header=header).encode())
    messages = [p.message for p in refused.value.problems]
    assert any("列「電話」は「AED設置箇所一覧」の項目にありません" in m for m in messages)
    assert any("必要な列がありません: 名称" in m for m in messages)


def test_columns_in_another_order_are_put_in_schema_order(town_a):
    names = definitions.get("aed").names
    table, problems, _count = load(town_a, csv_text("aed", rows(town_a, 1), header=list(reversed(names))).encode())
    assert problems == [] and table.header == names
    assert "並べ替えました" in table.notes[0]


def test_the_old_recommended_layout_is_mapped(town_a):
    defn = definitions.get("aed")
    old = ["NO", "名称", "住所", "方書", "緯度", "経度", "設置位置", "電話番号"]
    assert all(name in defn.legacy for name in old)
    line = "1,下仁田町役場,群馬県甘楽郡下仁田町大字下仁田682,1階,36.2124,138.7886,正面玄関,0274-82-2111"
    text = ",".join(old) + "\r\n" + line + "\r\n"
    table, problems, _count = load(town_a, text.encode("cp932"))
    assert problems == [] and table.legacy
    row = table.rows[0]
    assert (row["ID"], row["建物名等(方書)"]) == ("1", "1階")
    assert row["所在地_連結表記"] == "群馬県甘楽郡下仁田町大字下仁田682"
    assert row["全国地方公共団体コード"] == town_a.code  # the old layout had no code column


def test_every_bad_row_is_reported_with_line_and_column(town_a):
    given = rows(town_a, 6)
    given[0]["緯度"] = "北緯36度"  # line 2: not a number
    given[1]["緯度"], given[1]["経度"] = "138.7886", "36.2124"  # line 3: swapped
    given[2]["緯度"], given[2]["経度"] = "51.5", "-0.12"  # line 4: London
    given[3]["ID"] = "001"  # line 5: the ID of line 2
    given[4]["全国地方公共団体コード"] = "103845"  # line 6: another town's code
    given[5]["名称"] = ""  # line 7: required
    _table, problems, count = load(town_a, csv_text("aed", given).encode("utf-8-sig"))
    found = {(p.row, p.column): p.message for p in problems}
    assert count == len(problems) == 6
    assert "「北緯36度」は数値として読めません" in found[(2, "緯度")]
    assert "入れ替わっていませんか" in found[(3, "緯度")]
    assert "日本の範囲外です" in found[(4, "緯度")]
    assert "2 行目と重複しています（「001」）" in found[(5, "ID")]
    assert f"下仁田町のコード（{town_a.code}）ではありません" in found[(6, "全国地方公共団体コード")]
    assert "「名称」は必須です" in found[(7, "名称")]


def test_blank_lines_are_skipped_but_line_numbers_stay_true(town_a):
    given = rows(town_a, 2)
    given[1]["緯度"] = "x"
    text = csv_text("aed", given).replace("\r\n", "\r\n\r\n", 1)  # a blank line 2
    _table, problems, _count = load(town_a, text.encode())
    assert [(p.row, p.column) for p in problems] == [(4, "緯度")]


def test_an_xlsx_file_reads_like_a_csv(town_a):
    names = definitions.get("aed").names
    book = Workbook()
    sheet = book.active
    sheet.append(names)
    for row in rows(town_a, 2):
        sheet.append([float(row[n]) if n in ("緯度", "経度") else row[n] for n in names])
    data = io.BytesIO()
    book.save(data)
    table, problems, _count = load(town_a, data.getvalue(), name="aed.xlsx")
    assert problems == [] and table.encoding == "xlsx"
    assert table.rows[0]["緯度"] == "36.2124"


def test_an_empty_file_is_refused(town_a):
    with pytest.raises(TableRefused) as refused:
        load(town_a, b"")
    assert "ファイルが空です" in refused.value.problems[0].message
