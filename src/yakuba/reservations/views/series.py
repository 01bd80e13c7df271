"""Resident pages for 定期予約 (the same room every week, one request) and 団体登録 (registering a club for 減免)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from yakuba.kernel.accounts.models import Resident
from yakuba.kernel.accounts.permissions import resident_required
from yakuba.kernel.http import TownRequest
from yakuba.kernel.refusal import Refused
from yakuba.kernel.scheduling import calendar
from yakuba.kernel.ui.actions import add_refusal, attempt

from .. import services
from ..models import Group, GroupCategory, Series, Status
from ..services import groups as groups_service
from ..services import series as series_service
from . import fields
from .public import _rooms

SERIES_WEEKS = 12  # the last day offered at first: about three months


# 定期予約 -------------------------------------------------------------------------------------------------------

class SeriesForm(forms.Form):
    first_day = forms.DateField(
        label=gettext_lazy("初回の日"), widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("この日と同じ曜日に、毎週予約します。"),
        error_messages={"required": gettext_lazy("初回の日を入力してください。"),
                        "invalid": gettext_lazy("初回の日は 2027-01-05 のように入力してください。")})
    start = fields.start_field()
    length = fields.length_field()
    last_day = forms.DateField(
        label=gettext_lazy("最終の日"), widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("この日までの毎週を予約します（最長26回・約半年）。"),
        error_messages={"required": gettext_lazy("最終の日を入力してください。"),
                        "invalid": gettext_lazy("最終の日は 2027-03-30 のように入力してください。")})
    purpose = fields.purpose_field(gettext_lazy("例: 太極拳サークルの練習"))
    people = fields.people_field()

    def __init__(self, *args: Any, rules: calendar.Rules, groups: list[Group], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["start"].choices = fields.start_choices(  # type: ignore[attr-defined]
            start for hours in rules.hours for start in _starts(hours, rules))
        self.fields["length"].choices = fields.length_choices(calendar.lengths(rules))  # type: ignore[attr-defined]
        fields.add_group_field(self, groups)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("first_day") and data.get("last_day") and data["last_day"] < data["first_day"]:
            self.add_error("last_day", _("最終の日は初回の日より後の日付にしてください。"))
        return data

    def request_for(self, room: Any, resident: Resident) -> series_service.Request:
        data = self.cleaned_data
        return series_service.Request(
            room=room, resident=resident, first_day=data["first_day"], last_day=data["last_day"],
            start=time.fromisoformat(data["start"]), length=timedelta(minutes=data["length"]),
            purpose=data["purpose"], people=data["people"], group=fields.chosen_group(self))


def _starts(hours: calendar.Hours, rules: calendar.Rules) -> list[time]:
    """Every start on the slot grid that leaves room for the shortest length, in any opening of a weekday."""
    result = []
    for opens, closes in hours:
        moment = datetime.combine(date(2000, 1, 3), opens)
        while moment + rules.min_length <= datetime.combine(date(2000, 1, 3), closes):
            result.append(moment.time())
            moment += rules.slot
    return result


@resident_required
@require_http_methods(["GET", "POST"])
def series_new(request: TownRequest, pk: int) -> HttpResponse:
    """Step 1: the pattern; 確認 shows every week with ○ or the reason it cannot be booked; step 2 books."""
    room = get_object_or_404(_rooms(), pk=pk)
    rules = services.rules_of(room.resource)
    groups = list(groups_service.bookable_groups(request.resident))
    first = _first_day(request.GET.get("day"))
    initial = {"first_day": first, "last_day": first + timedelta(weeks=SERIES_WEEKS - 1),
               "start": request.GET.get("start", ""), "length": calendar.lengths(rules)[0] // timedelta(minutes=1),
               "group": ""}
    form = SeriesForm(request.POST if request.method == "POST" else None, rules=rules, groups=groups,
                      initial=initial)
    occurrences: list[series_service.Occurrence] = []
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        series_request = form.request_for(room, request.resident)
        if "confirm" in request.POST:
            booked = attempt(request, lambda: series_service.reserve(series_request, http_request=request))
            if booked.repeated:
                messages.info(request, _("この定期予約はすでに受け付けています。"))
                return HttpResponseRedirect(reverse("reservations:mine"))
            if booked.refused is not None:
                errors = booked.refused.messages
            elif booked.result is not None:
                series, _done = booked.result
                return HttpResponseRedirect(reverse("reservations:series", args=[series.public_id]))
        try:
            occurrences = series_service.plan(series_request)
        except Refused as error:
            errors = errors or error.messages
    failed = bool(form.errors or errors)
    return render(request, "reservations/public/series_new.html", {
        "room": room, "facility": room.facility, "form": form, "errors": errors, "occurrences": occurrences,
        "bookable": sum(1 for occurrence in occurrences if occurrence.bookable),
        "fees": series_service.total_fee(form.request_for(room, request.resident), occurrences) if occurrences else 0,
    }, status=400 if failed else 200)


def _first_day(value: str | None) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return timezone.localdate() + timedelta(days=7)


@resident_required
@require_GET
def series_detail(request: TownRequest, public_id: UUID) -> HttpResponse:
    series = _own_series(request, public_id)
    reservations = {timezone.localdate(r.starts_at).isoformat(): r
                    for r in series.reservations.order_by("starts_at")}
    weeks = [{"day": date.fromisoformat(entry["day"]), "reservation": reservations.get(entry["day"]),
              "reasons": entry["reasons"]} for entry in series.report]
    ahead = series.reservations.filter(status__in=(Status.CONFIRMED, Status.PENDING), starts_at__gt=timezone.now())
    return render(request, "reservations/public/series.html", {
        "series": series, "weeks": weeks, "ahead": ahead.count(),
        "booked": sum(1 for week in weeks if week["reservation"]), "resident": request.resident,
        "end": (datetime.combine(date(2000, 1, 3), series.start_time)
                + timedelta(minutes=series.length_minutes)).time(),
    })


@resident_required
@require_http_methods(["GET", "POST"])
def series_cancel(request: TownRequest, public_id: UUID) -> HttpResponse:
    series = _own_series(request, public_id)
    errors: list[str] = []
    if request.method == "POST":
        outcome = attempt(request, lambda: series_service.cancel_remaining(series, resident=request.resident,
                                                                           request=request))
        if outcome.repeated:
            return HttpResponseRedirect(reverse("reservations:series", args=[public_id]))
        if outcome.refused is not None:
            errors = outcome.refused.messages
        elif outcome.result is not None:
            cancelled, kept = outcome.result
            messages.success(request, _("%(count)s回分の予約を取り消しました。") % {"count": len(cancelled)})
            for reservation, reason in kept:
                messages.warning(request, _("%(day)s は取り消せませんでした（%(reason)s）。") % {
                    "day": f"{timezone.localtime(reservation.starts_at):%m/%d}", "reason": reason})
            return HttpResponseRedirect(reverse("reservations:series", args=[public_id]))
    ahead = series.reservations.filter(status__in=(Status.CONFIRMED, Status.PENDING),
                                       starts_at__gt=timezone.now()).order_by("starts_at")
    return render(request, "reservations/public/series_cancel.html", {
        "series": series, "ahead": ahead, "errors": errors}, status=400 if errors else 200)


def _own_series(request: TownRequest, public_id: UUID) -> Series:
    return get_object_or_404(Series.objects.select_related("room__facility", "group"), public_id=public_id,
                             resident=request.resident)


# 団体登録 -------------------------------------------------------------------------------------------------------

class GroupForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("団体名"), max_length=100,
                           error_messages={"required": gettext_lazy("団体名を入力してください。"),
                                           "max_length": gettext_lazy("団体名は100文字以内で入力してください。")})
    name_kana = forms.CharField(label=gettext_lazy("団体名（ふりがな・任意）"), max_length=100, required=False)
    category: forms.ModelChoiceField[GroupCategory] = forms.ModelChoiceField(
        label=gettext_lazy("団体の区分"), queryset=GroupCategory.objects.none(), empty_label=None,
        widget=forms.RadioSelect, template_name="reservations/public/_choice_field.html",
        help_text=gettext_lazy("区分によって使用料の減免や予約の受付開始日が変わります。担当課が確認します。"),
        error_messages={"required": gettext_lazy("団体の区分を選んでください。"),
                        "invalid_choice": gettext_lazy("団体の区分を選び直してください。")})
    members = forms.IntegerField(
        label=gettext_lazy("会員数"), min_value=1, max_value=groups_service.MAX_MEMBERS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"required": gettext_lazy("会員数を入力してください。"),
                        "invalid": gettext_lazy("会員数は数字で入力してください。"),
                        "min_value": gettext_lazy("会員数は1人以上で入力してください。"),
                        "max_value": gettext_lazy("会員数を確かめてください。")})
    activity = forms.CharField(
        label=gettext_lazy("活動内容"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("例: 毎週火曜日の夜に公民館で太極拳の練習をしています。"),
        error_messages={"required": gettext_lazy("活動内容を入力してください。"),
                        "max_length": gettext_lazy("活動内容は1000文字以内で入力してください。")})
    phone = forms.CharField(
        label=gettext_lazy("連絡先電話番号"), max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=gettext_lazy("例: 0274-82-2111"),
        error_messages={"required": gettext_lazy("連絡先電話番号を入力してください。")})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category: Any = self.fields["category"]
        category.queryset = GroupCategory.objects.all()
        category.label_from_instance = _category_label


def _category_label(category: GroupCategory) -> str:
    parts = [category.name]
    if category.reduction_percent:
        parts.append(_("使用料%(percent)s%%減免") % {"percent": category.reduction_percent})
    if category.extra_window_days:
        parts.append(_("%(days)s日早く予約できます") % {"days": category.extra_window_days})
    return "・".join(parts[:1]) + (f"（{'、'.join(parts[1:])}）" if parts[1:] else "")


@resident_required
@require_GET
def groups(request: TownRequest) -> HttpResponse:
    mine = Group.objects.filter(representative=request.resident).select_related("category").order_by(
        "-applied_at")
    return render(request, "reservations/public/groups.html", {"groups": mine, "today": timezone.localdate()})


@resident_required
@require_http_methods(["GET", "POST"])
def group_new(request: TownRequest) -> HttpResponse:
    form = GroupForm(request.POST if request.method == "POST" else None,
                     initial={"phone": request.resident.phone})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        details = groups_service.GroupDetails(name=data["name"], name_kana=data["name_kana"],
                                              category=data["category"], members=data["members"],
                                              activity=data["activity"], phone=data["phone"])
        outcome = attempt(request, lambda: groups_service.apply(request.resident, details, request=request))
        if outcome.repeated:
            return HttpResponseRedirect(reverse("reservations:groups"))
        if outcome.refused is not None:
            add_refusal(form, outcome.refused)
        else:
            messages.success(request, _("団体登録を申請しました。担当課が確認し、結果をお知らせします。"))
            return HttpResponseRedirect(reverse("reservations:groups"))
    return render(request, "reservations/public/group_new.html", {"form": form},
                  status=400 if form.errors else 200)


@resident_required
@require_http_methods(["POST"])
def group_withdraw(request: TownRequest, public_id: UUID) -> HttpResponse:
    group = get_object_or_404(Group, public_id=public_id, representative=request.resident)
    outcome = attempt(request, lambda: groups_service.withdraw(group, resident=request.resident, request=request))
    if outcome.refused is not None:
        messages.error(request, outcome.refused.message)
    elif outcome.done:
        messages.success(request, _("「%(name)s」の団体登録を取り下げました。") % {"name": group.name})
    return HttpResponseRedirect(reverse("reservations:groups"))


urlpatterns = [
    path("reservations/rooms/<int:pk>/series/", series_new, name="series-new"),
    path("my/reservations/series/<uuid:public_id>/", series_detail, name="series"),
    path("my/reservations/series/<uuid:public_id>/cancel/", series_cancel, name="series-cancel"),
    path("my/groups/", groups, name="groups"),
    path("my/groups/new/", group_new, name="group-new"),
    path("my/groups/<uuid:public_id>/withdraw/", group_withdraw, name="group-withdraw"),
]
