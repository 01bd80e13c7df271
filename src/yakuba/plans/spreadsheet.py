"""A plan as an .xlsx workbook a clerk can read and edit in Excel, and back.

Both ways go through `interchange`: the export writes `interchange.dump(plan)`, the import reads the workbook into
the same plain data and checks it with `interchange.validate` (`services.exchange` saves it). Rows of different
sheets are tied by IDs the export writes (方針ID P01, 取組項目ID M001, 取組内容ID A001); a clerk adding a row
makes up a new ID.
Every problem is reported at its cell (sheet, row, column); nothing is saved unless the whole workbook is right.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any, Literal

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from yakuba.kernel.files import tables
from yakuba.kernel.forms.normalise import finite_number
from yakuba.kernel.refusal import Refused

from . import interchange
from .models import Comparator, Granularity, Plan

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

YES, NO = "はい", "いいえ"
COMPARATORS = {Comparator.AT_LEAST: "以上", Comparator.AT_MOST: "以下", Comparator.EQUAL: "ちょうど",
               Comparator.DONE: "数値なし"}
GRANULARITIES = {Granularity.YEAR: "年度", Granularity.QUARTER: "四半期"}
YEAR_NOTE = "年度は西暦で書きます（令和8年度 = 2026）。四半期は 2026Q3 の形（Q1 = 4-6月 … Q4 = 1-3月）。"

# Sheet names and their headings, in order (the headings are the contract: the import finds columns by them).
PLAN, POLICIES, MEASURES, ACTIONS, SCHEDULE, INDICATORS = "計画", "方針", "取組項目", "取組内容", "工程", "指標"
PLAN_HEADINGS = ["項目", "値", "説明"]
PLAN_KEYS = [  # (label, data key, note)
    ("識別子", "slug", "半角英小文字・数字・ハイフン（例: dx-2026）。同じ識別子の計画は置き換えになります。"),
    ("計画名", "title", ""), ("版", "version", "例: ver1.0"),
    ("開始年度", "start_year", "西暦（例: 2026）"), ("終了年度", "end_year", "西暦（例: 2028）"),
    ("工程の単位", "granularity", "年度 か 四半期"), ("策定日", "adopted_on", "例: 2026-04-01"),
    ("基本理念", "vision", ""), ("位置づけ", "summary", ""), ("進捗確認の会議", "council", ""),
    ("出典", "source", ""),
]
HEADINGS = {
    POLICIES: ["方針ID", "番号", "方針", "説明"],
    MEASURES: ["取組項目ID", "方針ID", "番号", "取組項目", "重点", "概要", "現状と課題", "目指す姿", "担当課",
               "関係課", "担当の表記"],
    ACTIONS: ["取組内容ID", "取組項目ID", "取組内容", "説明", "担当課", "関係課", "担当の表記"],
    SCHEDULE: ["取組項目ID", "取組内容ID", "開始", "終了", "内容"],
    INDICATORS: ["取組項目ID", "取組内容ID", "種類", "指標", "目標値", "単位", "条件", "基準値", "基準年度",
                 "目標年度", "自動計測", "計画策定後の追加"],
}
WIDTHS = {"方針": 40, "取組項目": 36, "取組内容": 36, "指標": 48, "説明": 40, "概要": 40, "現状と課題": 40,
          "目指す姿": 40, "内容": 30, "値": 60, "担当課": 20, "関係課": 20, "担当の表記": 22, "種類": 18}
NOTES = {"開始": YEAR_NOTE, "終了": YEAR_NOTE, "基準年度": YEAR_NOTE, "目標年度": YEAR_NOTE,
         "取組内容ID": "空欄は取組項目そのものの行です。", "担当課": "課の名前を「、」で区切って並べます。",
         "条件": "以上・以下・ちょうど・数値なし のどれか", "重点": "はい か いいえ",
         "自動計測": "システムで自動計測する値のキー（空欄でかまいません）"}
# interchange keys -> the heading of the column they come from, per kind of row
MEASURE_KEYS = {"number": "番号", "title": "取組項目", "priority": "重点", "summary": "概要", "issues": "現状と課題",
                "goal": "目指す姿", "lead": "担当課", "related": "関係課", "departments_text": "担当の表記"}
ACTION_KEYS = {"title": "取組内容", "description": "説明", "lead": "担当課", "related": "関係課",
               "departments_text": "担当の表記"}
POLICY_KEYS = {"number": "番号", "title": "方針", "description": "説明"}
CELL_KEYS = {"from": "開始", "to": "終了", "text": "内容"}
INDICATOR_KEYS = {"kind": "種類", "text": "指標", "target": "目標値", "unit": "単位", "comparator": "条件",
                  "baseline": "基準値", "baseline_year": "基準年度", "due_year": "目標年度", "metric": "自動計測",
                  "action": "取組内容ID", "from_seed": "計画策定後の追加"}
NAME_SEPARATORS = re.compile(r"[、,，\n]+")


# --- export -------------------------------------------------------------------------------------------------------


def export(plan: Plan) -> bytes:
    """The plan as an .xlsx workbook."""
    return write(interchange.dump(plan))


def template() -> bytes:
    """An empty workbook with every sheet and heading, for a town starting its plan from scratch."""
    return write(None)


def write(data: dict[str, Any] | None) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = PLAN
    _plan_sheet(sheet, data or {})
    rows = _rows(data) if data else {name: [] for name in HEADINGS}
    for name, headings in HEADINGS.items():
        _table(book.create_sheet(name), headings, rows[name])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _plan_sheet(sheet: Worksheet, data: dict[str, Any]) -> None:
    values: list[list[Any]] = []
    for label, key, note in PLAN_KEYS:
        value = data.get(key)
        if key == "granularity":
            value = GRANULARITIES.get(value or Granularity.YEAR, value)
        elif key == "adopted_on" and value:
            value = date.fromisoformat(value)
        values.append([label, value, note])
    _table(sheet, PLAN_HEADINGS, values, widths={"項目": 16, "説明": 44})
    for row in range(2, len(values) + 2):
        sheet.cell(row, 1).font = Font(bold=True)
        sheet.cell(row, 2).number_format = "yyyy-mm-dd" if values[row - 2][0] == "策定日" else "@"
        if values[row - 2][0] in ("開始年度", "終了年度"):
            sheet.cell(row, 2).number_format = "0"
    sheet.cell(len(values) + 3, 1, YEAR_NOTE)


def _rows(data: dict[str, Any]) -> dict[str, list[list[Any]]]:
    rows: dict[str, list[list[Any]]] = {name: [] for name in HEADINGS}
    m_count = a_count = 0
    for p, policy in enumerate(data["policies"], start=1):
        policy_id = f"P{p:02d}"
        rows[POLICIES].append([policy_id, policy.get("number"), policy["title"], policy.get("description")])
        for measure in policy.get("measures", []):
            m_count += 1
            measure_id = f"M{m_count:03d}"
            rows[MEASURES].append([
                measure_id, policy_id, measure.get("number"), measure["title"], YES if measure.get("priority") else NO,
                measure.get("summary"), measure.get("issues"), measure.get("goal"), _names(measure.get("lead")),
                _names(measure.get("related")), measure.get("departments_text")])
            rows[SCHEDULE] += [[measure_id, None, *_cell(c)] for c in measure.get("schedule", [])]
            ids: dict[str, str] = {}
            for action in measure.get("actions", []):
                a_count += 1
                action_id = f"A{a_count:03d}"
                ids.setdefault(action["title"], action_id)
                rows[ACTIONS].append([action_id, measure_id, action["title"], action.get("description"),
                                      _names(action.get("lead")), _names(action.get("related")),
                                      action.get("departments_text")])
                rows[SCHEDULE] += [[measure_id, action_id, *_cell(c)] for c in action.get("schedule", [])]
            for item in measure.get("indicators", []):
                rows[INDICATORS].append([
                    measure_id, ids.get(item.get("action") or ""), item.get("kind"), item["text"],
                    _number(item.get("target")), item.get("unit"),
                    COMPARATORS.get(item.get("comparator") or Comparator.AT_LEAST), _number(item.get("baseline")),
                    item.get("baseline_year"), item.get("due_year"), item.get("metric"),
                    NO if item.get("from_seed", True) else YES])
    return rows


def _names(names: list[str] | None) -> str:
    return "、".join(names or [])


def _cell(cell: dict[str, Any]) -> list[Any]:
    return [_period(cell["from"]), _period(cell.get("to") or cell["from"]), cell.get("text")]


def _period(text: str) -> int | str:
    return int(text) if str(text).isdigit() else text


def _number(text: str | None) -> int | Decimal | None:
    if text is None:
        return None
    value = Decimal(text)
    return int(value) if value == value.to_integral_value() and abs(value) < 10**15 else value


def _table(sheet: Worksheet, headings: list[str], rows: list[list[Any]],
           widths: dict[str, int] | None = None) -> None:
    widths = {**WIDTHS, **(widths or {})}
    sheet.append(headings)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for col, heading in enumerate(headings, start=1):
        cell = sheet.cell(1, col)
        cell.font, cell.fill = Font(bold=True), fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        if heading in NOTES:
            cell.comment = Comment(NOTES[heading], "yakuba")
        sheet.column_dimensions[get_column_letter(col)].width = widths.get(heading, 12)
    wrap = Alignment(wrap_text=True, vertical="top")
    for values in rows:
        tables.append_row(sheet, [None if v == "" else v for v in values])  # text never becomes a formula
        for cell in sheet[sheet.max_row]:
            cell.alignment = wrap
    sheet.freeze_panes = "A2"
    _dropdowns(sheet, headings)


def _dropdowns(sheet: Worksheet, headings: list[str]) -> None:
    lists = {"重点": f'"{YES},{NO}"', "計画策定後の追加": f'"{YES},{NO}"',
             "条件": '"' + ",".join(COMPARATORS.values()) + '"'}
    for col, heading in enumerate(headings, start=1):
        if heading in lists:
            check = DataValidation(type="list", formula1=lists[heading], allow_blank=True)
            letter = get_column_letter(col)
            check.add(f"{letter}2:{letter}{MAX_ROWS}")
            sheet.add_data_validation(check)


# --- import -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellProblem:
    """One thing wrong in the workbook and where: sheet, row (1-based as Excel shows it), column letter/heading."""

    sheet: str
    row: int | None
    column: str  # letter, "" when the problem is not in one cell
    heading: str
    message: str

    @property
    def where(self) -> str:
        parts = [_("「%(sheet)s」シート") % {"sheet": self.sheet}] if self.sheet else []
        if self.row:
            parts.append(_("%(row)d行目") % {"row": self.row})
        if self.column:
            parts.append(_("%(col)s列（%(heading)s）") % {"col": self.column, "heading": self.heading}
                         if self.heading else _("%(col)s列") % {"col": self.column})
        return " ".join(parts)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class SpreadsheetRejected(Refused):
    """The kernel's refusal, keeping every problem at its cell (the import page lists them by sheet)."""

    def __init__(self, problems: list[CellProblem]) -> None:
        super().__init__([str(p) for p in problems])
        self.problems = problems


@dataclass
class _Row:
    sheet: str
    number: int
    values: dict[str, Any]


@dataclass
class _Sheet:
    name: str
    columns: dict[str, int]  # heading -> 1-based column
    rows: list[_Row]

    def letter(self, heading: str) -> str:
        return get_column_letter(self.columns[heading]) if heading in self.columns else ""


@dataclass
class _Reader:
    """Turns the sheets into interchange data, remembering which cell every path came from."""

    sheets: dict[str, _Sheet]
    problems: list[CellProblem] = field(default_factory=list)
    origin: dict[str, tuple[str, int, dict[str, str]]] = field(default_factory=dict)  # path -> sheet, row, keys
    plan_rows: dict[str, int] = field(default_factory=dict)

    def add(self, sheet: str, row: int | None, heading: str, message: str) -> None:
        letter = self.sheets[sheet].letter(heading) if sheet in self.sheets and heading else ""
        self.problems.append(CellProblem(sheet, row, letter, heading, message))

    def text(self, row: _Row, heading: str) -> str:
        value = row.values.get(heading)
        if value is None:
            return ""
        if isinstance(value, datetime):
            return value.date().isoformat()
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value).strip()

    def names(self, row: _Row, heading: str) -> list[str]:
        return [n.strip() for n in NAME_SEPARATORS.split(self.text(row, heading)) if n.strip()]

    def year(self, row: _Row, heading: str) -> int | None:
        value = row.values.get(heading)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            value = ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = unicodedata.normalize("NFKC", str(value)).strip()
        if re.fullmatch(r"\d{4}", text):
            return int(text)
        self.add(row.sheet, row.number, heading, _("年度は西暦の4桁で入力してください（例: 2026）。"
                                                   "「%(value)s」は読めません。") % {"value": value})
        return None

    def number(self, row: _Row, heading: str) -> str | None:
        value = row.values.get(heading)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            return str(value)
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            return format(Decimal(repr(value)).normalize(), "f")
        text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "")
        number = finite_number(text)  # never format 1e999999999 in full
        return format(number.normalize(), "f") if number is not None else text  # else interchange says so, here

    def flag(self, row: _Row, heading: str) -> bool | None:
        value = row.values.get(heading)
        if value is None or value == "" or value is False or value == 0:
            return False
        if value is True or value == 1:
            return True
        text = unicodedata.normalize("NFKC", str(value)).strip().lower()
        if text in ("はい", "○", "◯", "yes", "true", "重点"):
            return True
        if text in ("いいえ", "×", "no", "false", "-"):
            return False
        self.add(row.sheet, row.number, heading, _("「はい」か「いいえ」で入力してください。"))
        return None

    def remember(self, path: str, row: _Row, keys: dict[str, str]) -> None:
        self.origin[path] = (row.sheet, row.number, keys)

    def locate(self, path: str) -> tuple[str, int | None, str]:
        """The sheet, row and heading an interchange Problem path came from."""
        plan_key = path.removeprefix("plan.")
        if plan_key in self.plan_rows:
            return PLAN, self.plan_rows[plan_key], "値"
        if path == "policies":
            return POLICIES, None, ""
        prefix, _dot, key = path.rpartition(".")
        if path in self.origin:
            sheet, number, _keys = self.origin[path]
            return sheet, number, ""
        if prefix in self.origin:
            sheet, number, keys = self.origin[prefix]
            return sheet, number, keys.get(key, "")
        return PLAN, None, ""


def read(upload: IO[bytes] | bytes) -> dict[str, Any]:
    """The plan data of a workbook, or SpreadsheetRejected with every problem at its cell."""
    raw = upload if isinstance(upload, bytes) else _read_bytes(upload)
    book = _open(raw)
    try:
        sheets = _load_sheets(book)
    finally:
        book.close()
    reader = _Reader(sheets)
    for name, headings in [(PLAN, PLAN_HEADINGS[:2]), *HEADINGS.items()]:
        if name not in sheets:
            reader.problems.append(CellProblem(name, None, "", "", _(
                "「%(sheet)s」シートがありません。書き出したファイルのシート名を変えずに使ってください。")
                % {"sheet": name}))
            continue
        for heading in headings:
            if heading not in sheets[name].columns:
                reader.problems.append(CellProblem(name, 1, "", heading, _(
                    "1行目に「%(heading)s」の列がありません（見出しを変えないでください）。") % {"heading": heading}))
    if reader.problems:
        raise SpreadsheetRejected(reader.problems)
    data = _build(reader)
    for problem in interchange.validate(data):
        sheet, number, heading = reader.locate(problem.where)
        reader.add(sheet, number, heading, problem.message)
    if reader.problems:
        raise SpreadsheetRejected(_unique(reader.problems))
    return data


def _read_bytes(upload: IO[bytes]) -> bytes:
    upload.seek(0)
    raw = upload.read(MAX_BYTES + 1)
    upload.seek(0)
    return raw


def _open(raw: bytes) -> Any:
    if len(raw) > MAX_BYTES:
        raise SpreadsheetRejected([CellProblem("", None, "", "", _(
            "ファイルが大きすぎます（上限 5MB）。"))])
    if not raw or not zipfile.is_zipfile(io.BytesIO(raw)):
        raise SpreadsheetRejected([CellProblem("", None, "", "", _(
            "Excel ファイル（.xlsx）ではありません。Excel で「.xlsx」形式で保存したファイルを選んでください。"))])
    try:
        return load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken or foreign zip
        raise SpreadsheetRejected([CellProblem("", None, "", "", _(
            "Excel ファイル（.xlsx）として読めませんでした。Excel で開いて「.xlsx」形式で保存し直してください。"))]
        ) from error


def _load_sheets(book: Any) -> dict[str, _Sheet]:
    sheets: dict[str, _Sheet] = {}
    for worksheet in book.worksheets:
        name = str(worksheet.title).strip()
        rows_iter = worksheet.iter_rows(values_only=True)
        header = next(rows_iter, ())
        columns: dict[str, int] = {}
        for col, value in enumerate(header or (), start=1):
            heading = unicodedata.normalize("NFKC", str(value)).strip() if value is not None else ""
            if heading and heading not in columns:
                columns[heading] = col
        rows = []
        for number, values in enumerate(rows_iter, start=2):
            if number > MAX_ROWS + 1:
                raise SpreadsheetRejected([CellProblem(name, None, "", "", _(
                    "行が多すぎます（1つのシートに %(max)d 行まで）。") % {"max": MAX_ROWS})])
            cells = {h: values[c - 1] if c - 1 < len(values) else None for h, c in columns.items()}
            if any(v is not None and str(v).strip() for v in cells.values()):
                rows.append(_Row(name, number, cells))
        sheets[name] = _Sheet(name, columns, rows)
    return sheets


def _unique(problems: Iterable[CellProblem]) -> list[CellProblem]:
    """One message per cell: the first (our own reading) wins over interchange saying the same thing again."""
    seen, result = set(), []
    for problem in problems:
        key = (problem.sheet, problem.row, problem.column) if problem.column else problem
        if key not in seen:
            seen.add(key)
            result.append(problem)
    return result


def _build(reader: _Reader) -> dict[str, Any]:
    data = _plan_values(reader)
    policies: dict[str, tuple[str, dict[str, Any]]] = {}
    for row in _with_ids(reader, POLICIES, "方針ID"):
        path = f"policies[{len(data['policies'])}]"
        policy = {"number": reader.text(row, "番号"), "title": _free(row, "方針"),
                  "description": _free(row, "説明"), "measures": []}
        data["policies"].append(policy)
        policies[reader.text(row, "方針ID")] = (path, policy)
        reader.remember(path, row, POLICY_KEYS)
    measures = _measures(reader, policies)
    actions = _actions(reader, measures)
    _schedule(reader, measures, actions)
    _indicators(reader, measures, actions)
    return data


def _plan_values(reader: _Reader) -> dict[str, Any]:
    rows = {reader.text(row, "項目"): row for row in reader.sheets[PLAN].rows}
    data: dict[str, Any] = {"policies": []}
    for label, key, _note in PLAN_KEYS:
        row = rows.get(label)
        if row is None:
            reader.add(PLAN, None, "項目", _("「%(label)s」の行がありません。") % {"label": label})
            data[key] = None
            continue
        reader.plan_rows[key] = row.number
        if key in ("start_year", "end_year"):
            data[key] = reader.year(row, "値")
        elif key == "granularity":
            text = reader.text(row, "値") or GRANULARITIES[Granularity.YEAR]
            data[key] = {v: k for k, v in GRANULARITIES.items()}.get(text, text)
        elif key == "adopted_on":
            data[key] = reader.text(row, "値") or None
        elif key in ("slug", "title", "version"):
            data[key] = reader.text(row, "値")
        else:
            data[key] = _free(row, "値")
    return data


def _free(row: _Row, heading: str) -> str:
    """Free text as typed (line breaks and all)."""
    value = row.values.get(heading)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _with_ids(reader: _Reader, sheet: str, heading: str) -> Iterable[_Row]:
    """The rows of `sheet` with a fresh ID in `heading` (rows without one, or repeating one, are reported)."""
    seen: set[str] = set()
    for row in reader.sheets[sheet].rows:
        value = reader.text(row, heading)
        if not value:
            reader.add(sheet, row.number, heading, _("IDを入力してください（新しい行には未使用のIDを付けます）。"))
        elif value in seen:
            reader.add(sheet, row.number, heading, _("ID「%(id)s」が重複しています。") % {"id": value})
        else:
            seen.add(value)
            yield row


def _reference(reader: _Reader, row: _Row, heading: str, known: dict[str, Any], sheet: str) -> Any:
    value = reader.text(row, heading)
    if value in known and known[value] is None:
        return None  # a row that is itself wrong (and reported): its dependents are not reported again
    if value not in known:
        reader.add(row.sheet, row.number, heading, _("「%(id)s」は「%(sheet)s」シートにありません。")
                   % {"id": value, "sheet": sheet} if value else _("参照するIDを入力してください。"))
        return None
    return known[value]


def _measures(reader: _Reader, policies: dict[str, tuple[str, dict[str, Any]]]
              ) -> dict[str, tuple[str, dict[str, Any]]]:
    measures: dict[str, Any] = {}
    for row in _with_ids(reader, MEASURES, "取組項目ID"):
        owner = _reference(reader, row, "方針ID", policies, POLICIES)
        if owner is None:
            measures[reader.text(row, "取組項目ID")] = None
            continue
        policy_path, policy = owner
        path = f"{policy_path}.measures[{len(policy['measures'])}]"
        measure = {"number": reader.text(row, "番号"), "title": _free(row, "取組項目"),
                   "summary": _free(row, "概要"), "issues": _free(row, "現状と課題"), "goal": _free(row, "目指す姿"),
                   "priority": reader.flag(row, "重点"), "departments_text": _free(row, "担当の表記"),
                   "lead": reader.names(row, "担当課"), "related": reader.names(row, "関係課"),
                   "schedule": [], "actions": [], "indicators": []}
        policy["measures"].append(measure)
        measures[reader.text(row, "取組項目ID")] = (path, measure)
        reader.remember(path, row, MEASURE_KEYS)
    return measures


def _actions(reader: _Reader, measures: dict[str, tuple[str, dict[str, Any]]]
             ) -> dict[str, tuple[str, str, dict[str, Any]]]:
    actions: dict[str, Any] = {}
    for row in _with_ids(reader, ACTIONS, "取組内容ID"):
        owner = _reference(reader, row, "取組項目ID", measures, MEASURES)
        if owner is None:
            actions[reader.text(row, "取組内容ID")] = None
            continue
        measure_path, measure = owner
        path = f"{measure_path}.actions[{len(measure['actions'])}]"
        action = {"title": _free(row, "取組内容"), "description": _free(row, "説明"),
                  "departments_text": _free(row, "担当の表記"), "lead": reader.names(row, "担当課"),
                  "related": reader.names(row, "関係課"), "schedule": []}
        measure["actions"].append(action)
        actions[reader.text(row, "取組内容ID")] = (reader.text(row, "取組項目ID"), path, action)
        reader.remember(path, row, ACTION_KEYS)
    return actions


def _action_of(reader: _Reader, row: _Row, measure_id: str,
               actions: dict[str, tuple[str, str, dict[str, Any]]]
               ) -> tuple[str, dict[str, Any]] | None | Literal[False]:
    """The action a row names in 取組内容ID (None when blank; False when it is wrong, reported)."""
    action_id = reader.text(row, "取組内容ID")
    if not action_id:
        return None
    found = _reference(reader, row, "取組内容ID", actions, ACTIONS)
    if found is None:
        return False
    if found[0] != measure_id:
        reader.add(row.sheet, row.number, "取組内容ID", _(
            "「%(action)s」は取組項目「%(measure)s」の取組内容ではありません。") % {
            "action": action_id, "measure": measure_id})
        return False
    return found[1], found[2]


def _period_text(reader: _Reader, row: _Row, heading: str) -> str:
    return unicodedata.normalize("NFKC", reader.text(row, heading)).upper().replace(" ", "")


def _schedule(reader: _Reader, measures: dict[str, tuple[str, dict[str, Any]]],
              actions: dict[str, tuple[str, str, dict[str, Any]]]) -> None:
    for row in reader.sheets[SCHEDULE].rows:
        owner = _reference(reader, row, "取組項目ID", measures, MEASURES)
        action = _action_of(reader, row, reader.text(row, "取組項目ID"), actions) if owner else False
        if owner is None or action is False:
            continue
        path, item = action if action else owner
        start = _period_text(reader, row, "開始")
        cell = {"from": start, "to": _period_text(reader, row, "終了") or start, "text": _free(row, "内容")}
        cell_path = f"{path}.schedule[{len(item['schedule'])}]"
        item["schedule"].append(cell)
        reader.remember(cell_path, row, CELL_KEYS)


def _indicators(reader: _Reader, measures: dict[str, tuple[str, dict[str, Any]]],
                actions: dict[str, tuple[str, str, dict[str, Any]]]) -> None:
    comparators = {label: code for code, label in COMPARATORS.items()} | {"実施・達成": Comparator.DONE}
    for row in reader.sheets[INDICATORS].rows:
        owner = _reference(reader, row, "取組項目ID", measures, MEASURES)
        action = _action_of(reader, row, reader.text(row, "取組項目ID"), actions) if owner else False
        if owner is None or action is False:
            continue
        path, measure = owner
        label = reader.text(row, "条件") or COMPARATORS[Comparator.AT_LEAST]
        comparator = comparators.get(label, label if label in Comparator.values else None)
        if comparator is None:
            reader.add(row.sheet, row.number, "条件", _("条件は 以上・以下・ちょうど・数値なし のどれかです。"))
        added = reader.flag(row, "計画策定後の追加")
        indicator = {"kind": reader.text(row, "種類"), "text": _free(row, "指標"),
                     "action": action[1]["title"] if action else "", "target": reader.number(row, "目標値"),
                     "unit": reader.text(row, "単位"), "comparator": comparator or label,
                     "baseline": reader.number(row, "基準値"), "baseline_year": reader.year(row, "基準年度"),
                     "due_year": reader.year(row, "目標年度"), "metric": reader.text(row, "自動計測"),
                     "from_seed": not added}
        indicator_path = f"{path}.indicators[{len(measure['indicators'])}]"
        measure["indicators"].append(indicator)
        reader.remember(indicator_path, row, INDICATOR_KEYS)


# --- comparing -------------------------------------------------------------------------------------------------


def counts(data: dict[str, Any]) -> dict[str, int]:
    """How many of each kind of row the plan data has (shown before replacing a plan)."""
    measures = [m for p in data["policies"] for m in p.get("measures", [])]
    actions = [a for m in measures for a in m.get("actions", [])]
    return {
        "policies": len(data["policies"]), "measures": len(measures), "actions": len(actions),
        "schedule": sum(len(m.get("schedule", [])) for m in measures) + sum(len(a.get("schedule", []))
                                                                           for a in actions),
        "indicators": sum(len(m.get("indicators", [])) for m in measures),
    }


COUNT_LABELS = {"policies": "方針", "measures": "取組項目", "actions": "取組内容", "schedule": "工程",
                "indicators": "指標"}
