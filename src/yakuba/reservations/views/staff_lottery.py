"""Staff pages of 抽選: the lotteries of the rooms one's department runs, a new lottery, the applications grouped by
room and time, the draw (once, with a confirmation), its log and verification, 中止, and the results as CSV."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from django import forms
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from yakuba.kernel.accounts.models import Role
from yakuba.kernel.accounts.permissions import staff_required
from yakuba.kernel.audit import services as audit
from yakuba.kernel.files import tables
from yakuba.kernel.http import TownRequest
from yakuba.kernel.refusal import Refused
from yakuba.kernel.ui.actions import act_once

from .. import services
from ..models import EntryStatus, Lottery, LotteryEntry, LotteryStatus, Room
from ..services import lottery as lotteries


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


class LotteryForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("名称"), max_length=100, help_text=gettext_lazy("例: 7月分 体育館"),
                            error_messages={"required": gettext_lazy("名称を入力してください。")})
    rooms = forms.TypedMultipleChoiceField(
        label=gettext_lazy("対象の部屋"), coerce=int, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("対象の部屋を1つ以上選んでください。"),
                        "invalid_choice": gettext_lazy("対象の部屋を選び直してください。")})
    period_start = forms.DateField(
        label=gettext_lazy("利用期間の初日"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": gettext_lazy("利用期間の初日を入力してください。"),
                        "invalid": gettext_lazy("日付を正しく入力してください。")})
    period_end = forms.DateField(
        label=gettext_lazy("利用期間の末日"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": gettext_lazy("利用期間の末日を入力してください。"),
                        "invalid": gettext_lazy("日付を正しく入力してください。")})
    opens_at = forms.DateTimeField(
        label=gettext_lazy("申込受付の開始"), widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M"],
        error_messages={"required": gettext_lazy("申込受付の開始日時を入力してください。"),
                        "invalid": gettext_lazy("日時を正しく入力してください。")})
    closes_at = forms.DateTimeField(
        label=gettext_lazy("申込受付の締切"), widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M"],
        help_text=gettext_lazy("利用期間は、締切の翌日以降にしてください。"),
        error_messages={"required": gettext_lazy("申込受付の締切日時を入力してください。"),
                        "invalid": gettext_lazy("日時を正しく入力してください。")})
    max_entries = forms.IntegerField(
        label=gettext_lazy("1人あたりの申込数の上限"), initial=3, min_value=1, max_value=lotteries.MAX_ENTRIES_LIMIT,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"required": gettext_lazy("申込数の上限を入力してください。"),
                        "invalid": gettext_lazy("申込数の上限は数字で入力してください。"),
                        "min_value": gettext_lazy("申込数の上限は1以上にしてください。"),
                        "max_value": gettext_lazy("申込数の上限は20以下にしてください。")})

    def __init__(self, data: Any = None, *, rooms: list[Room]) -> None:
        super().__init__(data)
        self.room_by_pk = {room.pk: room for room in rooms}
        field = self.fields["rooms"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(room.pk, str(room)) for room in rooms]


def _lottery(request: TownRequest, pk: int) -> Lottery:
    return get_object_or_404(lotteries.managed_lotteries(request.staff), pk=pk)


@staff_required(role=Role.STAFF)
@require_GET
def index(request: TownRequest) -> HttpResponse:
    items = lotteries.managed_lotteries(request.staff).annotate(
        applied=Count("entries", filter=~Q(entries__status=EntryStatus.WITHDRAWN), distinct=True),
        won=Count("entries", filter=Q(entries__status=EntryStatus.WON), distinct=True),
    ).prefetch_related("rooms__facility").order_by("-closes_at", "pk")
    return render(request, "reservations/staff/lotteries.html", {"items": items, "now": timezone.now()})


@staff_required(role=Role.STAFF)
def new(request: TownRequest) -> HttpResponse:
    form = LotteryForm(request.POST if request.method == "POST" else None,
                       rooms=list(services.managed_rooms(request.staff)))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        response = act_once(request, lambda: lotteries.create_lottery(
            staff=request.staff, title=data["title"], rooms=[form.room_by_pk[pk] for pk in data["rooms"]],
            period_start=data["period_start"], period_end=data["period_end"], opens_at=data["opens_at"],
            closes_at=data["closes_at"], max_entries=data["max_entries"], request=request),
            done=_("抽選を作成しました。申込の受付開始から、住民の画面に表示されます。"),
            back=lambda lottery: reverse("staff:reservations-lottery", args=[lottery.pk]), form=form,
            repeated=_("この抽選はすでに作成しています。"), again=reverse("staff:reservations-lotteries"))
        if response is not None:
            return response
    return render(request, "reservations/staff/lottery_new.html", {"form": form},
                  status=400 if form.is_bound else 200)


def _groups(lottery: Lottery) -> list[dict[str, Any]]:
    """Entries (not withdrawn) by room and time, with the number of applicants for each."""
    entries = (LotteryEntry.objects.filter(lottery=lottery).exclude(status=EntryStatus.WITHDRAWN)
               .select_related("room__facility", "resident", "reservation", "group")
               .order_by("room__facility__sort_order", "room__sort_order", "room__pk", "starts_at", "ends_at", "pk"))
    groups: dict[tuple[int, datetime, datetime], dict[str, Any]] = {}
    for entry in entries:
        key = (entry.room_id, entry.starts_at, entry.ends_at)
        groups.setdefault(key, {"room": entry.room, "starts_at": entry.starts_at, "ends_at": entry.ends_at,
                                "entries": []})["entries"].append(entry)
    return list(groups.values())


def _detail(request: TownRequest, lottery: Lottery, *, errors: list[str] | None = None,
            status: int = 200) -> HttpResponse:
    audit.record_read(request, lottery)
    groups = _groups(lottery)
    entries = [entry for group in groups for entry in group["entries"]]
    by_pk = {entry.pk: entry for entry in entries}
    steps = [{**step, "entry": by_pk.get(step.get("entry"))} for step in (lottery.log or {}).get("steps", [])
             if isinstance(step, dict)]
    now = timezone.now()
    return render(request, "reservations/staff/lottery.html", {
        "lottery": lottery, "rooms": list(lottery.rooms.select_related("facility")), "groups": groups,
        "applicants": len({entry.resident_id for entry in entries}), "count": len(entries),
        "results": Counter(entry.status for entry in entries), "errors": errors or [],
        "may_draw": lottery.status == LotteryStatus.OPEN and now >= lottery.closes_at,
        "may_cancel": lottery.status == LotteryStatus.OPEN, "steps": steps,
        "verification": lotteries.verify(lottery) if lottery.status == LotteryStatus.DRAWN else None,
    }, status=status)


@staff_required(role=Role.STAFF)
@require_GET
def detail(request: TownRequest, pk: int) -> HttpResponse:
    return _detail(request, _lottery(request, pk))


def _act(request: TownRequest, lottery: Lottery, action: Any, done: str) -> HttpResponse:
    def refused(error: Refused) -> HttpResponse:
        lottery.refresh_from_db()
        return _detail(request, lottery, errors=error.messages, status=400)

    return act_once(request, action, done=done, back=reverse("staff:reservations-lottery", args=[lottery.pk]),
                    refused=refused)


@staff_required(role=Role.STAFF)
@require_POST
def draw(request: TownRequest, pk: int) -> HttpResponse:
    lottery = _lottery(request, pk)
    if request.POST.get("confirm") != "1":
        return _detail(request, lottery, status=400, errors=[
            _("抽選を行うには「抽選を行います。やり直しはできません」にチェックを入れてください。")])
    return _act(request, lottery, lambda: lotteries.draw(lottery, staff=request.staff, request=request),
                _("抽選を行いました。申込者に結果をメールでお知らせします。"))


@staff_required(role=Role.STAFF)
@require_POST
def cancel(request: TownRequest, pk: int) -> HttpResponse:
    lottery = _lottery(request, pk)
    return _act(request, lottery, lambda: lotteries.cancel_lottery(lottery, staff=request.staff, request=request),
                _("抽選を中止しました。対象の日は先着順の予約に戻ります。"))


@staff_required(role=Role.STAFF)
@require_GET
def results_csv(request: TownRequest, pk: int) -> HttpResponse:
    lottery = _lottery(request, pk)
    entries = (LotteryEntry.objects.filter(lottery=lottery).select_related("room__facility", "resident", "group")
               .order_by("room__pk", "starts_at", "resident__pk", "preference"))
    audit.record("reservations.lottery.exported", municipality=request.municipality, actor=request.user,
                 obj=lottery, request=request, data={"count": len(entries)})
    response, writer = tables.csv_download(f"lottery-{lottery.pk}.csv")
    writer.writerow([_("申込番号"), _("施設"), _("部屋"), _("利用日"), _("開始"), _("終了"), _("申込者"),
                     _("団体"), _("希望順位"), _("利用目的"), _("人数"), _("結果")])
    for entry in entries:
        starts, ends = timezone.localtime(entry.starts_at), timezone.localtime(entry.ends_at)
        writer.writerow([entry.pk, entry.room.facility.name, entry.room.name, f"{starts:%Y-%m-%d}",
                         f"{starts:%H:%M}", f"{ends:%H:%M}", str(entry.resident),
                         entry.group.name if entry.group else "", entry.preference, entry.purpose,
                         "" if entry.people is None else entry.people, entry.get_status_display()])
    return response


urlpatterns = [
    path("reservations/lotteries/", index, name="reservations-lotteries"),
    path("reservations/lotteries/new/", new, name="reservations-lottery-new"),
    path("reservations/lotteries/<int:pk>/", detail, name="reservations-lottery"),
    path("reservations/lotteries/<int:pk>/draw/", draw, name="reservations-lottery-draw"),
    path("reservations/lotteries/<int:pk>/cancel/", cancel, name="reservations-lottery-cancel"),
    path("reservations/lotteries/<int:pk>/results.csv", results_csv, name="reservations-lottery-csv"),
]
