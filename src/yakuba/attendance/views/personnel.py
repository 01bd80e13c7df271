"""総務課 (人事担当: a 所属長 of the town's personnel department, default 総務課, or 情報担当): the whole town's month,
the month close, the CSV for 人事給与, reopening a closed month, and the tablets at the entrance."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yakuba.kernel.accounts.models import Role
from yakuba.kernel.accounts.permissions import staff_required
from yakuba.kernel.files import tables
from yakuba.kernel.http import TownRequest
from yakuba.kernel.ui.actions import act_once, error_summary

from ..models import CloseState, Device, MonthClose
from ..services import month, overtime, rules, setup
from . import forms


def personnel_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """After staff_required(APPROVER): only 人事担当 (rules.is_personnel) go on; other 所属長 get 403."""

    @wraps(view)
    def wrapped(request: TownRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not rules.is_personnel(request.staff):
            raise PermissionDenied(_("このページは総務課（人事担当）のページです。"))
        return view(request, *args, **kwargs)

    return wrapped


def _month(request: TownRequest, source: Any) -> Any:
    return forms.parse_month(source.get("month"), rules.month_to_close(timezone.localdate()))


def _town_page(request: TownRequest, first: Any, *, reopen_form: forms.ReasonForm | None = None,
               reopen_row: int | None = None, errors: list[dict[str, str]] | None = None, status: int = 200
               ) -> HttpResponse:
    people = list(rules.supervised(request.staff))
    closes = {row.staff_id: row for row in MonthClose.objects.filter(month=first)}
    rows = [(person, closes.get(person.pk)) for person in people]
    return render(request, "attendance/staff/town.html", {
        "month": first, "rows": rows, "closed": CloseState.CLOSED, "confirmed": CloseState.CONFIRMED,
        "ready": sum(1 for _p, row in rows if row and row.state == CloseState.CONFIRMED),
        "by_department": overtime_by_department(first), "near": overtime.near_limit(people, first),
        "reopen_form": reopen_form or forms.ReasonForm(), "reopen_row": reopen_row,
        "errors": errors or []}, status=status)


def overtime_by_department(first: Any) -> list[dict[str, Any]]:
    from ..metrics import overtime_by_department as by_department

    return by_department(first, rules.next_month(first))


@staff_required(role=Role.APPROVER)
@personnel_only
def town(request: TownRequest) -> HttpResponse:
    """全庁の月次: everyone's month close state, 時間外 per 課, who is near a limit."""
    first = _month(request, request.GET)
    if first is None:
        return _town_page(request, timezone.localdate().replace(day=1), status=400, errors=[
            {"id": "", "label": "", "message": _("月は「2026-06」の形で指定してください。")}])
    return _town_page(request, first)


@staff_required(role=Role.APPROVER)
@personnel_only
@require_POST
def close(request: TownRequest) -> HttpResponse:
    """月次締め of every confirmed person of the month."""
    first = _month(request, request.POST)
    if first is None:
        messages.error(request, _("月は「2026-06」の形で指定してください。"))
        return HttpResponseRedirect(reverse("staff:attendance-town"))
    back = reverse("staff:attendance-town") + f"?month={first:%Y-%m}"
    return act_once(request, lambda: month.close(request.staff, first), back=back,
                    done=lambda rows: _("%(n)d人の%(month)sを締めました。") % {
                        "n": len(rows), "month": f"{first.year}年{first.month}月"},
                    refused=lambda error: _town_page(request, first, errors=error_summary(refused=error),
                                                     status=400))


@staff_required(role=Role.APPROVER)
@personnel_only
def export(request: TownRequest) -> HttpResponse:
    """人事給与へのCSV of the month's closed people (layout: services/month.py and the page)."""
    first = _month(request, request.GET)
    if first is None:
        messages.error(request, _("月は「2026-06」の形で指定してください。"))
        return HttpResponseRedirect(reverse("staff:attendance-town"))
    response, writer = tables.csv_download(f"kintai-{first:%Y-%m}.csv")
    writer.writerows(month.csv_rows(first))
    return response


@staff_required(role=Role.APPROVER)
@personnel_only
@require_POST
def reopen(request: TownRequest, pk: int) -> HttpResponse:
    """締めの解除 of one person's month, with the reason."""
    row = get_object_or_404(MonthClose, pk=pk)
    form = forms.ReasonForm(request.POST)
    back = reverse("staff:attendance-town") + f"?month={row.month:%Y-%m}"
    if form.is_valid():
        response = act_once(request, lambda: month.reopen(request.staff, row, form.cleaned_data["reason"]),
                            form=form, back=back, done=_("%(name)sさんの締めを解除しました。") % {"name": row.staff})
        if response is not None:
            return response
    return _town_page(request, row.month, reopen_form=form, reopen_row=row.pk, errors=error_summary(form),
                      status=400)


@staff_required(role=Role.APPROVER)
@personnel_only
def devices(request: TownRequest) -> HttpResponse:
    """打刻端末: register a tablet (its secret link opens the kiosk page), switch one off."""
    bound = request.method == "POST"
    form = forms.DeviceForm(request.POST if bound else None)
    if bound and form.is_valid():
        response = act_once(request, lambda: setup.register_device(request.staff, form.cleaned_data["name"]),
                            form=form, done=_("端末を登録しました。タブレットで下のリンクを開いてください。"),
                            back=reverse("staff:attendance-devices"))
        if response is not None:
            return response
    listed = [(device, request.build_absolute_uri(reverse("attendance:kiosk", args=[device.token])))
              for device in Device.objects.filter(is_active=True)]
    return render(request, "attendance/staff/devices.html", {"form": form, "errors": error_summary(form),
                                                            "devices": listed}, status=400 if bound else 200)


@staff_required(role=Role.APPROVER)
@personnel_only
@require_POST
def device_retire(request: TownRequest, pk: int) -> HttpResponse:
    device = get_object_or_404(Device, pk=pk)
    return act_once(request, lambda: setup.retire_device(request.staff, device), done=_("端末の使用を止めました。"),
                    back=reverse("staff:attendance-devices"))


urlpatterns = [
    path("attendance/town/", town, name="attendance-town"),
    path("attendance/town/close/", close, name="attendance-close"),
    path("attendance/town/export/", export, name="attendance-export"),
    path("attendance/town/reopen/<int:pk>/", reopen, name="attendance-reopen"),
    path("attendance/devices/", devices, name="attendance-devices"),
    path("attendance/devices/<int:pk>/retire/", device_retire, name="attendance-device-retire"),
]
