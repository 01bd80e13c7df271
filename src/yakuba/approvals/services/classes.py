"""The town's 文書分類表: reading it from Excel with every problem by row, importing it whole or not at all, and
editing one line. Who may change it: 情報担当, or the 所属長 of the 文書主管課 (総務課 unless the town's settings say
otherwise) — the existing roles, as no separate 文書担当 role exists."""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass, field
from io import BytesIO
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from yakuba.kernel.accounts.models import Department, Role, Staff
from yakuba.kernel.audit.services import record as audit
from yakuba.kernel.refusal import Refused
from yakuba.kernel.tenancy.models import Municipality

from ..models import DocumentClass, Retention

HEADINGS = ("分類記号", "大分類", "中分類", "小分類", "主管課", "保存期間", "歴史公文書")
REQUIRED = ("分類記号", "大分類", "小分類", "保存期間")
MAX_ROWS = 3000
MAX_BYTES = 5 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEFAULT_RECORDS_DEPARTMENT = "総務課"
YES = {"○", "〇", "◯", "はい", "有", "あり", "1", "true", "yes", "y", "✓", "レ", "歴史", "該当"}
NO = {"", "×", "✕", "いいえ", "無", "なし", "0", "false", "no", "n", "-", "ー", "―", "非該当"}


def records_department(municipality: Municipality) -> str:
    """The 課 that keeps the 文書分類表 (文書主管課), from the town's settings (`approvals.records_department`)."""
    chosen = (municipality.settings or {}).get("approvals", {}).get("records_department")
    return str(chosen or DEFAULT_RECORDS_DEPARTMENT)


def may_manage(staff: Staff | None) -> bool:
    """Whether `staff` may change the 分類表 and decide on any 課's 簿冊: 情報担当, or 所属長 of the 文書主管課."""
    if staff is None or not staff.is_active:
        return False
    if staff.role >= Role.ADMIN:
        return True
    return staff.role >= Role.APPROVER and staff.department.name == records_department(staff.municipality)


def parse_retention(value: Any) -> int | None:
    """保存期間 as written in a 分類表 (永年, 30年, '5', '５年', 5) → years (0 = 永年); None when not one of ours."""
    text = unicodedata.normalize("NFKC", str(value if value is not None else "")).strip().replace(" ", "")
    if text in ("永年", "永久", "常用"):
        return Retention.PERMANENT
    text = text.removesuffix("年").removesuffix(".0")
    if text.isdigit() and int(text) in Retention.values and int(text) != 0:
        return int(text)
    return None


def _flag(value: Any) -> bool | None:
    text = unicodedata.normalize("NFKC", str(value if value is not None else "")).strip().lower()
    if value is True or text in YES:
        return True
    if value is False or value is None or text in NO:
        return False
    return None


@dataclass
class ClassRow:
    """One line of the table as read, with its problems (empty when it can be imported)."""

    row: int
    code: str
    major: str
    middle: str
    name: str
    department: str
    retention: int | None
    historical: bool
    problems: list[str] = field(default_factory=list)
    change: str = ""  # new, changed or same, against what the town has now


@dataclass
class ClassTable:
    rows: list[ClassRow]
    problems: list[str]  # about the file as a whole

    @property
    def ok(self) -> bool:
        return not self.problems and not any(row.problems for row in self.rows)

    @property
    def problem_count(self) -> int:
        return len(self.problems) + sum(len(row.problems) for row in self.rows)

    def plain(self) -> list[dict[str, Any]]:
        """The rows as plain data, to hold between the preview and the confirmation."""
        return [asdict(row) for row in self.rows]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def read_table(municipality: Municipality, content: bytes) -> ClassTable:
    """Read a workbook's first sheet (headings in the first row) and check every row against the town."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        lines = list(sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2))
    except Exception:  # openpyxl raises many kinds on a file that is not a workbook; all mean the same here
        return ClassTable([], [_("Excel ファイル（.xlsx）として読み取れませんでした。ファイルを確かめてください。")])
    if not lines:
        return ClassTable([], [_("シートが空です。")])
    headings = [_text(cell) for cell in lines[0]]
    missing = [name for name in REQUIRED + ("主管課", "中分類", "歴史公文書") if name not in headings]
    if missing:
        return ClassTable([], [_("1行目に見出し「%(names)s」がありません。見出しは %(all)s です。")
                               % {"names": "」「".join(missing), "all": "・".join(HEADINGS)}])
    if len(lines) > MAX_ROWS + 1:
        return ClassTable([], [_("行が多すぎます（%(max)d 行まで）。") % {"max": MAX_ROWS}])
    column = {name: headings.index(name) for name in HEADINGS}
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        cells = {name: line[index] if index < len(line) else None for name, index in column.items()}
        if all(_text(value) == "" for value in cells.values()):
            continue
        rows.append(_row(number, cells))
    if not rows:
        return ClassTable([], [_("分類の行がありません。")])
    _check_against_town(municipality, rows)
    return ClassTable(rows, [])


def _row(number: int, cells: dict[str, Any]) -> ClassRow:
    historical = _flag(cells["歴史公文書"])
    row = ClassRow(row=number, code=_text(cells["分類記号"]), major=_text(cells["大分類"]),
                   middle=_text(cells["中分類"]), name=_text(cells["小分類"]), department=_text(cells["主管課"]),
                   retention=parse_retention(cells["保存期間"]), historical=bool(historical))
    for heading, value in (("分類記号", row.code), ("大分類", row.major), ("小分類", row.name)):
        if not value:
            row.problems.append(_("「%(heading)s」が空です。") % {"heading": heading})
    if _text(cells["保存期間"]) == "":
        row.problems.append(_("「保存期間」が空です。保存期間のない分類は登録できません。"))
    elif row.retention is None:
        row.problems.append(_("「保存期間」の「%(value)s」は使えません。永年・30年・10年・5年・3年・1年のどれかにしてください。")
                            % {"value": _text(cells["保存期間"])})
    if historical is None:
        row.problems.append(_("「歴史公文書」の「%(value)s」が分かりません。○ か空欄にしてください。")
                            % {"value": _text(cells["歴史公文書"])})
    for heading, value, limit in (("分類記号", row.code, 30), ("大分類", row.major, 60), ("中分類", row.middle, 60),
                                  ("小分類", row.name, 100)):
        if len(value) > limit:
            row.problems.append(_("「%(heading)s」が長すぎます（%(max)d 文字まで）。")
                                % {"heading": heading, "max": limit})
    return row


def _check_against_town(municipality: Municipality, rows: list[ClassRow]) -> None:
    departments = {unicodedata.normalize("NFKC", d.name): d.name
                   for d in Department.objects.filter(municipality=municipality)}
    first_row: dict[str, int] = {}
    existing = {c.code: c for c in DocumentClass.objects.filter(municipality=municipality).select_related(
        "department")}
    for row in rows:
        if row.department and row.department not in departments:
            row.problems.append(_("主管課「%(name)s」はこの町の課にありません。") % {"name": row.department})
        elif row.department:
            row.department = departments[row.department]
        if row.code and row.code in first_row:
            row.problems.append(_("分類記号「%(code)s」が %(row)d 行目と重複しています。")
                                % {"code": row.code, "row": first_row[row.code]})
        first_row.setdefault(row.code, row.row)
        current = existing.get(row.code)
        if current is None:
            row.change = "new"
        elif (current.major, current.middle, current.name, current.department.name if current.department else "",
              current.retention, current.historical) == (row.major, row.middle, row.name, row.department,
                                                         row.retention, row.historical):
            row.change = "same"
        else:
            row.change = "changed"


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    unchanged: int


def import_table(staff: Staff, plain_rows: list[dict[str, Any]], *, request: HttpRequest | None = None
                 ) -> ImportSummary:
    """Write the previewed rows: new codes added, known codes updated, nothing removed. The rows are checked again
    (the town may have changed since the preview); one problem and nothing is written."""
    if not may_manage(staff):
        raise Refused(_("文書分類表を変更できるのは情報担当と文書主管課の所属長です。"))
    municipality = staff.municipality
    rows = [ClassRow(**{**row, "problems": [], "change": ""}) for row in plain_rows]
    for row in rows:  # what the preview checked in the file, checked again on what is held
        if not (row.code and row.major and row.name):
            row.problems.append(_("分類記号・大分類・小分類のどれかが空です。"))
        if row.retention not in Retention.values:
            row.problems.append(_("「保存期間」が空か、使えない値です。保存期間のない分類は登録できません。"))
    _check_against_town(municipality, rows)
    problems = [_("%(row)d行目: %(message)s") % {"row": row.row, "message": message}
                for row in rows for message in row.problems]
    if problems or not rows:
        raise Refused(problems or [_("分類の行がありません。")])
    departments = {d.name: d for d in Department.objects.filter(municipality=municipality)}
    counts = {"new": 0, "changed": 0, "same": 0}
    with transaction.atomic():
        for row in rows:
            counts[row.change] += 1
            if row.change == "same":
                continue
            assert row.retention is not None  # checked above
            DocumentClass.objects.update_or_create(
                municipality=municipality, code=row.code,
                defaults={"major": row.major, "middle": row.middle, "name": row.name,
                          "department": departments.get(row.department), "retention": row.retention,
                          "historical": row.historical, "is_active": True})
        summary = ImportSummary(created=counts["new"], updated=counts["changed"], unchanged=counts["same"])
        audit("approvals.classes.imported", municipality=municipality, actor=staff.user, request=request,
              data=asdict(summary))
    return summary


@dataclass
class ClassFields:
    code: str
    major: str
    middle: str
    name: str
    department: Department | None
    retention: int | None
    historical: bool
    is_active: bool = True


def save_class(staff: Staff, document_class: DocumentClass | None, fields: ClassFields, *,
               request: HttpRequest | None = None) -> DocumentClass:
    """Add a line to the 分類表 or change one. A change of 保存期間 applies to 簿冊 opened from now on; the ones
    already open keep the period they were opened with (their 満了日 is decided per volume: 延長)."""
    if not may_manage(staff):
        raise Refused(_("文書分類表を変更できるのは情報担当と文書主管課の所属長です。"))
    errors: dict[str, str] = {}
    if fields.retention is None or fields.retention not in Retention.values:
        errors["retention"] = _("保存期間を選んでください。保存期間のない分類は登録できません。")
    clash = DocumentClass.objects.filter(municipality=staff.municipality, code=fields.code)
    if document_class is not None:
        clash = clash.exclude(pk=document_class.pk)
    if clash.exists():
        errors["code"] = _("分類記号「%(code)s」は既にあります。") % {"code": fields.code}
    if errors:
        raise Refused(errors)
    target = document_class or DocumentClass(municipality=staff.municipality)
    target.code, target.major, target.middle, target.name = fields.code, fields.major, fields.middle, fields.name
    assert fields.retention is not None  # refused above
    target.department, target.retention = fields.department, fields.retention
    target.historical, target.is_active = fields.historical, fields.is_active
    target.save()
    audit("approvals.class.saved", municipality=staff.municipality, actor=staff.user, obj=target, request=request,
          data={"created": document_class is None, "code": target.code, "retention": target.retention})
    return target


def export_table(municipality: Municipality) -> bytes:
    """The town's 分類表 as an .xlsx in the layout the import reads (so it round-trips)."""
    from openpyxl import Workbook

    from yakuba.kernel.files.tables import append_row

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "文書分類表"
    append_row(sheet, HEADINGS)
    for row in DocumentClass.objects.filter(municipality=municipality).select_related("department").order_by("code"):
        append_row(sheet, [row.code, row.major, row.middle, row.name, row.department.name if row.department else "",
                           row.get_retention_display(), "○" if row.historical else ""])
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()
