"""What 総務課 (人事担当) sets up for the town: 勤務パターン and who works which from when, the town's own closed
days, the 休暇の種類, 年休の付与 and each department's 勤務区分. Every write checks, refuses in Japanese and is
audited with what was there before and after, in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from yakuba.kernel.accounts.models import Department, Staff
from yakuba.kernel.refusal import Refused

from ..models import Assignment, ClosedDay, DepartmentOption, LeaveGrant, LeaveType, WorkPattern
from . import leave, rules
from .setup import _personnel

MAX_CLOSED_RANGE_DAYS = 31
M = TypeVar("M", bound=models.Model)


def _others(rows: QuerySet[M], obj: M | None) -> QuerySet[M]:
    """`rows` without `obj` (the row being changed), all of them for a new one."""
    return rows if obj is None else rows.exclude(pk=obj.pk)


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


# --- 勤務パターン -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PatternInput:
    name: str
    starts: time
    ends: time
    break_minutes: int
    is_default: bool = False


def _pattern_state(pattern: WorkPattern) -> dict[str, Any]:
    return {"name": pattern.name, "starts": pattern.starts, "ends": pattern.ends,
            "break_minutes": pattern.break_minutes, "is_default": pattern.is_default}


@transaction.atomic
def save_pattern(actor: Staff, pattern: WorkPattern | None, data: PatternInput) -> WorkPattern:
    """Create (`pattern` None) or change a 勤務パターン. The town's 標準 pattern is at most one: marking another
    as 標準 takes the mark from the old one."""
    _personnel(actor)
    name = data.name.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("勤務パターン名を入力してください。")
    elif _others(WorkPattern.objects.filter(name=name), pattern).exists():
        errors["name"] = _("同じ名前の勤務パターンがすでにあります。別の名前にしてください。")
    span = _minutes(data.ends) - _minutes(data.starts)
    if span <= 0:
        errors["ends"] = _("終業は始業より後の時刻にしてください。")
    if data.break_minutes < 0:
        errors["break_minutes"] = _("休憩は0分以上で入力してください。")
    elif span > 0 and data.break_minutes >= span:
        errors["break_minutes"] = _("休憩が始業から終業までの時間以上になっています。休憩の分数を見直してください。")
    if errors:
        raise Refused(errors)
    if pattern is not None and pattern.is_default and not data.is_default:
        raise Refused({"is_default": _("標準の勤務パターンは外せません。ほかのパターンを標準にしてください。")})
    before = _pattern_state(pattern) if pattern else None
    if data.is_default:
        _others(WorkPattern.objects.filter(is_default=True), pattern).update(is_default=False)
    if pattern is None:
        pattern = WorkPattern(municipality=actor.municipality)
    pattern.name, pattern.starts, pattern.ends = name[:60], data.starts, data.ends
    pattern.break_minutes, pattern.is_default = data.break_minutes, data.is_default
    pattern.save()
    rules.audit("pattern.saved", actor, pattern, before=before, after=_pattern_state(pattern))
    return pattern


@transaction.atomic
def assign_pattern(actor: Staff, staff: Staff, pattern: WorkPattern, valid_from: date) -> Assignment:
    """`staff` works `pattern` from `valid_from` on (replacing an assignment from the same day). Days of a closed
    month are not changed."""
    _personnel(actor)
    rules.refuse_closed(staff, valid_from)
    existing = Assignment.objects.filter(staff=staff, valid_from=valid_from).first()
    before = existing.pattern.name if existing else None
    assignment, _created = Assignment.objects.update_or_create(
        staff=staff, valid_from=valid_from, defaults={"municipality": staff.municipality, "pattern": pattern})
    rules.audit("pattern.assigned", actor, assignment, staff=staff.pk, valid_from=valid_from, before=before,
                after=pattern.name)
    return assignment


# --- 町の閉庁日 ----------------------------------------------------------------------------------------------

@transaction.atomic
def add_closed_days(actor: Staff, first: date, last: date | None, name: str) -> list[ClosedDay]:
    """The town's own closed days from `first` to `last` (one day when `last` is empty), at most 31 days."""
    _personnel(actor)
    last = last or first
    name = name.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("閉庁日の名称を入力してください。")
    if last < first:
        errors["last"] = _("最終日は初日と同じ日か、それより後の日にしてください。")
    elif (last - first).days + 1 > MAX_CLOSED_RANGE_DAYS:
        errors["last"] = _("一度に登録できる閉庁日は%(n)d日までです。") % {"n": MAX_CLOSED_RANGE_DAYS}
    if errors:
        raise Refused(errors)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    taken = sorted(ClosedDay.objects.filter(day__in=days).values_list("day", flat=True))
    if taken:
        raise Refused({"first": _("%(days)sはすでに閉庁日として登録されています。") % {
            "days": "、".join(f"{day.month}月{day.day}日" for day in taken)}})
    rows = [ClosedDay.objects.create(municipality=actor.municipality, day=day, name=name[:60]) for day in days]
    for row in rows:
        rules.audit("closed_day.added", actor, row, before=None, after={"day": row.day, "name": row.name})
    return rows


@transaction.atomic
def delete_closed_day(actor: Staff, closed: ClosedDay) -> None:
    _personnel(actor)
    rules.audit("closed_day.deleted", actor, closed, before={"day": closed.day, "name": closed.name}, after=None)
    closed.delete()


# --- 休暇の種類 -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LeaveTypeInput:
    code: str
    name: str
    days_per_year: Decimal | None
    sort_order: int
    is_active: bool = True


def _leave_type_state(kind: LeaveType) -> dict[str, Any]:
    return {"code": kind.code, "name": kind.name, "annual": kind.annual,
            "days_per_year": str(kind.days_per_year) if kind.days_per_year is not None else None,
            "sort_order": kind.sort_order, "is_active": kind.is_active}


@transaction.atomic
def save_leave_type(actor: Staff, kind: LeaveType | None, data: LeaveTypeInput) -> LeaveType:
    """Create (`kind` None) or change a 休暇の種類 (特別休暇). 年次有給休暇 stays in use; a new type is never 年休."""
    _personnel(actor)
    code, name = data.code.strip(), data.name.strip()
    errors: dict[str, str] = {}
    others = _others(LeaveType.objects.all(), kind)
    if not name:
        errors["name"] = _("休暇の名称を入力してください。")
    elif others.filter(name=name).exists():
        errors["name"] = _("同じ名称の休暇の種類がすでにあります。別の名称にしてください。")
    if not code:
        errors["code"] = _("休暇コードを入力してください。")
    elif others.filter(code=code).exists():
        errors["code"] = _("この休暇コードはほかの休暇の種類が使っています。")
    if data.days_per_year is not None and data.days_per_year <= 0:
        errors["days_per_year"] = _("年間の日数は0より大きい数で入力してください（日数の決まりがなければ空欄）。")
    if data.sort_order < 0:
        errors["sort_order"] = _("表示順は0以上の整数で入力してください。")
    if kind is not None and kind.annual and not data.is_active:
        errors["is_active"] = _("年次有給休暇は使用をやめることができません。")
    if errors:
        raise Refused(errors)
    before = _leave_type_state(kind) if kind else None
    if kind is None:
        kind = LeaveType(municipality=actor.municipality)
    kind.code, kind.name, kind.days_per_year = code[:20], name[:40], data.days_per_year
    kind.sort_order, kind.is_active = data.sort_order, data.is_active
    kind.save()
    rules.audit("leave_type.saved", actor, kind, before=before, after=_leave_type_state(kind))
    return kind


# --- 年休の付与 -----------------------------------------------------------------------------------------------

@transaction.atomic
def grant(actor: Staff, staff: Staff, *, valid_from: date, days: Decimal) -> LeaveGrant:
    """年休を付与する (services.leave.grant_annual: one leave year, carrying over at most the town's limit)."""
    _personnel(actor)
    if days < 0:
        raise Refused({"days": _("付与日数は0以上で入力してください。")})
    if days > 40:
        raise Refused({"days": _("付与日数は40日までで入力してください。")})
    if days * 2 != (days * 2).to_integral_value():
        raise Refused({"days": _("付与日数は0.5日単位で入力してください。")})
    existing = LeaveGrant.objects.filter(staff=staff, valid_from=valid_from).first()
    before = {"days": str(existing.days), "carried_days": str(existing.carried_days)} if existing else None
    row = leave.grant_annual(actor, staff, valid_from=valid_from, days=days)
    rules.audit("leave.grant_saved", actor, row, staff=staff.pk, before=before,
                after={"days": str(row.days), "carried_days": str(row.carried_days)})
    return row


# --- 部署の勤務区分 -------------------------------------------------------------------------------------------

@transaction.atomic
def set_department_option(actor: Staff, department: Department, *, uses_shifts: bool,
                          demanding: bool) -> DepartmentOption:
    _personnel(actor)
    row = DepartmentOption.objects.filter(department=department).first()
    before = {"uses_shifts": row.uses_shifts, "demanding": row.demanding} if row else None
    row, _created = DepartmentOption.objects.update_or_create(
        department=department, defaults={"municipality": actor.municipality, "uses_shifts": uses_shifts,
                                         "demanding": demanding})
    rules.audit("department_option.saved", actor, row, before=before,
                after={"uses_shifts": uses_shifts, "demanding": demanding})
    return row
