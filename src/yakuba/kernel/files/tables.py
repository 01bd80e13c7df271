"""The one way the platform writes spreadsheets (CSV and xlsx cells), so typed text never runs as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, time
from decimal import Decimal
from typing import Any, Protocol

from django.http import HttpResponse
from openpyxl.worksheet.worksheet import Worksheet

# OWASP "CSV Injection": Excel, LibreOffice and Google Sheets read a cell starting with one of these as a formula
# (tab and CR because some spreadsheets strip them and then see the `=` behind).
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
NUMBERS = (int, float, Decimal, date, time)  # bool is an int; datetime is a date
BOM = "\ufeff"  # Excel opens UTF-8 as Shift_JIS without it


class Verbatim(str):
    """Text written exactly as it is, for a column whose values a schema already types as numbers (an open data
    coordinate `-36.2` must stay a number for the programs that read the file)."""

    __slots__ = ()


def neutralise(text: str) -> str:
    """`text` with a single quote in front when a spreadsheet would run it, as OWASP describes.

    A text that already starts with quotes before a dangerous character gets one more, so `restore` gives back
    exactly what was written (`'=x` is written `''=x`); any other text is left as it is."""
    if text.lstrip(QUOTE)[:1] in DANGEROUS and text.lstrip(QUOTE):
        return QUOTE + text
    return text


def restore(text: str) -> str:
    """The text `neutralise` was given (for files the platform reads back, such as open data versions)."""
    if text.startswith(QUOTE) and text.lstrip(QUOTE)[:1] in DANGEROUS and text.lstrip(QUOTE):
        return text[1:]
    return text


def cell(value: Any) -> Any:
    """A CSV cell: numbers, Decimals and dates stay as they are (a negative number typed as a number is a number,
    not a formula); None is empty; anything else is written as its text, neutralised."""
    if value is None:
        return ""
    if isinstance(value, (*NUMBERS, Verbatim)):
        return value
    return neutralise(str(value))


class _Stream(Protocol):
    def write(self, text: str, /) -> Any: ...


class TableWriter:
    """`csv.writer` with every cell passed through `cell`; CRLF line ends as RFC 4180 and Excel expect."""

    def __init__(self, stream: _Stream, *, bom: bool = False) -> None:
        if bom:
            stream.write(BOM)
        self._writer = csv.writer(stream, lineterminator="\r\n")

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_download(filename: str) -> tuple[HttpResponse, TableWriter]:
    """A private CSV attachment (UTF-8 with BOM for Excel, never cached) and the writer that fills it."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response, TableWriter(response, bom=True)


def csv_bytes(rows: Iterable[Iterable[Any]], *, bom: bool = True) -> bytes:
    """Rows as a CSV file's bytes (UTF-8, with a BOM unless told otherwise)."""
    out = io.StringIO()
    TableWriter(out).writerows(rows)
    return (BOM if bom else "").encode() + out.getvalue().encode("utf-8")


def append_row(sheet: Worksheet, values: Iterable[Any]) -> None:
    """Append a row to an openpyxl sheet so that no text cell is a formula.

    openpyxl turns any text starting with `=` into a formula. Such text (and text starting with another dangerous
    character) is stored as a string cell with Excel's own quotePrefix flag, which is what Excel records when a
    person types `'=…`: the cell shows and keeps the text exactly (no visible quote, so a workbook the platform
    reads back, such as the plan spreadsheet, round-trips), Excel never evaluates it, and editing the cell in
    Excel keeps it text. Numbers, Decimals and dates are written as such."""
    sheet.append(list(values))
    for each in sheet[sheet.max_row]:
        if isinstance(each.value, str) and neutralise(each.value) != each.value:
            each.data_type = "s"
            each.quotePrefix = True
