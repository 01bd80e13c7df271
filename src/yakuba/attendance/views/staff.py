"""Every staff member's own 勤怠: today (clock in and out, with the place), this month, balances and requests
(休暇, 時間外, テレワーク, 打刻修正), and the personal QR code for the tablet at the entrance."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms as django_forms
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yakuba.kernel.accounts.models import Role
from yakuba.kernel.accounts.permissions import staff_required
from yakuba.kernel.http import TownRequest
from yakuba.kernel.ui.actions import act_once, error_summary

from ..models import Correction, LeaveRequest, MonthClose, Overtime, OvertimeState, StaffCard, Telework, WorkPeriod
from ..services import clock, leave, overtime, rules, setup, telework
from . import forms


def _render(request: TownRequest, template: str, context: dict[str, Any], form: django_forms.Form | None = None
            ) -> HttpResponse:
    bound = form is not None and form.is_bound
    return render(request, f"attendance/staff/{template}", {
        **context, "form": form, "errors": error_summary(form) if form is not None else [],
        "is_personnel": rules.is_personnel(request.staff)},
        status=400 if bound else 200)


def _today_context(request: TownRequest) -> dict[str, Any]:
    staff, today = request.staff, timezone.localdate()
    return {"open": clock.open_period(staff), "today": today,
            "periods": WorkPeriod.objects.filter(staff=staff, day=today),
            "balance": leave.balance(staff, today), "closed_reason": rules.closed_reason(staff, today),
            "near": [level for level in overtime.levels(staff, today) if level.near]}


@staff_required(role=Role.STAFF)
def today(request: TownRequest) -> HttpResponse:
    """今日: clock in (choosing 庁舎・出張・テレワーク) or out, today's periods, the 年休 balance, limit warnings."""
    return _render(request, "today.html", _today_context(request), forms.ClockForm())


@staff_required(role=Role.STAFF)
@require_POST
def clock_action(request: TownRequest) -> HttpResponse:
    back = reverse("staff:attendance-today")
    if request.POST.get("action") == "out":
        return act_once(request, lambda: clock.clock_out(request.staff), back=back,
                        done=lambda period: _("退勤しました（%(at)s）。") % {
                            "at": f"{rules.local(period.ended_at or timezone.now()):%H:%M}"})
    form = forms.ClockForm(request.POST)
    if form.is_valid():
        response = act_once(request, lambda: clock.clock_in(request.staff, form.cleaned_data["place"]), back=back,
                            form=form, done=lambda period: _("出勤しました（%(at)s・%(place)s）。") % {
                                "at": f"{rules.local(period.started_at):%H:%M}",
                                "place": period.get_place_display()})
        if response is not None:
            return response
    return _render(request, "today.html", _today_context(request), form)


@staff_required(role=Role.STAFF)
def month(request: TownRequest) -> HttpResponse:
    """今月 (or ?month=YYYY-MM): periods, leave, overtime and where the month close stands."""
    first = forms.parse_month(request.GET.get("month"), timezone.localdate())
    if first is None:
        first = timezone.localdate().replace(day=1)
        request_error = [{"id": "", "label": "", "message": _("月は「2026-06」の形で指定してください。")}]
    else:
        request_error = []
    end, staff = rules.next_month(first), request.staff
    return render(request, "attendance/staff/month.html", {
        "month": first, "previous": rules.month_of(first - timedelta(days=1)),
        "next": end, "errors": request_error,
        "periods": WorkPeriod.objects.filter(staff=staff, day__gte=first, day__lt=end),
        "leave": LeaveRequest.objects.filter(staff=staff, first_day__lt=end, last_day__gte=first)
        .select_related("leave_type"),
        "overtime": Overtime.objects.filter(staff=staff, day__gte=first, day__lt=end),
        "close": MonthClose.objects.filter(staff=staff, month=first).first(),
        "levels": overtime.levels(staff, first), "is_personnel": rules.is_personnel(staff)},
        status=400 if request_error else 200)


def _requests_context(request: TownRequest) -> dict[str, Any]:
    staff = request.staff
    return {"balance": leave.balance(staff), "leave": LeaveRequest.objects.filter(staff=staff)
            .select_related("leave_type")[:20],
            "overtime": Overtime.objects.filter(staff=staff)[:20],
            "telework": Telework.objects.filter(staff=staff)[:20],
            "corrections": Correction.objects.filter(staff=staff)[:20],
            "today": timezone.localdate()}  # the actual of an overtime is reported on or after its day


@staff_required(role=Role.STAFF)
def leave_new(request: TownRequest) -> HttpResponse:
    """休暇の申請 (1日・半日・時間単位) with the balance beside it."""
    bound = request.method == "POST"
    form = forms.LeaveForm(request.POST if bound else None, initial={"first_day": timezone.localdate()})
    if bound and form.is_valid():
        response = act_once(request, lambda: leave.request_leave(request.staff, form.ask()), form=form,
                            done=_("休暇を申請しました。所属長の承認を待っています。"),
                            back=reverse("staff:attendance-leave"))
        if response is not None:
            return response
    return _render(request, "leave.html", _requests_context(request), form)


@staff_required(role=Role.STAFF)
@require_POST
def leave_cancel(request: TownRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(LeaveRequest, pk=pk, staff=request.staff)
    return act_once(request, lambda: leave.cancel_leave(request.staff, item), done=_("休暇を取り消しました。"),
                    back=reverse("staff:attendance-leave"))


@staff_required(role=Role.STAFF)
def overtime_new(request: TownRequest) -> HttpResponse:
    """時間外勤務の申し出 (the 所属長 orders it), and the list to report 実績 from."""
    bound = request.method == "POST"
    form = forms.OvertimeForm(request.POST if bound else None, initial={"day": timezone.localdate()})
    if bound and form.is_valid():
        day, start, end = form.moments()
        response = act_once(request, lambda: overtime.request(request.staff, day=day, start=start, end=end,
                                                              work=form.cleaned_data["work"]), form=form,
                            done=_("時間外勤務を申し出ました。所属長の命令を待っています。"),
                            back=reverse("staff:attendance-overtime"))
        if response is not None:
            return response
    return _render(request, "overtime.html", {**_requests_context(request), "ordered": OvertimeState.ORDERED}, form)


@staff_required(role=Role.STAFF)
def overtime_record(request: TownRequest, pk: int) -> HttpResponse:
    """時間外勤務の実績: the times actually worked (inside the day's punches)."""
    item = get_object_or_404(Overtime, pk=pk, staff=request.staff)
    bound = request.method == "POST"
    start, end = rules.local(item.planned_start), rules.local(item.planned_end)
    form = forms.OvertimeForm(request.POST if bound else None, initial={
        "day": item.day, "start": f"{start:%H:%M}", "end": f"{end:%H:%M}", "work": item.work})
    if bound and form.is_valid():
        day, begin, finish = form.moments()
        response = act_once(request, lambda: overtime.record(request.staff, item, day=day, start=begin, end=finish,
                                                             excess_reason=form.cleaned_data["excess_reason"]),
                            form=form, done=_("時間外勤務の実績を報告しました。"),
                            back=reverse("staff:attendance-overtime"))
        if response is not None:
            return response
    return _render(request, "overtime_record.html", {"item": item}, form)


@staff_required(role=Role.STAFF)
def telework_new(request: TownRequest) -> HttpResponse:
    bound = request.method == "POST"
    form = forms.TeleworkForm(request.POST if bound else None, initial={"day": timezone.localdate()})
    if bound and form.is_valid():
        data = form.cleaned_data
        response = act_once(request, lambda: telework.request(request.staff, day=data["day"], work=data["work"]),
                            form=form, done=_("テレワークを申請しました。"), back=reverse("staff:attendance-telework"))
        if response is not None:
            return response
    return _render(request, "telework.html", _requests_context(request), form)


@staff_required(role=Role.STAFF)
def correction_new(request: TownRequest) -> HttpResponse:
    """打刻修正の申請: the day's right times; an existing period of the day is changed, else one is added."""
    bound = request.method == "POST"
    form = forms.CorrectionForm(request.POST if bound else None, initial={"day": timezone.localdate()})
    if bound and form.is_valid():
        data = form.cleaned_data
        period = WorkPeriod.objects.filter(staff=request.staff, day=data["day"]).order_by("started_at").first()
        response = act_once(request, lambda: clock.request_correction(
            request.staff, day=data["day"], started_at=rules.at(data["day"], data["start"]),
            ended_at=rules.at(data["day"], data["end"]), reason=data["reason"], place=data["place"],
            period=period), form=form, done=_("打刻の修正を申請しました。"),
            back=reverse("staff:attendance-correction"))
        if response is not None:
            return response
    return _render(request, "correction.html", _requests_context(request), form)


@staff_required(role=Role.STAFF)
def qr(request: TownRequest) -> HttpResponse:
    """My QR code for the tablet at the entrance (and the staff number to type instead)."""
    import segno

    card = StaffCard.objects.filter(staff=request.staff).first()
    image = str(segno.make(card.qr_token, error="m").svg_inline(scale=6, title=_("打刻用QRコード"))) if card else ""
    return render(request, "attendance/staff/qr.html", {"card": card, "image": image,
                                                        "is_personnel": rules.is_personnel(request.staff)})


@staff_required(role=Role.STAFF)
@require_POST
def qr_renew(request: TownRequest) -> HttpResponse:
    if not StaffCard.objects.filter(staff=request.staff).exists():
        return HttpResponse(status=404)
    return act_once(request, lambda: setup.renew_qr(request.staff), done=_("QRコードを作り直しました。"),
                    back=reverse("staff:attendance-qr"))


urlpatterns = [
    path("attendance/", today, name="attendance-today"),
    path("attendance/clock/", clock_action, name="attendance-clock"),
    path("attendance/month/", month, name="attendance-month"),
    path("attendance/leave/", leave_new, name="attendance-leave"),
    path("attendance/leave/<int:pk>/cancel/", leave_cancel, name="attendance-leave-cancel"),
    path("attendance/overtime/", overtime_new, name="attendance-overtime"),
    path("attendance/overtime/<int:pk>/record/", overtime_record, name="attendance-overtime-record"),
    path("attendance/telework/", telework_new, name="attendance-telework"),
    path("attendance/correction/", correction_new, name="attendance-correction"),
    path("attendance/qr/", qr, name="attendance-qr"),
    path("attendance/qr/renew/", qr_renew, name="attendance-qr-renew"),
]
