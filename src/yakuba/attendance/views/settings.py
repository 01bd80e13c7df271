"""総務課 (人事担当) sets up 勤怠 for the town: 勤務パターン and their assignment, the town's closed days (beside the
public holidays), the 休暇の種類 and 年休の付与. Only 人事担当 enter (other 所属長 get 403); every write goes
through services/settings.py."""

from __future__ import annotations

from datetime import date
from typing import Any

import jpholiday
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yakuba.kernel.accounts.models import Department, Role, Staff
from yakuba.kernel.accounts.permissions import staff_required
from yakuba.kernel.http import TownRequest
from yakuba.kernel.ui.actions import act_once, error_summary

from ..models import Assignment, ClosedDay, DepartmentOption, LeaveGrant, LeaveType, WorkPattern
from ..services import rules, settings
from . import forms
from .personnel import personnel_only


def _people() -> list[Staff]:
    return list(Staff.objects.filter(is_active=True).select_related("department")
                .order_by("department__name", "pk"))


# --- 勤務パターン ---------------------------------------------------------------------------------------------

def _patterns_page(request: TownRequest, *, form: forms.PatternForm | None = None,
                   assign: forms.AssignForm | None = None, status: int = 200) -> HttpResponse:
    patterns = list(WorkPattern.objects.all())
    form = form or forms.PatternForm()
    assign = assign or forms.AssignForm(people=_people(), patterns=patterns, prefix="assign")
    assignments = (Assignment.objects.select_related("staff", "staff__department", "pattern")
                   .order_by("staff__department__name", "staff_id", "-valid_from"))
    return render(request, "attendance/staff/patterns.html", {
        "patterns": patterns, "form": form, "assign": assign, "assignments": assignments,
        "errors": error_summary(form) + error_summary(assign)}, status=status)


@staff_required(role=Role.APPROVER)
@personnel_only
def patterns(request: TownRequest) -> HttpResponse:
    """勤務パターンの一覧と追加 (時差出勤 is one more pattern), and who works which from when."""
    if request.method != "POST":
        return _patterns_page(request)
    form = forms.PatternForm(request.POST)
    if form.is_valid():
        response = act_once(request, lambda: settings.save_pattern(request.staff, None, _pattern_input(form)),
                            form=form, back=reverse("staff:attendance-patterns"),
                            done=lambda pattern: _("勤務パターン「%(name)s」を追加しました。") % {"name": pattern.name})
        if response is not None:
            return response
    return _patterns_page(request, form=form, status=400)


def _pattern_input(form: forms.PatternForm) -> settings.PatternInput:
    data = form.cleaned_data
    return settings.PatternInput(name=data["name"], starts=data["starts"], ends=data["ends"],
                                 break_minutes=data["break_minutes"], is_default=data["is_default"])


@staff_required(role=Role.APPROVER)
@personnel_only
def pattern_edit(request: TownRequest, pk: int) -> HttpResponse:
    pattern = get_object_or_404(WorkPattern, pk=pk)
    bound = request.method == "POST"
    form = forms.PatternForm(request.POST if bound else None, initial={
        "name": pattern.name, "starts": pattern.starts, "ends": pattern.ends,
        "break_minutes": pattern.break_minutes, "is_default": pattern.is_default})
    if bound and form.is_valid():
        response = act_once(request, lambda: settings.save_pattern(request.staff, pattern, _pattern_input(form)),
                            form=form, back=reverse("staff:attendance-patterns"),
                            done=_("勤務パターンを保存しました。"))
        if response is not None:
            return response
    return render(request, "attendance/staff/pattern_edit.html", {
        "pattern": pattern, "form": form, "errors": error_summary(form)}, status=400 if bound else 200)


@staff_required(role=Role.APPROVER)
@personnel_only
@require_POST
def pattern_assign(request: TownRequest) -> HttpResponse:
    """Give a staff member a pattern from a date on."""
    form = forms.AssignForm(request.POST, people=_people(), patterns=list(WorkPattern.objects.all()),
                            prefix="assign")
    if form.is_valid():
        person, pattern = form.people[form.cleaned_data["staff"]], form.patterns[form.cleaned_data["pattern"]]
        valid_from = form.cleaned_data["valid_from"]
        response = act_once(request, lambda: settings.assign_pattern(request.staff, person, pattern, valid_from),
                            form=form, back=reverse("staff:attendance-patterns"),
                            done=_("%(name)sさんに%(day)sから「%(pattern)s」を割り当てました。") % {
                                "name": person, "day": f"{valid_from.year}年{valid_from.month}月{valid_from.day}日",
                                "pattern": pattern.name})
        if response is not None:
            return response
    return _patterns_page(request, assign=form, status=400)


# --- 閉庁日 ---------------------------------------------------------------------------------------------------

def _year(request: TownRequest) -> int:
    text = request.GET.get("year", "")
    return int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else timezone.localdate().year


def _closed_page(request: TownRequest, year: int, *, form: forms.ClosedDayForm | None = None,
                 status: int = 200) -> HttpResponse:
    form = form or forms.ClosedDayForm()
    holidays: list[tuple[date, str]] = sorted(jpholiday.year_holidays(year))
    return render(request, "attendance/staff/closed_days.html", {
        "year": year, "previous": year - 1, "next": year + 1, "form": form, "errors": error_summary(form),
        "closed_days": ClosedDay.objects.filter(day__year=year), "holidays": holidays}, status=status)


@staff_required(role=Role.APPROVER)
@personnel_only
def closed_days(request: TownRequest) -> HttpResponse:
    """町の閉庁日 (a single day or a range) beside the public holidays of the year (read-only)."""
    year = _year(request)
    if request.method != "POST":
        return _closed_page(request, year)
    form = forms.ClosedDayForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        year = data["first"].year
        response = act_once(
            request, lambda: settings.add_closed_days(request.staff, data["first"], data["last"], data["name"]),
            form=form, back=lambda rows: reverse("staff:attendance-closed-days") + f"?year={rows[0].day.year}",
            done=lambda rows: _("閉庁日を%(n)d日登録しました。") % {"n": len(rows)})
        if response is not None:
            return response
    return _closed_page(request, year, form=form, status=400)


@staff_required(role=Role.APPROVER)
@personnel_only
@require_POST
def closed_day_delete(request: TownRequest, pk: int) -> HttpResponse:
    closed = get_object_or_404(ClosedDay, pk=pk)
    name, day = closed.name, closed.day
    return act_once(request, lambda: settings.delete_closed_day(request.staff, closed),
                    back=reverse("staff:attendance-closed-days") + f"?year={day.year}",
                    done=_("閉庁日「%(name)s」（%(day)s）を削除しました。") % {
                        "name": name, "day": f"{day.month}月{day.day}日"})


# --- 休暇の種類 -----------------------------------------------------------------------------------------------

def _leave_type_input(form: forms.LeaveTypeForm) -> settings.LeaveTypeInput:
    data = form.cleaned_data
    return settings.LeaveTypeInput(code=data["code"], name=data["name"], days_per_year=data["days_per_year"],
                                   sort_order=data["sort_order"], is_active=data["is_active"])


@staff_required(role=Role.APPROVER)
@personnel_only
def leave_types(request: TownRequest) -> HttpResponse:
    """休暇の種類の一覧と追加 (特別休暇: 夏季, 忌引 …)."""
    bound = request.method == "POST"
    form = forms.LeaveTypeForm(request.POST if bound else None)
    if bound and form.is_valid():
        response = act_once(request, lambda: settings.save_leave_type(request.staff, None, _leave_type_input(form)),
                            form=form, back=reverse("staff:attendance-leave-types"),
                            done=lambda kind: _("休暇の種類「%(name)s」を追加しました。") % {"name": kind.name})
        if response is not None:
            return response
    return render(request, "attendance/staff/leave_types.html", {
        "kinds": LeaveType.objects.all(), "form": form, "errors": error_summary(form)},
        status=400 if bound else 200)


@staff_required(role=Role.APPROVER)
@personnel_only
def leave_type_edit(request: TownRequest, pk: int) -> HttpResponse:
    kind = get_object_or_404(LeaveType, pk=pk)
    bound = request.method == "POST"
    form = forms.LeaveTypeForm(request.POST if bound else None, initial={
        "name": kind.name, "code": kind.code, "days_per_year": kind.days_per_year, "sort_order": kind.sort_order,
        "is_active": kind.is_active})
    if bound and form.is_valid():
        response = act_once(request, lambda: settings.save_leave_type(request.staff, kind, _leave_type_input(form)),
                            form=form, back=reverse("staff:attendance-leave-types"),
                            done=_("休暇の種類を保存しました。"))
        if response is not None:
            return response
    return render(request, "attendance/staff/leave_type_edit.html", {
        "kind": kind, "form": form, "errors": error_summary(form)}, status=400 if bound else 200)


# --- 年休の付与 -----------------------------------------------------------------------------------------------

@staff_required(role=Role.APPROVER)
@personnel_only
def grants(request: TownRequest) -> HttpResponse:
    """年休の付与: days for a leave year; what is left of the year before is carried over (at most the town's
    limit)."""
    people = _people()
    bound = request.method == "POST"
    form = forms.GrantForm(request.POST if bound else None, people=people)
    if bound and form.is_valid():
        person, data = form.people[form.cleaned_data["staff"]], form.cleaned_data
        response = act_once(
            request, lambda: settings.grant(request.staff, person, valid_from=data["valid_from"], days=data["days"]),
            form=form, back=reverse("staff:attendance-grants"),
            done=lambda row: _("%(name)sさんに年休%(days)s日を付与しました（繰越%(carried)s日）。") % {
                "name": person, "days": _number(row.days), "carried": _number(row.carried_days)})
        if response is not None:
            return response
    today = timezone.localdate()
    current = {row.staff_id: row for row in LeaveGrant.objects.filter(valid_from__lte=today, valid_until__gt=today)}
    rows: list[tuple[Staff, Any]] = [(person, current.get(person.pk)) for person in people]
    return render(request, "attendance/staff/grants.html", {
        "form": form, "errors": error_summary(form), "rows": rows,
        "limit": rules.option(request.staff.municipality, "carry_over_limit_days")},
        status=400 if bound else 200)


# --- 部署の勤務区分 -------------------------------------------------------------------------------------------

@staff_required(role=Role.APPROVER)
@personnel_only
def departments(request: TownRequest) -> HttpResponse:
    """Each 課's 勤務区分: 交替制 (shifts per day) and 他律的業務 (the higher overtime limits)."""
    bound = request.method == "POST"
    form = forms.DepartmentOptionForm(request.POST if bound else None)
    if bound and form.is_valid():
        department, data = form.cleaned_data["department"], form.cleaned_data
        response = act_once(
            request, lambda: settings.set_department_option(request.staff, department, uses_shifts=data["uses_shifts"],
                                                            demanding=data["demanding"]),
            form=form, back=reverse("staff:attendance-departments"),
            done=_("%(name)sの勤務区分を保存しました。") % {"name": department.name})
        if response is not None:
            return response
    options = {row.department_id: row for row in DepartmentOption.objects.all()}
    rows = [(department, options.get(department.pk)) for department in Department.objects.all()]
    return render(request, "attendance/staff/departments.html", {
        "rows": rows, "errors": error_summary(form)},
        status=400 if bound else 200)


def _number(value: Any) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


urlpatterns = [
    path("attendance/patterns/", patterns, name="attendance-patterns"),
    path("attendance/patterns/<int:pk>/", pattern_edit, name="attendance-pattern-edit"),
    path("attendance/patterns/assign/", pattern_assign, name="attendance-pattern-assign"),
    path("attendance/closed-days/", closed_days, name="attendance-closed-days"),
    path("attendance/closed-days/<int:pk>/delete/", closed_day_delete, name="attendance-closed-day-delete"),
    path("attendance/leave-types/", leave_types, name="attendance-leave-types"),
    path("attendance/leave-types/<int:pk>/", leave_type_edit, name="attendance-leave-type-edit"),
    path("attendance/grants/", grants, name="attendance-grants"),
    path("attendance/departments/", departments, name="attendance-departments"),
]
