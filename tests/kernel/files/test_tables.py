"""The kernel's spreadsheet writer: text a spreadsheet would run as a formula is neutralised in CSV and xlsx, while
numbers, Decimals and dates stay what they are. HOSTILE is the corpus every export's test sends through."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from yakuba.kernel.files import tables

# Text a resident (or a careless paste) can type, each of which a spreadsheet would otherwise evaluate.
HOSTILE = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1", '=HYPERLINK("http://evil.example/","押す") 花子',
           "=cmd|' /C calc'!A0"]
HARMLESS = ["山田 花子", "1-2-3", "A-1", "'quoted", "", "ー長音で始まる"]


def read_csv(body: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.lstrip("\ufeff"), newline="")))


def assert_inert(value: str, original: str) -> None:
    """What a CSV reader sees for hostile text: the same text behind a single quote, so nothing runs."""
    assert value == "'" + original, (value, original)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_gets_a_quote_in_front_and_comes_back(text):
    assert tables.neutralise(text) == "'" + text
    assert tables.restore(tables.neutralise(text)) == text


@pytest.mark.parametrize("text", [*HARMLESS, "'=x", "''-1", "'"])
def test_other_text_is_written_as_it_is_and_every_value_round_trips(text):
    if text in HARMLESS:
        assert tables.neutralise(text) == text
    assert tables.restore(tables.neutralise(text)) == text


def test_the_csv_writer_neutralises_text_and_keeps_numbers_decimals_and_dates():
    out = io.StringIO()
    writer = tables.TableWriter(out, bom=True)
    writer.writerow(["見出し", "数"])
    writer.writerows([[text, -5] for text in HOSTILE])
    writer.writerow([Decimal("-12.50"), date(2026, 6, 1), None, 3.5, True])
    body = out.getvalue()
    assert body.startswith("\ufeff") and "\r\n" in body
    rows = read_csv(body)
    for row, text in zip(rows[1:], HOSTILE, strict=False):
        assert_inert(row[0], text)
        assert row[1] == "-5"  # a negative number typed as a number stays a number
    assert rows[-1] == ["-12.50", "2026-06-01", "", "3.5", "True"]


def test_csv_download_is_a_private_attachment_with_a_bom():
    response, writer = tables.csv_download("x.csv")
    writer.writerow(["=1+1", -1])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.decode("utf-8") == "\ufeff'=1+1,-1\r\n"


def test_csv_bytes():
    assert tables.csv_bytes([["@SUM(A1)", 1]]) == "\ufeff'@SUM(A1),1\r\n".encode()
    assert tables.csv_bytes([["a"]], bom=False) == b"a\r\n"


def test_xlsx_rows_keep_hostile_text_as_text_and_numbers_as_numbers():
    book = Workbook()
    sheet = book.active
    tables.append_row(sheet, ["見出し"])
    for text in HOSTILE:
        tables.append_row(sheet, [text, -5, Decimal("1.25"), date(2026, 6, 1), "ふつう"])
    out = io.BytesIO()
    book.save(out)
    read = load_workbook(io.BytesIO(out.getvalue())).active
    for row, text in zip(read.iter_rows(min_row=2), HOSTILE, strict=True):
        assert_inert_xlsx(row[0], text)
        assert row[1].value == -5 and row[1].data_type == "n"
        assert row[2].value == 1.25 and row[2].data_type == "n"
        assert row[3].is_date and row[3].value.date() == date(2026, 6, 1)
        assert row[4].value == "ふつう" and not row[4].quotePrefix


def assert_inert_xlsx(cell, original: str) -> None:
    """An xlsx cell holding hostile text: a string (never a formula), the value exactly, Excel's quote flag on."""
    assert cell.data_type != "f" and cell.data_type == "s", (cell.coordinate, cell.data_type)
    assert cell.value == original
    assert cell.quotePrefix


def test_verbatim_text_is_written_exactly():
    assert tables.csv_bytes([[tables.Verbatim("-36.25"), "-36.25"]], bom=False) == b"-36.25,'-36.25\r\n"
