"""The 所属長's 勤怠: the department's day (in, on leave, teleworking, not yet), the requests waiting (休暇, 時間外,
テレワーク, 打刻修正), who is near an overtime limit, and 所属長確認 of each person's month."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.db.models import Model
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yakuba.kernel.accounts.models import Role, Staff
from yakuba.kernel.accounts.permissions import staff_required
from yakuba.kernel.http import TownRequest
from yakuba.kernel.ui.actions import act_once

from ..models import Correction, LeaveRequest, MonthClose, Overtime, Place, Status, Telework, WorkPeriod
from ..services import approvals, clock, leave, month, overtime, rules, telework
from . import forms


def day_board(people: list[Staff], day: date) -> list[dict[str, Any]]:
    """Each person's state on `day`: 出勤中・退勤・休暇・テレワーク・未出勤 (a few queries for the whole list)."""
    periods: dict[int, list[WorkPeriod]] = {}
    for period in WorkPeriod.objects.filter(staff__in=people, day=day).order_by("started_at"):
        periods.setdefault(period.staff_id, []).append(period)
    on_leave = {row.staff_id: row for row in LeaveRequest.objects.filter(
        staff__in=people, status=Status.APPROVED, first_day__lte=day, last_day__gte=day).select_related("leave_type")}
    board = []
    for person in people:
        mine = periods.get(person.pk, [])
        last = mine[-1] if mine else None
        if last is not None and last.ended_at is None:
            state = _("テレワーク中") if last.place == Place.TELEWORK else _("出張中") if last.place == Place.TRIP \
                else _("出勤中")
        elif last is not None:
            state = _("退勤")
        elif person.pk in on_leave:
            state = _("休暇")
        else:
            state = _("未出勤")
        board.append({"staff": person, "state": state, "periods": mine, "leave": on_leave.get(person.pk)})
    return board


@staff_required(role=Role.APPROVER)
def department(request: TownRequest) -> HttpResponse:
    """課の今日: who is in, on leave, teleworking, not yet; who is near a limit; the 所属長確認 of the month ended."""
    today = timezone.localdate()
    people = list(rules.supervised(request.staff).filter(department_id=request.staff.department_id))
    due = rules.month_to_close(today)
    first = forms.parse_month(request.GET.get("month"), due) or due
    closes = {row.staff_id: row for row in MonthClose.objects.filter(staff__in=people, month=first)}
    return render(request, "attendance/staff/department.html", {
        "today": today, "board": day_board(people, today), "near": overtime.near_limit(people, today),
        "month": first, "closes": [(person, closes.get(person.pk)) for person in people if person != request.staff],
        "waiting": approvals.waiting_count(request.staff), "is_personnel": rules.is_personnel(request.staff)})


@staff_required(role=Role.APPROVER)
def waiting(request: TownRequest) -> HttpResponse:
    """承認待ち: every request of the people I decide for."""
    return render(request, "attendance/staff/approvals.html", {"waiting": approvals.waiting_for(request.staff),
                                                              "is_personnel": rules.is_personnel(request.staff)})


def _decide(request: TownRequest, model: type[Model], pk: int, act: Callable[[Any, bool], object]) -> HttpResponse:
    people = rules.supervised(request.staff)
    item = get_object_or_404(model, pk=pk, staff__in=people)
    approve = request.POST.get("decision") == "approve"
    return act_once(request, lambda: act(item, approve), back=reverse("staff:attendance-approvals"),
                    done=_("承認しました。") if approve else _("却下しました。"))


@staff_required(role=Role.APPROVER)
@require_POST
def leave_decide(request: TownRequest, pk: int) -> HttpResponse:
    return _decide(request, LeaveRequest, pk, lambda item, ok: leave.decide_leave(request.staff, item, approve=ok))


@staff_required(role=Role.APPROVER)
@require_POST
def overtime_decide(request: TownRequest, pk: int) -> HttpResponse:
    reason = request.POST.get("excess_reason", "")
    return _decide(request, Overtime, pk, lambda item, ok: overtime.decide(request.staff, item, approve=ok,
                                                                            excess_reason=reason))


@staff_required(role=Role.APPROVER)
@require_POST
def telework_decide(request: TownRequest, pk: int) -> HttpResponse:
    return _decide(request, Telework, pk, lambda item, ok: telework.decide(request.staff, item, approve=ok))


@staff_required(role=Role.APPROVER)
@require_POST
def correction_decide(request: TownRequest, pk: int) -> HttpResponse:
    return _decide(request, Correction, pk, lambda item, ok: clock.decide_correction(request.staff, item,
                                                                                       approve=ok))


@staff_required(role=Role.APPROVER)
@require_POST
def confirm(request: TownRequest, pk: int) -> HttpResponse:
    """所属長確認 of one person's month (?month=YYYY-MM in the form)."""
    person = get_object_or_404(rules.supervised(request.staff), pk=pk)
    first = forms.parse_month(request.POST.get("month"), timezone.localdate())
    back = reverse("staff:attendance-department")
    if first is None:
        messages.error(request, _("月は「2026-06」の形で指定してください。"))
        return HttpResponseRedirect(back)
    return act_once(request, lambda: month.confirm(request.staff, person, first), back=back,
                    done=_("%(name)sさんの%(month)sを確認しました。") % {"name": person,
                                                                    "month": f"{first.year}年{first.month}月"})


urlpatterns = [
    path("attendance/department/", department, name="attendance-department"),
    path("attendance/approvals/", waiting, name="attendance-approvals"),
    path("attendance/approvals/leave/<int:pk>/", leave_decide, name="attendance-leave-decide"),
    path("attendance/approvals/overtime/<int:pk>/", overtime_decide, name="attendance-overtime-decide"),
    path("attendance/approvals/telework/<int:pk>/", telework_decide, name="attendance-telework-decide"),
    path("attendance/approvals/correction/<int:pk>/", correction_decide, name="attendance-correction-decide"),
    path("attendance/department/confirm/<int:pk>/", confirm, name="attendance-confirm"),
]
