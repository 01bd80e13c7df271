"""Reading a CSV/XLSX file into a dataset's columns and checking it against the dataset's table schema.

Reading: UTF-8 (with or without BOM) or Shift_JIS/CP932, detected; the older 推奨データセット column layout is mapped
to the current one. Checking: frictionless validates types, required cells, patterns and unique IDs against the schema;
our own checks add what the schema cannot say (the town's own 全国地方公共団体コード, coordinates inside Japan, swapped
緯度/経度). Every problem names its line in the file (the header is line 1) and its column, in the user's language.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import frictionless
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yakuba.kernel.files import tables as files_tables
from yakuba.kernel.forms.normalise import finite_number
from yakuba.kernel.tenancy.models import Municipality

from ..definitions import LATITUDE, LONGITUDE, TOWN_CODE, TOWN_NAME, Definition

# Columns that hold the town's own code: filled in when empty (所在地_… may name another town for a place outside it).
TOWN_CODE_COLUMNS = (TOWN_CODE, "市区町村コード", "所在地_全国地方公共団体コード")
MAX_PROBLEMS = 1000  # kept and shown; the count says how many there were in all
LAT_RANGE = (Decimal(20), Decimal(46))
LON_RANGE = (Decimal(122), Decimal(154))
TYPE_LABELS = {"number": gettext_lazy("数値"), "integer": gettext_lazy("整数"),
               "date": gettext_lazy("日付（例: 2026-04-01）"), "time": gettext_lazy("時刻（例: 09:00）"),
               "datetime": gettext_lazy("日時"), "boolean": gettext_lazy("真偽値"), "year": gettext_lazy("西暦年")}


@dataclass(frozen=True)
class Problem:
    row: int | None  # the line of the file (header = 1); None for the whole file or its header
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


class TableRefused(Exception):
    """The file cannot be read as the dataset's table; `problems` says why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems[:3]))
        self.problems = problems


@dataclass
class Table:
    header: list[str]  # the dataset's columns, schema order
    rows: list[dict[str, str]]
    lines: list[int]  # the file line of each row
    encoding: str = ""
    legacy: bool = False
    notes: list[str] = field(default_factory=list)


# Reading ------------------------------------------------------------------------------------------------------------

def decode(data: bytes) -> tuple[str, str]:
    """The text and the name of its encoding: UTF-8 (BOM or not), else Shift_JIS/CP932; refused if neither."""
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError as error:
        first_bad = error.start  # where UTF-8 broke: the line to look at when neither encoding fits
    try:
        return data.decode("cp932"), "Shift_JIS"
    except UnicodeDecodeError:
        line = data[:first_bad].count(b"\n") + 1
        raise TableRefused([Problem(None, "", _(
            "文字コードを判別できません（%(line)d 行目付近）。UTF-8 または Shift_JIS の CSV で保存し直してください。")
            % {"line": line})]) from None


def read_csv(data: bytes) -> tuple[list[list[str]], str]:
    text, encoding = decode(data)
    try:
        return list(csv.reader(io.StringIO(text, newline=""))), encoding
    except csv.Error as error:
        raise TableRefused([Problem(None, "", _("CSV として読めません: %(error)s") % {"error": error})]) from None


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d") if value.time() == time(0) else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        raise TableRefused([Problem(None, "", _("Excel ファイル（.xlsx）として読めません。"))]) from None
    sheet = book.worksheets[0]
    return [[_cell_text(v) for v in line] for line in sheet.iter_rows(values_only=True)]


def read_file(data: bytes, name: str) -> tuple[list[list[str]], str]:
    """The lines of the file (header first) and its encoding ("xlsx" for Excel)."""
    if data[:4] == b"PK\x03\x04" or name.lower().endswith(".xlsx"):
        return read_xlsx(data), "xlsx"
    return read_csv(data)


# Columns ----------------------------------------------------------------------------------------------------------

def _clean_header(header: list[str]) -> list[str]:
    names = [name.strip().lstrip("\ufeff") for name in header]
    while names and not names[-1]:
        names.pop()
    return names


def map_columns(defn: Definition, header: list[str]) -> tuple[list[int | None], bool, list[str]]:
    """For each schema column, the index of the file column holding it (None: absent, left empty); whether the file
    uses the older 推奨データセット layout; and notes to show. Raises TableRefused for columns that cannot be placed."""
    header = _clean_header(header)
    names = defn.names
    problems: list[Problem] = []
    seen: set[str] = set()
    for name in header:
        if not name:
            problems.append(Problem(1, "", _("見出し（1行目）に空の列があります。")))
        elif name in seen:
            problems.append(Problem(1, name, _("列「%(name)s」が2回あります。") % {"name": name}))
        seen.add(name)
    legacy_only = [h for h in header if h not in names and h in defn.legacy]
    legacy = bool(legacy_only)
    renamed = {h: (defn.legacy.get(h) if h not in names and legacy else h) for h in header}
    unknown = [h for h in header if h and h not in names and h not in defn.legacy]
    for name in unknown:
        problems.append(Problem(1, name, _("列「%(name)s」は「%(title)s」の項目にありません。") % {
            "name": name, "title": defn.title}))
    positions = {h: i for i, h in enumerate(header)}
    index_of = {target: positions[source] for source, target in renamed.items() if target}
    if not legacy:
        auto = {TOWN_CODE, TOWN_NAME}
        missing = [n for n in names if n not in index_of and n not in auto]
        if missing:
            problems.append(Problem(1, "", _("必要な列がありません: %(names)s（1行目の見出しは定義どおりに）") % {
                "names": "、".join(missing)}))
    if problems:
        raise TableRefused(problems)
    notes = []
    if legacy:
        notes.append(_("旧「推奨データセット」の列構成として読み、現在の列に対応づけました。"))
    elif [h for h in header if h in names] != [n for n in names if n in header]:
        notes.append(_("列の順番が定義と違うため、定義の順に並べ替えました。"))
    return [index_of.get(name) for name in names], legacy, notes


def to_table(defn: Definition, lines: list[list[str]], *, encoding: str = "") -> Table:
    """The file's lines as rows of the dataset's columns (blank lines dropped, line numbers kept)."""
    if not lines or not any(cell.strip() for cell in lines[0]):
        raise TableRefused([Problem(None, "", _("ファイルが空です。1行目に見出し、2行目からデータを書いてください。"))])
    indexes, legacy, notes = map_columns(defn, lines[0])
    names = defn.names
    text = {c.name for c in defn.columns if c.type == "string"}
    rows, numbers = [], []
    for number, line in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in line):
            continue
        # a file downloaded from the catalogue and uploaded again has the quote its CSV put before "=" in text
        # columns: take it off so the value is the same, not quoted once more at each round
        rows.append({name: _text_cell(line[i].strip(), name in text) if i is not None and i < len(line) else ""
                     for name, i in zip(names, indexes, strict=True)})
        numbers.append(number)
    return Table(header=names, rows=rows, lines=numbers, encoding=encoding, legacy=legacy, notes=notes)


def _text_cell(value: str, text: bool) -> str:
    return files_tables.restore(value).strip() if text else value  # stripped as any uploaded cell is


def fill_town(table: Table, municipality: Municipality) -> None:
    """Empty cells of the town's own code and name are filled in (old layouts lack the code; the form never asks)."""
    own = {name: municipality.code for name in TOWN_CODE_COLUMNS} | {TOWN_NAME: municipality.name}
    for row in table.rows:
        for name, value in own.items():
            if name in row and not row[name]:
                row[name] = value


# Checking -----------------------------------------------------------------------------------------------------------

def _frictionless_schema(defn: Definition) -> frictionless.Schema:
    descriptor = defn.table_schema()
    fields = []
    for item in descriptor["fields"]:
        item = dict(item)
        if item["name"] in (LATITUDE, LONGITUDE):  # our own check says more than "minimum is 20"
            item["constraints"] = {k: v for k, v in item.get("constraints", {}).items()
                                   if k not in ("minimum", "maximum")}
        fields.append({k: v for k, v in item.items() if k in ("name", "type", "format", "constraints", "title")})
    return frictionless.Schema.from_descriptor({**descriptor, "fields": fields})


_POSITION = re.compile(r"position (\d+)")
_CONSTRAINT = re.compile(r'constraint "(\w+)" is "(.*)"', re.S)


def _constraint_message(defn: Definition, column: str, cell: str, note: str) -> str:
    found = _CONSTRAINT.search(note or "")
    kind, value = (found.group(1), found.group(2)) if found else ("", "")
    if kind == "required":
        return _("「%(col)s」は必須です。") % {"col": column}
    example = next((c.example for c in defn.columns if c.name == column), "")
    if kind == "pattern":
        if example:
            return _("「%(cell)s」は「%(col)s」の形式に合いません（例: %(example)s）。") % {
                "cell": cell, "col": column, "example": example}
        return _("「%(cell)s」は「%(col)s」の形式に合いません。") % {"cell": cell, "col": column}
    if kind == "enum":
        return _("「%(col)s」は次のどれかにしてください: %(values)s") % {"col": column, "values": value}
    if kind in ("minimum", "maximum"):
        label = _("以上") if kind == "minimum" else _("以下")
        return _("「%(col)s」は %(value)s %(label)sにしてください（「%(cell)s」）。") % {
            "col": column, "value": value, "label": label, "cell": cell}
    if kind in ("maxLength", "minLength"):
        return _("「%(col)s」は %(value)s 文字%(label)sにしてください。") % {
            "col": column, "value": value, "label": _("以内") if kind == "maxLength" else _("以上")}
    return _("「%(col)s」の値「%(cell)s」が定義の条件（%(rule)s）に合いません。") % {
        "col": column, "cell": cell, "rule": kind or note}


def _translate(defn: Definition, error: Any, table: Table) -> Problem:
    lines = table.lines
    position = getattr(error, "row_number", None)
    row = lines[position - 2] if position and 2 <= position <= len(lines) + 1 else position
    column = getattr(error, "field_name", "") or ""
    cell = str(getattr(error, "cell", "") or "")
    note = getattr(error, "note", "") or ""
    if error.type == "type-error":
        type_name = next((c.type for c in defn.columns if c.name == column), "")
        return Problem(row, column, _("「%(cell)s」は%(type)sとして読めません。") % {
            "cell": _shown(cell), "type": TYPE_LABELS.get(type_name, type_name)})
    if error.type == "constraint-error":
        return Problem(row, column, _constraint_message(defn, column, cell, note))
    if error.type in ("unique-error", "primary-key"):
        other = _POSITION.search(note)
        first = lines[int(other.group(1)) - 2] if other and 2 <= int(other.group(1)) <= len(lines) + 1 else None
        column = column or (defn.id_column or "")
        if not cell and position and 2 <= position <= len(lines) + 1:  # a primary-key error names no cell
            cell = table.rows[position - 2].get(column, "")
        if first:
            return Problem(row, column, _("「%(col)s」が %(first)d 行目と重複しています（「%(cell)s」）。") % {
                "col": column, "first": first, "cell": cell})
        return Problem(row, column, _("「%(col)s」が他の行と重複しています。") % {"col": column})
    return Problem(row, column, _("この行を読めません（%(type)s: %(note)s）。") % {"type": error.type, "note": note})


def _decimal(text: str) -> Decimal | None:
    return finite_number(text) if text.strip() else None


def _number_checks(defn: Definition, row: dict[str, str], line: int) -> list[Problem]:
    """Numbers frictionless reads but a table must not hold: nan, inf, Infinity, 1e309, 1_000, endless digits."""
    return [Problem(line, column.name, _("「%(cell)s」は%(type)sとして読めません。") % {
                "cell": _shown(row[column.name]), "type": TYPE_LABELS[column.type]})
            for column in defn.columns
            if column.type in ("number", "integer") and row.get(column.name, "").strip()
            and finite_number(row[column.name]) is None]


def _shown(cell: str) -> str:
    return cell if len(cell) <= 40 else cell[:40] + "…"


def _own_checks(defn: Definition, municipality: Municipality, row: dict[str, str], line: int) -> list[Problem]:
    problems = _number_checks(defn, row, line)
    if defn.id_column and not row.get(defn.id_column, "").strip():  # each row's page and the duplicate check need it
        problems.append(Problem(line, defn.id_column, _("「%(col)s」を入れてください（行ごとに異なる番号や記号）。") % {
            "col": defn.id_column}))
    code = row.get(TOWN_CODE, "")
    if TOWN_CODE in row and code and code != municipality.code:
        problems.append(Problem(line, TOWN_CODE, _(
            "全国地方公共団体コード「%(code)s」は%(town)sのコード（%(own)s）ではありません。") % {
            "code": code, "town": municipality.name, "own": municipality.code}))
    if defn.located:
        lat, lon = _decimal(row.get(LATITUDE, "")), _decimal(row.get(LONGITUDE, ""))
        if (lat is None) != (lon is None) and row.get(LATITUDE, "").strip() and row.get(LONGITUDE, "").strip():
            return problems  # one is not a number: the number check has said so
        if lat is not None and lon is not None:
            in_japan = LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]
            swapped = LAT_RANGE[0] <= lon <= LAT_RANGE[1] and LON_RANGE[0] <= lat <= LON_RANGE[1]
            if swapped:
                problems.append(Problem(line, LATITUDE, _(
                    "緯度「%(lat)s」と経度「%(lon)s」が入れ替わっていませんか（日本では緯度が20〜46、経度が122〜154）。")
                    % {"lat": lat, "lon": lon}))
            elif not in_japan:
                problems.append(Problem(line, LATITUDE, _(
                    "緯度「%(lat)s」・経度「%(lon)s」は日本の範囲外です（緯度20〜46、経度122〜154、世界測地系の十進数）。")
                    % {"lat": lat, "lon": lon}))
        elif (lat is None) != (lon is None):
            problems.append(Problem(line, LATITUDE if lat is None else LONGITUDE,
                                    _("緯度と経度は両方とも入れるか、両方とも空にしてください。")))
    return problems


def check(defn: Definition, municipality: Municipality, table: Table) -> tuple[list[Problem], int]:
    """Every problem of the table (at most MAX_PROBLEMS kept, file order) and how many there were in all."""
    problems: list[Problem] = []
    data = [table.header] + [[row[name] for name in table.header] for row in table.rows]
    resource = frictionless.Resource(data=data, schema=_frictionless_schema(defn))
    report = resource.validate(limit_errors=MAX_PROBLEMS * 2)
    for task in report.tasks:
        problems += [_translate(defn, error, table) for error in task.errors]
    for row, line in zip(table.rows, table.lines, strict=True):
        problems += _own_checks(defn, municipality, row, line)
        if len(problems) > MAX_PROBLEMS * 4:
            break
    problems = list(dict.fromkeys(problems))  # a cell frictionless refused is refused by the number check too
    problems.sort(key=lambda p: (p.row or 0, defn.names.index(p.column) if p.column in defn.names else -1))
    return problems[:MAX_PROBLEMS], len(problems)
