"""Recording progress: a department's status of a measure and the actual value of an indicator for one period.

Nothing is updated in place: each record is a new row and the newest per period is the current one, so the
council sees what was reported and when. A record is refused as a whole (with every reason) when the period is
outside the plan, the unit is not the indicator's, or the value does not fit the indicator.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from yakuba.kernel.accounts.models import Role, Staff
from yakuba.kernel.audit.services import record
from yakuba.kernel.files.uploads import CheckedUpload, UploadRejected, check_upload, save_private
from yakuba.kernel.refusal import NON_FIELD, Refused

from ..models import (
    Comparator,
    Evidence,
    Granularity,
    Indicator,
    IndicatorValue,
    Measure,
    Plan,
    Source,
    Status,
    StatusReport,
)
from ..periods import period_label

EVIDENCE_TYPES = (".pdf", ".jpg", ".png", ".xlsx", ".docx")
EVIDENCE_MAX_FILES = 5


def may_record(staff: Staff | None, measure: Measure) -> bool:
    """情報担当 may record anything; other staff only for measures their department answers for (担当 or 関係),
    and anyone on staff for a measure the plan gives to the whole office (no department named)."""
    if staff is None or not staff.is_active:
        return False
    if staff.has_role(Role.ADMIN):
        return True
    departments = set(measure.responsibilities.values_list("department_id", flat=True))
    return not departments or staff.department_id in departments


def _check_period(errors: dict[str, str], plan: Plan, year: int | None, quarter: int | None) -> None:
    if year is None:
        errors["year"] = _("年度を選んでください。")
    elif year not in plan.years:
        errors["year"] = _("%(period)s は計画の期間（%(start)s〜%(end)s）の外です。") % {
            "period": period_label(year), "start": period_label(plan.start_year), "end": period_label(plan.end_year)}
    if quarter is not None and (plan.granularity != Granularity.QUARTER or quarter not in (1, 2, 3, 4)):
        errors["quarter"] = _("この計画の進捗は年度ごとに記録します。")


Checked = list[tuple[UploadedFile[bytes], CheckedUpload]]


def _store_files(files: list[UploadedFile[bytes]], errors: dict[str, str]) -> Checked:
    """Check every file first; nothing is stored unless all pass."""
    if len(files) > EVIDENCE_MAX_FILES:
        errors["files"] = _("根拠資料は %(n)d 件までです。") % {"n": EVIDENCE_MAX_FILES}
        return []
    checked: Checked = []
    for upload in files:
        try:
            checked.append((upload, check_upload(upload, accept=EVIDENCE_TYPES)))
        except UploadRejected as error:
            errors["files"] = f"{upload.name}: {error}"
            return []
    return checked


def _attach(staff: Staff, checked: Checked, *, value: IndicatorValue | None = None,
            report: StatusReport | None = None) -> None:
    for upload, info in checked:
        path = save_private(upload, f"{staff.municipality.code}/plans")
        Evidence.objects.create(municipality=staff.municipality, value=value, report=report, file=path,
                                name=info.name, content_type=info.content_type, size=info.size, sha256=info.sha256)


def report_status(staff: Staff, measure: Measure, *, year: int | None, status: str, comment: str = "",
                  quarter: int | None = None, files: list[UploadedFile[bytes]] | None = None) -> StatusReport:
    """Record the status of `measure` for a period (a new row; the previous ones stay as history)."""
    errors: dict[str, str] = {}
    if not may_record(staff, measure):
        errors[NON_FIELD] = _("この取組の進捗を記録する権限がありません"
                              "（担当・関係課の職員か情報担当が記録できます）。")
    _check_period(errors, measure.plan, year, quarter)
    if status not in Status.values:
        errors["status"] = _("進捗状況を選んでください。")
    if len(comment) > 4000:
        errors["comment"] = _("4000 文字以内にしてください。")
    checked = _store_files(list(files or []), errors)
    if errors:
        raise Refused(errors)
    assert year is not None
    with transaction.atomic():
        report = StatusReport.objects.create(municipality=staff.municipality, measure=measure, year=year,
                                             quarter=quarter, status=status, comment=comment.strip(),
                                             recorded_by=staff)
        _attach(staff, checked, report=report)
        record("plans.status_reported", municipality=staff.municipality, actor=staff.user, obj=measure,
               data={"year": year, "quarter": quarter, "status": status, "files": len(checked)})
    return report


@dataclass
class ValueInput:
    year: int | None
    value: str = ""
    unit: str = ""
    achieved: bool | None = None
    note: str = ""
    quarter: int | None = None


def _parse_value(errors: dict[str, str], indicator: Indicator, data: ValueInput) -> Decimal | None:
    text = (data.value or "").strip().replace(",", "").replace("％", "").translate(
        str.maketrans("０１２３４５６７８９．－", "0123456789.-"))
    if not text:
        if indicator.comparator != Comparator.DONE and data.achieved is None:
            errors["value"] = _("実績値を入力してください。")
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        errors["value"] = _("実績値は数字で入力してください（例: 85）。")
        return None
    if not value.is_finite() or abs(value) >= Decimal("1e10"):
        errors["value"] = _("実績値は数字で入力してください（例: 85）。")
        return None
    if indicator.unit == "%" and not Decimal(0) <= value <= Decimal(100):
        errors["value"] = _("割合（%）は 0〜100 で入力してください。")
    return value


def record_value(staff: Staff, indicator: Indicator, data: ValueInput,
                 files: list[UploadedFile[bytes]] | None = None, *, source: str = Source.MANUAL) -> IndicatorValue:
    """Record the actual value of `indicator` for a period, in the indicator's own unit, with its evidence."""
    errors: dict[str, str] = {}
    measure = indicator.measure
    if not may_record(staff, measure):
        errors[NON_FIELD] = _("この指標の実績を記録する権限がありません"
                              "（担当・関係課の職員か情報担当が記録できます）。")
    _check_period(errors, measure.plan, data.year, data.quarter)
    unit = (data.unit or "").strip()
    if unit and indicator.unit and unit != indicator.unit:
        errors["unit"] = _("この指標の単位は「%(unit)s」です。「%(given)s」の値は記録できません。"
                           "換算してから入力してください。") % {"unit": indicator.unit, "given": unit}
    value = _parse_value(errors, indicator, data)
    if len(data.note) > 4000:
        errors["note"] = _("4000 文字以内にしてください。")
    checked = _store_files(list(files or []), errors)
    if errors:
        raise Refused(errors)
    assert data.year is not None
    achieved = data.achieved if data.achieved is not None else indicator.met_by(value)
    with transaction.atomic():
        row = IndicatorValue.objects.create(
            municipality=staff.municipality, indicator=indicator, year=data.year, quarter=data.quarter, value=value,
            achieved=achieved, unit=indicator.unit, note=data.note.strip(), source=source, recorded_by=staff)
        _attach(staff, checked, value=row)
        record("plans.value_recorded", municipality=staff.municipality, actor=staff.user, obj=indicator,
               data={"year": data.year, "value": None if value is None else str(value), "achieved": achieved,
                     "source": source, "files": len(checked)})
    return row


def current_status(measure: Measure, year: int) -> StatusReport | None:
    return StatusReport.objects.filter(measure=measure, year=year).order_by("-recorded_at", "-pk").first()


def current_value(indicator: Indicator, year: int) -> IndicatorValue | None:
    return IndicatorValue.objects.filter(indicator=indicator, year=year).order_by("-recorded_at", "-pk").first()


def latest_by_measure(plan: Plan, year: int) -> dict[int, StatusReport]:
    """The current report of every measure of `plan` for `year`, by measure id (one query)."""
    latest: dict[int, StatusReport] = {}
    for report in (StatusReport.objects.filter(measure__plan=plan, year=year)
                   .select_related("recorded_by").order_by("measure_id", "-recorded_at", "-pk")):
        latest.setdefault(report.measure_id, report)
    return latest


def latest_values(plan: Plan, years: Iterable[int] | None = None) -> dict[tuple[int, int], IndicatorValue]:
    """The current value of every indicator of `plan` per year, by (indicator id, year) (one query)."""
    rows = IndicatorValue.objects.filter(indicator__measure__plan=plan)
    if years is not None:
        rows = rows.filter(year__in=list(years))
    latest: dict[tuple[int, int], IndicatorValue] = {}
    for row in rows.order_by("indicator_id", "year", "-recorded_at", "-pk"):
        latest.setdefault((row.indicator_id, row.year), row)
    return latest
